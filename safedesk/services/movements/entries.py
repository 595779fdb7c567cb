"""Logging a visit in the diary, and the office's board of who is out, where, and due back when.

Seed 000's diary: which officer is going, where, when, who they are going to see and when they
are likely to be back; seed 001's "who, what, where, when, why" questions before any visit.
Nothing is saved until every field is right, the marker check has been acknowledged, and the
two-person rule is met. The officer's own home address is never asked for.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from safedesk.matching.normalise import canonical_postcode
from safedesk.models import Person, Staff
from safedesk.models.movements import CheckInMethod, Movement, OverdueAlert
from safedesk.services.movements.marker_check import MarkerCheck
from safedesk.services.movements.overdue_rules import (
    EntryTimes,
    OfficeHours,
    Timers,
    next_deadline,
)
from safedesk.services.movements.pairs_rule import check_pairs, record_override
from safedesk.services.reception.room_choice import ManagerOverride
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import FieldProblem, require

# Seed 001: the questions to ask before any visit, kept with the entry.
PREVISIT_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("previous_violence", "Previous violence or aggression known?"),
    ("health_risk", "Health or infection risk?"),
    ("household", "Who else lives there?"),
    ("environment", "The environment: HMO, dogs, weapons seen before?"),
    ("reason", "Why is the visit needed?"),
)
MAX_VISIT = timedelta(hours=14)
_DIGITS = re.compile(r"\d")


class MarkersNotAcknowledged(Exception):
    """The marker check found markers the officer has not acknowledged (new, or never shown)."""

    def __init__(self, check: MarkerCheck) -> None:
        self.check = check
        super().__init__("Read and acknowledge the markers at this address before leaving.")


@dataclass(frozen=True)
class VisitForm:
    """What the officer (or reception on their behalf) records before leaving."""

    office_id: int
    officer_id: int | None
    address: str
    expected_back_at: datetime | None
    phone: str
    postcode: str = ""
    person_id: int | None = None
    person_name: str = ""
    leaving_at: datetime | None = None  # None: now
    transport: str = ""
    second_officer_id: int | None = None
    notes: str = ""
    amber: bool = False
    answers: dict[str, str] = field(default_factory=dict)
    acknowledged_marker_ids: tuple[int, ...] = ()
    pairs_override: ManagerOverride | None = None


def validate(session: Session, form: VisitForm, now: datetime) -> list[FieldProblem]:
    """Every problem with the form, in form order; empty when it can be saved."""
    problems: list[FieldProblem] = []

    def add(name: str, message: str) -> None:
        problems.append(FieldProblem(name, message))

    officer = session.get(Staff, form.officer_id) if form.officer_id is not None else None
    if officer is None or not officer.active:
        add("officer", "choose the officer who is going")
    elif _open_entry(session, officer.id) is not None:
        add("officer", f"{officer.name} is already out: report back from that visit first")
    if form.second_officer_id is not None:
        second = session.get(Staff, form.second_officer_id)
        if second is None or not second.active:
            add("second_officer", "choose the second officer from the list")
        elif form.second_officer_id == form.officer_id:
            add("second_officer", "the second officer must be someone else")
    if len(form.address.strip()) < 5 or not re.search(r"[A-Za-z]", form.address):
        add("address", "give the address being visited (house number, street)")
    if form.postcode.strip() and canonical_postcode(form.postcode) is None:
        add("postcode", f"{form.postcode.strip()!r} is not a full postcode (e.g. DE1 2AB)")
    if form.person_id is None and not form.person_name.strip():
        add("person", "say who you are going to see (pick the record, or type the name)")
    if form.person_id is not None and session.get(Person, form.person_id) is None:
        add("person", f"no person with id {form.person_id}")
    leaving = form.leaving_at or now
    if form.expected_back_at is None:
        add("expected_back", "say when you expect to be back")
    elif form.expected_back_at <= max(leaving, now):
        add("expected_back", "the expected return must be later than now and than leaving")
    elif form.expected_back_at - leaving > MAX_VISIT:
        add("expected_back", "a visit longer than 14 hours: check the date and time")
    if len(_DIGITS.findall(form.phone)) < 6:
        add("phone", "give a phone number the office can reach you on (your work mobile)")
    for key, question in PREVISIT_QUESTIONS:
        if not form.answers.get(key, "").strip():
            add(f"answers.{key}", f"answer: {question} ('none known' is an answer)")
    return problems


def _open_entry(session: Session, officer_id: int) -> Movement | None:
    return session.scalar(
        select(Movement)
        .where(
            Movement.officer_id == officer_id,
            Movement.returned_at.is_(None),
            Movement.cancelled_at.is_(None),
        )
        .order_by(Movement.id.desc())
        .limit(1)
    )


def open_entry_for(session: Session, staff_id: int) -> Movement | None:
    """The entry a member of staff is out on, as the officer or the second officer."""
    return session.scalar(
        select(Movement)
        .where(
            or_(Movement.officer_id == staff_id, Movement.second_officer_id == staff_id),
            Movement.returned_at.is_(None),
            Movement.cancelled_at.is_(None),
        )
        .order_by(Movement.id.desc())
        .limit(1)
    )


def log_visit(
    session: Session, actor: Actor, form: VisitForm, check: MarkerCheck, *, now: datetime
) -> Movement:
    """Save the entry (InvalidInput, MarkersNotAcknowledged or PairsRefused otherwise)."""
    require(validate(session, form, now))
    assert form.officer_id is not None and form.expected_back_at is not None
    if not set(check.marker_ids) <= set(form.acknowledged_marker_ids):
        raise MarkersNotAcknowledged(check)
    check_pairs(
        check,
        officer_id=form.officer_id,
        second_officer_id=form.second_officer_id,
        override=form.pairs_override,
    )
    person = session.get(Person, form.person_id) if form.person_id is not None else None
    lone_override = (
        form.pairs_override if check.pairs_required and not form.second_officer_id else None
    )
    movement = Movement(
        office_id=form.office_id,
        officer_id=form.officer_id,
        second_officer_id=form.second_officer_id,
        logged_by_id=actor.staff_id,
        logged_at=now,
        address=form.address.strip(),
        postcode=canonical_postcode(form.postcode) or check.postcode,
        person_id=person.id if person is not None else None,
        person_name=person.full_name if person is not None else form.person_name.strip(),
        leaving_at=form.leaving_at or now,
        expected_back_at=form.expected_back_at,
        original_expected_back_at=form.expected_back_at,
        phone=form.phone.strip(),
        transport=form.transport.strip() or None,
        notes=form.notes.strip() or None,
        checklist={k: form.answers.get(k, "").strip() for k, _ in PREVISIT_QUESTIONS},
        marker_ids=list(check.marker_ids),
        markers_acknowledged_at=now if check.marker_ids else None,
        pairs_required=check.pairs_required,
        pairs_override_by_id=lone_override.staff_id if lone_override else None,
        pairs_override_reason=lone_override.reason if lone_override else None,
        amber=form.amber,
    )
    session.add(movement)
    session.flush()
    audit.record(
        session,
        actor,
        "movement.logged",
        at=now,
        subject_type="movement",
        subject_id=movement.id,
        officer_id=movement.officer_id,
        second_officer_id=movement.second_officer_id,
        expected_back_at=movement.expected_back_at.isoformat(),
        marker_ids=list(check.marker_ids),
        markers_acknowledged=bool(check.marker_ids),
        amber=movement.amber,
    )
    if lone_override is not None:
        record_override(
            session, actor, now=now, movement_id=movement.id, override=lone_override, check=check
        )
    return movement


class BoardState(enum.StrEnum):
    OUT = "out"
    INSIDE = "inside"  # amber: "I'm going in", not yet "I'm out"
    LATE = "late"  # past the expected return, within the grace period
    OVERDUE = "overdue"  # an OVERDUE alert is open
    BACK = "back"


@dataclass(frozen=True)
class BoardRow:
    """One line of the office's movements board."""

    movement_id: int
    officer_id: int
    officer_name: str
    second_officer_id: int | None
    second_officer_name: str | None
    address: str
    seeing: str
    leaving_at: datetime
    expected_back_at: datetime
    overdue_from: datetime  # the first deadline: after this the OVERDUE alert goes up
    phone: str
    transport: str | None
    amber: bool
    going_in_at: datetime | None
    came_out_at: datetime | None
    returned_at: datetime | None
    back_how: str | None  # "signed in at PC-3", "phoned in: safe (taken by Priya Sharma)"
    flagged: bool
    pairs_required: bool
    state: BoardState
    overdue_id: int | None


