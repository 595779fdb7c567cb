"""The diary's history per officer and per address, and its CSV export; every look is audited.

Where an officer has been, when and with whom is personal: a view of another officer's diary
(by officer, by address, or the whole office) and every export is written to the audit log.
Cells are made formula-safe by the incidents export's own rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safedesk.models import Office, Staff
from safedesk.models.movements import Movement, OverdueAlert
from safedesk.services.movements.address_match import AddressLevel, compare_address, parse_address
from safedesk.services.movements.entries import PREVISIT_QUESTIONS, back_how
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.csv_export import SafeCsvWriter, formula_safe
from safedesk.services.shared.office_time import local_midnight_utc


@dataclass(frozen=True)
class HistoryFilter:
    office_id: int | None = None
    officer_id: int | None = None  # as the officer or the second officer
    address: str = ""  # the same home or building, matched as the marker check matches
    date_from: date | None = None  # left on or after (office's local date)
    date_to: date | None = None
    time_zone: str = "Europe/London"


@dataclass(frozen=True)
class HistoryRow:
    movement_id: int
    office: str
    officer: str
    second_officer: str | None
    address: str
    postcode: str | None
    seeing: str
    leaving_at: datetime
    expected_back_at: datetime
    first_expected_back_at: datetime
    returned_at: datetime | None
    back_how: str | None
    cancelled: bool
    overdue_events: int
    markers_shown: int
    pairs_required: bool
    lone_visit_override: str | None
    amber: bool
    transport: str | None
    answers: dict[str, str]
    notes: str | None
    logged_by: str | None


CSV_COLUMNS = (
    "entry",
    "office",
    "officer",
    "second_officer",
    "address",
    "postcode",
    "seeing",
    "leaving_at",
    "expected_back_at",
    "first_expected_back_at",
    "returned_at",
    "back_how",
    "cancelled",
    "overdue_events",
    "markers_shown",
    "pairs_required",
    "lone_visit_override",
    "amber",
    "transport",
    *(key for key, _ in PREVISIT_QUESTIONS),
    "notes",
    "logged_by",
)


def _query(session: Session, filters: HistoryFilter) -> list[Movement]:
    query = select(Movement)
    if filters.office_id is not None:
        query = query.where(Movement.office_id == filters.office_id)
    if filters.officer_id is not None:
        query = query.where(
            (Movement.officer_id == filters.officer_id)
            | (Movement.second_officer_id == filters.officer_id)
        )
    if filters.date_from is not None:
        query = query.where(
            Movement.leaving_at >= local_midnight_utc(filters.date_from, filters.time_zone)
        )
    if filters.date_to is not None:
        end = local_midnight_utc(filters.date_to + timedelta(days=1), filters.time_zone)
        query = query.where(Movement.leaving_at < end)
    wanted = parse_address(filters.address) if filters.address.strip() else None
    if wanted is not None and len(wanted.street_key) >= 3:
        query = query.where(func.lower(Movement.address).like(f"%{wanted.street_key[:4]}%"))
    entries = list(session.scalars(query.order_by(Movement.leaving_at.desc(), Movement.id.desc())))
    if wanted is None:
        return entries
    return [
        m
        for m in entries
        if compare_address(wanted, m.address, m.postcode).level >= AddressLevel.SAME_BUILDING
    ]


def history(
    session: Session, actor: Actor, filters: HistoryFilter, *, now: datetime
) -> list[HistoryRow]:
    """Entries newest first; audited unless an officer is reading only their own."""
    entries = _query(session, filters)
    own_only = filters.officer_id is not None and filters.officer_id == actor.staff_id
    if not own_only:
        audit.record(
            session,
            actor,
            "movements.diary_viewed",
            at=now,
            subject_type="staff" if filters.officer_id is not None else "office",
            subject_id=filters.officer_id if filters.officer_id is not None else filters.office_id,
            address=filters.address.strip() or None,
            date_from=filters.date_from.isoformat() if filters.date_from else None,
            date_to=filters.date_to.isoformat() if filters.date_to else None,
            entries=len(entries),
        )
    return [_row(session, m) for m in entries]


def _row(session: Session, m: Movement) -> HistoryRow:
    def name(staff_id: int | None) -> str | None:
        staff = session.get(Staff, staff_id) if staff_id is not None else None
        return staff.name if staff is not None else None

    office = session.get(Office, m.office_id)
    overdue = session.scalar(
        select(func.count()).select_from(OverdueAlert).where(OverdueAlert.movement_id == m.id)
    )
    override = None
    if m.pairs_override_by_id is not None:
        override = f"{name(m.pairs_override_by_id)}: {m.pairs_override_reason}"
    return HistoryRow(
        movement_id=m.id,
        office=office.name if office is not None else "",
        officer=name(m.officer_id) or "?",
        second_officer=name(m.second_officer_id),
        address=m.address,
        postcode=m.postcode,
        seeing=m.person_name or "",
        leaving_at=m.leaving_at,
        expected_back_at=m.expected_back_at,
        first_expected_back_at=m.original_expected_back_at,
        returned_at=m.returned_at,
        back_how=back_how(m, name(m.checked_in_by_id)),
        cancelled=m.cancelled_at is not None,
        overdue_events=int(overdue or 0),
        markers_shown=len(m.marker_ids or []),
        pairs_required=m.pairs_required,
        lone_visit_override=override,
        amber=m.amber,
        transport=m.transport,
        answers={k: str(v) for k, v in (m.checklist or {}).items()},
        notes=m.notes,
        logged_by=name(m.logged_by_id),
    )


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


def export_csv(
    session: Session, actor: Actor, out: TextIO, filters: HistoryFilter, *, now: datetime
) -> int:
    """Write the filtered history as CSV (ISO times in UTC); return how many entries."""
    rows = [_row(session, m) for m in _query(session, filters)]
    audit.record(
        session,
        actor,
        "movements.exported",
        at=now,
        subject_type="office",
        subject_id=filters.office_id,
        officer_id=filters.officer_id,
        address=filters.address.strip() or None,
        entries=len(rows),
    )
    writer = SafeCsvWriter(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.movement_id,
                formula_safe(r.office),
                formula_safe(r.officer),
                formula_safe(r.second_officer),
                formula_safe(r.address),
                formula_safe(r.postcode),
                formula_safe(r.seeing),
                _iso(r.leaving_at),
                _iso(r.expected_back_at),
                _iso(r.first_expected_back_at),
                _iso(r.returned_at),
                formula_safe(r.back_how),
                "yes" if r.cancelled else "no",
                r.overdue_events,
                r.markers_shown,
                "yes" if r.pairs_required else "no",
                formula_safe(r.lone_visit_override),
                "yes" if r.amber else "no",
                formula_safe(r.transport),
                *(formula_safe(r.answers.get(key)) for key, _ in PREVISIT_QUESTIONS),
                formula_safe(r.notes),
                formula_safe(r.logged_by),
            ]
        )
    return len(rows)
