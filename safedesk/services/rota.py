"""Who responds right now: the rota rules (regular weekly shifts, dated extras and absences).

Shift times are local to the office's time zone, so 09:00 stays 09:00 across GMT/BST changes;
a shift whose end is not after its start runs over midnight into the next day.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from safedesk.db import Database


class AlertLevel(enum.StrEnum):
    FULL_SCREEN = "full_screen"  # on duty, escalated, or nobody on the rota: everyone goes
    NOTICE = "notice"  # the smaller notice for staff not on duty


@dataclass(frozen=True)
class OnDuty:
    staff_id: int
    name: str
    until: datetime  # UTC end of the shift covering now


class RotaService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def on_duty(self, office_id: int, now: datetime) -> list[OnDuty]:
        """Responders on duty at ``now`` for the office (absences removed, extras added)."""
        raise NotImplementedError

    def nobody_on_duty(self, office_id: int, now: datetime) -> bool:
        """True when the rota has no one right now: every screen shows a warning."""
        return not self.on_duty(office_id, now)

    def alert_level(
        self,
        office_id: int,
        now: datetime,
        *,
        staff_id: int | None,
        escalated: bool = False,
    ) -> AlertLevel:
        """Full screen for responders on duty, for everyone once escalated or with nobody on duty."""
        raise NotImplementedError
