"""Which screens in an office could have sounded a weekly test press, from what each PC reports.

Every SafeDesk PC writes a ``workstations`` row with ``sound_ok`` (False: it says NO SOUND ON
THIS PC) and ``last_seen_at`` (its heartbeat, about once a minute). A tester who ticks "heard
and seen on a responder screen" while every screen that was running said it had no sound is
recording something that cannot have happened, so the core refuses that tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.models import Workstation
from safedesk.services.shared.server_clock import database_now

# A PC is "running" if its heartbeat (every 60 s) was seen this recently.
SEEN_WITHIN_S = 180


@dataclass(frozen=True)
class OfficeScreens:
    """The office's running screens, split by whether they can play the alarm sound."""

    with_sound: tuple[str, ...]
    without_sound: tuple[str, ...]
    unknown: tuple[str, ...]  # running, but has not said whether it has sound
    # The silent PCs that have a configured name (the ones a tester can name in the record).
    named_without_sound: tuple[str, ...] = ()

    @property
    def none_can_sound(self) -> bool:
        """Screens are running and every one of them says it has no sound."""
        return bool(self.without_sound) and not self.with_sound and not self.unknown

    def refusal(self) -> str:
        """Why 'heard on a responder screen' cannot be true, for the person at the screen."""
        names = " and ".join(self.without_sound)
        says = "says" if len(self.without_sound) == 1 else "all say"
        return (
            f"No screen in this office could sound the alarm: {names} {says} NO SOUND ON THIS "
            "PC. It cannot have been heard: choose 'Did NOT sound' and name the screen (the "
            "test fails), or fix the sound and test the button again."
        )


def office_screens(
    session: Session, office_id: int, now: datetime, *, this_pc: str | None = None
) -> OfficeScreens:
    """The office's PCs seen in the last few minutes, by what they said about their sound.

    Heartbeats are stamped with the database server's time, so "recent" is reckoned on it too.
    ``this_pc`` (the asking PC's workstation name) is called "this PC" when it has no name.
    """
    since = database_now(session, now) - timedelta(seconds=SEEN_WITHIN_S)
    rows = session.execute(
        select(Workstation.name, Workstation.label, Workstation.sound_ok)
        .where(Workstation.office_id == office_id, Workstation.last_seen_at >= since)
        .order_by(Workstation.label, Workstation.id)
    ).all()

    def shown(name: str, label: str | None) -> str:
        # PCs are named as configured; one without a name is never shown by its host name.
        if label:
            return label
        return "this PC" if name == this_pc else "a PC with no name set"

    def names(wanted: bool | None) -> tuple[str, ...]:
        return tuple(shown(name, label) for name, label, ok in rows if ok is wanted)

    return OfficeScreens(
        with_sound=names(True),
        without_sound=names(False),
        unknown=names(None),
        named_without_sound=tuple(label for _n, label, ok in rows if ok is False and label),
    )