_METHOD_WORDS = {
    CheckInMethod.SIGNED_IN: "signed in",
    CheckInMethod.OWN_PC: "reported back on their PC",
    CheckInMethod.PHONED: "phoned in: safe",
    CheckInMethod.COMMAND: "reported back",
}


def back_how(movement: Movement, taken_by: str | None) -> str | None:
    if movement.check_in_method is None:
        return None
    words = _METHOD_WORDS[movement.check_in_method]
    if movement.check_in_method is CheckInMethod.SIGNED_IN and movement.check_in_workstation:
        words += f" at {movement.check_in_workstation}"
    if movement.check_in_method is CheckInMethod.PHONED and taken_by:
        words += f" (call taken by {taken_by})"
    return words


def board(
    session: Session, office_id: int, *, now: datetime, hours: OfficeHours, timers: Timers
) -> list[BoardRow]:
    """Who is out now (due back soonest first), then who came back today."""
    start_of_day = datetime.combine(hours.local_date(now), datetime.min.time(), hours.zone)
    entries = session.scalars(
        select(Movement).where(
            Movement.office_id == office_id,
            Movement.cancelled_at.is_(None),
            or_(Movement.returned_at.is_(None), Movement.returned_at >= start_of_day),
        )
    ).all()
    if not entries:
        return []
    ids = [m.id for m in entries]
    staff_ids = {
        i
        for m in entries
        for i in (m.officer_id, m.second_officer_id, m.checked_in_by_id)
        if i is not None
    }
    names = dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids))).all())
    open_alerts = dict(
        session.execute(
            select(OverdueAlert.movement_id, OverdueAlert.id).where(
                and_(OverdueAlert.movement_id.in_(ids), OverdueAlert.resolved_at.is_(None))
            )
        ).all()
    )
    rows = []
    for m in entries:
        times = EntryTimes(m.leaving_at, m.expected_back_at, m.going_in_at, m.came_out_at)
        overdue_id = open_alerts.get(m.id)
        if m.returned_at is not None:
            state = BoardState.BACK
        elif overdue_id is not None:
            state = BoardState.OVERDUE
        elif m.going_in_at is not None and m.came_out_at is None:
            state = BoardState.INSIDE
        elif now >= m.expected_back_at:
            state = BoardState.LATE
        else:
            state = BoardState.OUT
        rows.append(
            BoardRow(
                movement_id=m.id,
                officer_id=m.officer_id,
                officer_name=names.get(m.officer_id, "?"),
                second_officer_id=m.second_officer_id,
                second_officer_name=names.get(m.second_officer_id) if m.second_officer_id else None,
                address=m.address,
                seeing=m.person_name or "",
                leaving_at=m.leaving_at,
                expected_back_at=m.expected_back_at,
                overdue_from=next_deadline(times, hours, timers).at,
                phone=m.phone,
                transport=m.transport,
                amber=m.amber,
                going_in_at=m.going_in_at,
                came_out_at=m.came_out_at,
                returned_at=m.returned_at,
                back_how=back_how(m, names.get(m.checked_in_by_id or -1)),
                flagged=bool(m.marker_ids),
                pairs_required=m.pairs_required,
                state=state,
                overdue_id=overdue_id,
            )
        )
    rows.sort(key=lambda r: (r.state is BoardState.BACK, r.overdue_from, r.officer_name))
    return rows
