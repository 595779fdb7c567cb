"""Is this press a resend of one already stored, or a new press from a restarted button?

A press is named by (device, boot id, sequence). A button that restarts numbers its presses from 1
again under a new boot id; the firmware keeps a boot counter in flash so the id never repeats. An
older button, or one whose random source failed, may still come back with the boot id of an
earlier start, and its press 1 would then be taken for a resend of the old press 1: acknowledged,
no alarm. So the name alone is not enough: a resend carries the same press time (the button counts
the press's age on its own clock, the outbox keeps the original time), while a new press under a
repeated name was pressed now. A copy whose time is more than ``RESEND_MAX_DRIFT`` away from the
stored press is a new press, stored as the next *life* of that boot id: the count of repeats sits
above the 32 bits of the device's boot id in ``alarm_presses.boot_id``, so the unique name still
holds and later resends of the new press are recognised again.

Doubt goes to the safe side: a resend delayed past the drift (a host clock stepped by NTP between
two copies) counts once more as "pressed again", never as a lost press.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

# Copies of one press differ by their transit time only; a stepped host clock may add seconds.
RESEND_MAX_DRIFT = timedelta(seconds=30)
BOOT_ID_BITS = 32
BOOT_ID_MASK = (1 << BOOT_ID_BITS) - 1


def is_same_press(stored_pressed_at: datetime, pressed_at: datetime) -> bool:
    """A resend keeps the press time; a new press under a repeated name does not."""
    return abs(pressed_at - stored_pressed_at) <= RESEND_MAX_DRIFT


def same_boot(stored_boot: InstrumentedAttribute[int], boot: int) -> ColumnElement[bool]:
    """Stored boot ids naming this device boot in any of its lives.

    Only 32-bit device boot ids have lives; larger ids (the on-screen button's, one per press)
    are never repeated and match exactly.
    """
    if 0 <= boot <= BOOT_ID_MASK:
        return (stored_boot % (1 << BOOT_ID_BITS)) == boot
    return stored_boot == boot


def next_life(stored_boot: int, boot: int) -> int:
    """The stored boot id for a new press under a repeated name: one life after ``stored_boot``."""
    if not 0 <= boot <= BOOT_ID_MASK:
        raise ValueError(f"boot id {boot} is not a device's 32-bit boot id")
    return ((stored_boot >> BOOT_ID_BITS) + 1) << BOOT_ID_BITS | boot
