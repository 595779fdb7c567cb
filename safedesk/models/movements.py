"""The staff movements diary (seed 000: "an office movements diary should be kept") and its alerts.

A ``Movement`` is one officer out of the office on a visit: where, who they are seeing, when they
left, when they expect to be back and how to reach them. It is open until they report back (or
the entry is cancelled). An ``OverdueAlert`` is raised when an open entry passes its deadline
without a check-in; it is handled like a panic alarm and recorded like an incident.

Staff home addresses are never asked for or stored (seed 000 section 5): the only address here
is the one being visited.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safedesk.models.base import Base, JSONType, enum_column


class CheckInMethod(enum.StrEnum):
    """How an officer reported back (seed 000: "report back to the office, perhaps by phone")."""

    SIGNED_IN = "signed_in"  # signed in on an office PC
    OWN_PC = "own_pc"  # pressed "I'm back" on their own PC
    PHONED = "phoned"  # reception (or a colleague) took the call: "phoned in: safe"
    COMMAND = "command"  # `safedesk back`


class OverdueReason(enum.StrEnum):
    DUE = "due"  # expected return plus the grace period passed
    AMBER = "amber"  # "I'm going in" and no "I'm out" within the amber timer
    END_OF_DAY = "end_of_day"  # still out when the office closed


class OverdueOutcome(enum.StrEnum):
    PHONED_SAFE = "phoned_safe"  # reached by phone: safe
    RETURNED = "returned"  # reported back themselves (signed in, "I'm back"): safe
    EXTENDED = "extended"  # reached: staying longer, new expected return
    POLICE_CALLED = "police_called"  # could not be reached: police called


class Movement(Base):
    __tablename__ = "movements"
    __table_args__ = (
        Index("ix_movements_office_open", "office_id", "returned_at", "cancelled_at"),
        Index("ix_movements_leaving_at", "leaving_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    second_officer_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    logged_at: Mapped[datetime]
    address: Mapped[str] = mapped_column(String(400))
    postcode: Mapped[str | None] = mapped_column(String(10))
    # Picked from the records, or free text; the name is kept as recorded then.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    person_name: Mapped[str | None] = mapped_column(String(240))
    leaving_at: Mapped[datetime]
    expected_back_at: Mapped[datetime]
    original_expected_back_at: Mapped[datetime]
    phone: Mapped[str] = mapped_column(String(40))
    transport: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    # Seed 001's questions before any visit: answers kept with the entry.
    checklist: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # Markers shown before leaving and when they were acknowledged.
    marker_ids: Mapped[list[int]] = mapped_column(JSONType)
    markers_acknowledged_at: Mapped[datetime | None]
    # Two-person rule: a "visits in pairs" marker applied; a lone visit needs a manager's override.
    pairs_required: Mapped[bool] = mapped_column(default=False)
    pairs_override_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    pairs_override_reason: Mapped[str | None] = mapped_column(Text)
    # Amber: "I'm going in" on arrival, "I'm out" on leaving the address, with a shorter timer.
    amber: Mapped[bool] = mapped_column(default=False)
    going_in_at: Mapped[datetime | None]
    came_out_at: Mapped[datetime | None]
    # Reporting back.
    returned_at: Mapped[datetime | None]
    check_in_method: Mapped[CheckInMethod | None] = mapped_column(
        enum_column(CheckInMethod, "check_in_method")
    )
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    check_in_workstation: Mapped[str | None] = mapped_column(String(120))
    check_in_note: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None]


class OverdueAlert(Base):
    """An officer not back in time: an alert like a panic alarm, then an incident record."""

    __tablename__ = "overdue_alerts"
    __table_args__ = (
        Index("ix_overdue_alerts_open", "office_id", "resolved_at"),
        Index("ix_overdue_alerts_raised_at", "raised_at"),
        # Every PC checks for overdue entries: one deadline raises one alert, whoever is first.
        UniqueConstraint("movement_id", "reason", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    movement_id: Mapped[int] = mapped_column(ForeignKey("movements.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    reason: Mapped[OverdueReason] = mapped_column(enum_column(OverdueReason, "overdue_reason"))
    due_at: Mapped[datetime]  # the deadline that passed
    raised_at: Mapped[datetime]
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    taken_at: Mapped[datetime | None]
    escalated_managers_at: Mapped[datetime | None]
    escalated_all_at: Mapped[datetime | None]
    police_called_at: Mapped[datetime | None]
    police_called_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    outcome: Mapped[OverdueOutcome | None] = mapped_column(
        enum_column(OverdueOutcome, "overdue_outcome")
    )
    notes: Mapped[str | None] = mapped_column(Text)
    # Seed 004: the manager's debrief and follow-up, as for an incident.
    debriefed_at: Mapped[datetime | None]
    debriefed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    follow_up_notes: Mapped[str | None] = mapped_column(Text)
