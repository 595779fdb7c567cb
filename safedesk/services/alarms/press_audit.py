"""Who pressed: the audit entry of a PC's on-screen or hotkey press, in the alarm's transaction.

A desk's press goes through the PC's outbox like any button's, so it may reach the database
minutes after it was made (held while the database was away). The person signed in at the desk
and the PC travel with the press (``ButtonPress.pressed_by``), and this entry is written in the
same transaction that stores the press: there is no press in the database without it, and no
entry for a press that was never stored. Its time is the press's arrival (the server's clock,
as every alarm entry); the press time is in the detail.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.models import AlarmEvent, Staff
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor

DESK_PRESS = "alarm.desk_press"  # the desk's on-screen button or its hotkey
SIMULATED_PRESS = "alarm.simulated_press"  # a demo office's simulated button


def record_pressed_by(
    s: Session, alarm: AlarmEvent, press: ButtonPress, received: datetime
) -> None:
    """Add the "who pressed" entry for ``press`` (stored on ``alarm``); nothing for a button."""
    who = press.pressed_by
    if who is None:
        return
    entry = audit.record(
        s,
        Actor(staff_id=None, login=who.login[:64], workstation=who.workstation[:120]),
        SIMULATED_PRESS if press.source is DeviceKind.SIMULATED else DESK_PRESS,
        at=received,
        subject_type="alarm",
        subject_id=alarm.id,
        staff_id=who.staff_id,
        signed_in=who.staff_id is not None,
        device_id=press.device_id,
        sequence=press.sequence,
        source=press.source.value,
        pressed_at=press.pressed_at.isoformat(),
        room_id=alarm.room_id,
    )
    if who.staff_id is not None:
        # Looked up in the same INSERT: an id the database does not know (an account removed
        # while the press was held) leaves the column empty instead of failing the alarm.
        entry.staff_id = select(Staff.id).where(Staff.id == who.staff_id).scalar_subquery()
