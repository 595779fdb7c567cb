"""Incident records for managers: the list with filters, debrief and follow-up (seed 004), CSV.

An incident is a non-test alarm. Seed 004: after any incident the manager debriefs the member
of staff and records the follow-up taken; until both are recorded it is "awaiting follow-up".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import TextIO

from safedesk.clock import Clock
from safedesk.db import Database
from safedesk.models import AlarmOutcome
from safedesk.services.actor import Actor


class IncidentStatus(enum.StrEnum):
    OPEN = "open"  # alarm not yet resolved
    AWAITING_DEBRIEF = "awaiting_debrief"  # resolved; no debrief recorded
    AWAITING_FOLLOW_UP = "awaiting_follow_up"  # resolved; debrief or follow-up still missing
    CLOSED = "closed"  # resolved, debriefed, follow-up recorded


@dataclass(frozen=True)
class IncidentFilter:
    office_id: int | None = None
    date_from: date | None = None  # raised on or after (UTC date)
    date_to: date | None = None  # raised on or before (UTC date)
    outcome: AlarmOutcome | None = None
    status: IncidentStatus | None = None


@dataclass(frozen=True)
class IncidentRow:
    alarm_id: int
    office: str
    room: str
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    escalated: bool
    resolved_at: datetime | None
    resolved_by: str | None
    outcome: AlarmOutcome | None
    notes: str | None
    visitor: str | None
    responders: tuple[str, ...]
    debriefed_at: datetime | None
    debriefed_by: str | None
    follow_up_notes: str | None
    status: IncidentStatus


class IncidentError(Exception):
    """A refused incident action (unknown incident, still open, empty notes, not a manager)."""


class IncidentService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def list(self, filters: IncidentFilter | None = None) -> list[IncidentRow]:
        """Incidents newest first, filtered."""
        raise NotImplementedError

    def record_debrief(self, alarm_id: int, actor: Actor, notes: str) -> None:
        """Seed 004: the manager has debriefed the member of staff (audited)."""
        raise NotImplementedError

    def record_follow_up(self, alarm_id: int, actor: Actor, notes: str) -> None:
        """Seed 004: the follow-up action taken (letter, customer handling arrangement...)."""
        raise NotImplementedError

    def export_csv(self, out: TextIO, filters: IncidentFilter | None = None) -> int:
        """Write the filtered incidents as CSV (UTF-8, header row); return the row count."""
        raise NotImplementedError
