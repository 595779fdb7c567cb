"""Visit warnings: matching the visitor against the records again, acknowledging, dismissing.

- Every save of a visit matches the visitor against the records again (the booked record's
  close matches, or a walk-in's name, date of birth and postcode), and asks the database for
  active markers on every close candidate. A marker found later still warns, and a flag found
  while the visitor is in the building tells the host again.
- A flagged close match that is not the visitor may be dismissed only with a reason; the
  dismissal and every acknowledgement go to the audit log.
- A flagged person who came to the desk is on the record whatever happened next: stopping
  after the warning is audited (``record_stopped_after_warning``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from safedesk.models import Office, Visit, VisitWarning
from safedesk.services.markers.warnings import MarkerWarning, warnings_for_people
from safedesk.services.reception.day_list import todays_visits
from safedesk.services.reception.person_search import PersonSearch, visitor_query
from safedesk.services.reception.visit_view import (
    VisitError,
    VisitView,
    WarningView,
    get_visit,
    staff_names,
    view_of,
)
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor

MIN_DISMISS_REASON = 10
"""Characters: "not him" is not a reason; "DOB 12/04/1990, lives in Leeds" is."""


class WarningsPending(VisitError):
    """The visitor has flagged-file warnings nobody has acknowledged yet."""

    def __init__(self, warnings: list[WarningView]) -> None:
        names = ", ".join(w.person_name for w in warnings)
        super().__init__(f"Acknowledge the flagged-file warning first ({names}).")
        self.warnings = warnings


def _candidate_ids(visit: Visit, search: PersonSearch, typed_query: str) -> set[int]:
    queries: list[str] = []
    if visit.person is not None:
        p = visit.person
        queries.append(visitor_query(p.full_name, p.date_of_birth, p.postcode))
    elif visit.walk_in_name:
        queries.append(
            visitor_query(visit.walk_in_name, visit.walk_in_date_of_birth, visit.walk_in_postcode)
        )
    if typed_query.strip():
        queries.append(typed_query.rstrip() + " ")
    found: set[int] = set()
    for query in queries:
        found.update(m.record.person_id for m in search.close_candidates(query))
    return found


def recheck_warnings(
    session: Session, visit: Visit, search: PersonSearch, now: datetime, typed_query: str = ""
) -> list[VisitWarning]:
    """Match the visitor again and bring the visit's warnings up to date; return those pending.

    Markers are read from the database for every close candidate, so the answer never waits
    for the search index to notice a new marker.
    """
    candidates = _candidate_ids(visit, search, typed_query)
    if visit.person_id is not None:
        candidates.add(visit.person_id)
    found: dict[int, list[MarkerWarning]] = (
        warnings_for_people(session, candidates, now.date()) if candidates else {}
    )
    rows = {w.person_id: w for w in visit.warnings}
    raised = False
    for person_id, marker_warnings in found.items():
        marker_ids = sorted(w.marker_id for w in marker_warnings)
        instructions: dict[str, None] = {}
        for warning in marker_warnings:
            for text in warning.instructions:
                instructions.setdefault(text, None)
        row = rows.get(person_id)
        if row is None:
            row = VisitWarning(
                person_id=person_id,
                booked_person=person_id == visit.person_id,
                marker_ids=marker_ids,
                instructions=list(instructions),
                raised_at=now,
            )
            visit.warnings.append(row)
            raised = True
            continue
        row.booked_person = person_id == visit.person_id
        if set(marker_ids) - set(row.marker_ids):
            # A new marker: whatever was acknowledged before did not cover it.
            row.acknowledged_at = None
            row.acknowledged_by_id = None
            row.raised_at = now
            raised = True
            if row.booked_person:
                row.dismissed_at = row.dismissed_by_id = row.dismissed_reason = None
        row.marker_ids = marker_ids
        row.instructions = list(instructions)
    for person_id, row in rows.items():
        if person_id not in found and row.marker_ids:
            row.marker_ids = []  # markers removed since: the warning no longer stands
            row.instructions = []
    in_building = visit.arrived_at is not None and visit.left_at is None
    if raised and in_building and visit.host_officer_id is not None:
        # Found while the visitor is in the building: the host is told again, with the flag.
        visit.host_notified_at = now
        visit.host_seen_at = None
    session.flush()
    return [
        w
        for w in visit.warnings
        if w.marker_ids and w.acknowledged_at is None and w.dismissed_at is None
    ]


def check_visit(session: Session, visit_id: int, search: PersonSearch, now: datetime) -> VisitView:
    """Re-match one visit (as on every save) and return it with its current warnings."""
    visit = get_visit(session, visit_id)
    recheck_warnings(session, visit, search, now)
    return view_of(session, visit, staff_names(session))


def recheck_open_visits(
    session: Session, office_id: int, search: PersonSearch, now: datetime
) -> list[VisitView]:
    """Re-match today's visits still to come or in the building.

    Returns the visits reception must be warned about now: a warning raised by this check (a
    marker found later), or a visitor already in the building with a warning not yet
    acknowledged. Expected visitors' warnings are shown in the list and enforced on arrival.
    """
    flagged: list[VisitView] = []
    names = staff_names(session)
    for view in todays_visits(session, office_id, now):
        if view.left_at is not None:
            continue
        visit = get_visit(session, view.id)
        pending = recheck_warnings(session, visit, search, now)
        raised_now = any(w.raised_at == now for w in pending)
        if raised_now or (pending and visit.arrived_at is not None):
            flagged.append(view_of(session, visit, names))
    return flagged


def acknowledge_warnings(
    session: Session, actor: Actor, now: datetime, visit_id: int, warning_ids: Collection[int]
) -> None:
    """The receptionist read the warning: recorded per flagged record and audited."""
    visit = get_visit(session, visit_id)
    acknowledged = []
    for row in visit.warnings:
        if row.id in warning_ids and row.acknowledged_at is None and row.dismissed_at is None:
            row.acknowledged_at = now
            row.acknowledged_by_id = actor.staff_id
            acknowledged.append(row)
            audit.record(
                session,
                actor,
                "visit_warning_acknowledged",
                at=now,
                subject_type="visit",
                subject_id=visit.id,
                person_id=row.person_id,
                booked_person=row.booked_person,
                marker_ids=list(row.marker_ids),
                instructions=list(row.instructions),
            )
    if acknowledged and not any(
        w.marker_ids and w.acknowledged_at is None and w.dismissed_at is None
        for w in visit.warnings
    ):
        visit.warning_acknowledged_at = now
        visit.warning_acknowledged_by_id = actor.staff_id
    session.flush()


def dismiss_candidate(
    session: Session, actor: Actor, now: datetime, warning_id: int, reason: str
) -> None:
    """A flagged close match is not this visitor: only with a reason, and audited."""
    row = session.get(VisitWarning, warning_id)
    if row is None:
        raise VisitError(f"no warning with id {warning_id}")
    text = reason.strip()
    if len(text) < MIN_DISMISS_REASON:
        raise VisitError(
            "Say why this is not the visitor (for example their date of birth or address differs)."
        )
    if row.booked_person:
        raise VisitError(
            "This is the record the visitor is booked as. If it is the wrong person, "
            "book the visitor again under the right record."
        )
    row.dismissed_at = now
    row.dismissed_by_id = actor.staff_id
    row.dismissed_reason = text
    audit.record(
        session,
        actor,
        "visit_candidate_dismissed",
        at=now,
        subject_type="visit",
        subject_id=row.visit_id,
        person_id=row.person_id,
        marker_ids=list(row.marker_ids),
        reason=text,
    )
    session.flush()


@dataclass(frozen=True)
class WarnedPerson:
    """A flagged record the receptionist was warned about, as the warning showed it."""

    person_id: int
    name: str
    marker_ids: tuple[int, ...]
    booked_person: bool


def record_stopped_after_warning(
    session: Session,
    actor: Actor,
    now: datetime,
    *,
    office_id: int,
    warned: Collection[WarnedPerson],
    visit_id: int | None = None,
    typed_query: str = "",
    stage: str = "stopped at the warning",
) -> None:
    """The booking stopped after a flag warning: the flagged person came to the desk anyway.

    Seed 004 asks for every incident and near miss to be recorded; a flagged person turned
    away, or a booking abandoned after the warning, is one the office must be able to find.
    """
    if not warned:
        return
    office = session.get(Office, office_id)
    audit.record(
        session,
        actor,
        "visit_stopped_after_warning",
        at=now,
        subject_type="visit" if visit_id is not None else "office",
        subject_id=visit_id if visit_id is not None else office_id,
        office_id=office_id,
        office=office.name if office else None,
        stage=stage,
        typed_query=typed_query.strip(),
        people=[
            {
                "person_id": w.person_id,
                "name": w.name,
                "marker_ids": list(w.marker_ids),
                "booked_person": w.booked_person,
            }
            for w in warned
        ],
    )
    session.flush()
