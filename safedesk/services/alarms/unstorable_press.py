"""A press the database cannot store as sent is still an alarm: stored under what does fit.

An 81-character device id (the column holds 80), a control character in an id, a press time
without a time zone: before, each was refused by the database on every retry, the press never
raised anything and the presses behind it waited. Now the alarm service raises it at once as
"unknown location" under a stored id made from what was received (a readable prefix and a hash
of the whole id, so two different long ids never merge and a resend maps to the same id), and
the audit entry keeps the id as received. Ids are also checked where they are configured
(``device_id_problem``), so this is the last line of defence, not the usual path.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime

from safedesk.button_events import DEVICE_ID_MAX_LENGTH, ButtonPress, device_id_problem

UNSTORABLE_PREFIX = "unstorable:"
_BIG = 2**63  # BigInteger columns (sequence, boot id)


def storable_press(press: ButtonPress, now: datetime) -> ButtonPress:
    """``press`` itself when the database can store it as sent, else a copy that it can."""
    changes: dict[str, object] = {}
    if device_id_problem(press.device_id) is not None:
        changes["device_id"] = storable_device_id(press.device_id)
    if press.pressed_at.tzinfo is None:
        changes["pressed_at"] = now  # a time in no known zone: when it reached us is the truth
    if not -_BIG <= press.sequence < _BIG:
        changes["sequence"] = press.sequence % (_BIG // 2)
    if press.boot_id is not None and not -_BIG <= press.boot_id < _BIG:
        changes["boot_id"] = press.boot_id % (_BIG // 2)
    return dataclasses.replace(press, **changes) if changes else press  # type: ignore[arg-type]


def storable_device_id(received: str) -> str:
    """A stored id for ``received`` that fits: readable prefix + hash of the whole id."""
    digest = hashlib.sha256(received.encode("utf-8", "backslashreplace")).hexdigest()[:12]
    readable = "".join(c if c.isprintable() else "?" for c in received).strip()
    room = DEVICE_ID_MAX_LENGTH - len(UNSTORABLE_PREFIX) - 1 - len(digest)
    return f"{UNSTORABLE_PREFIX}{readable[:room]}~{digest}"
