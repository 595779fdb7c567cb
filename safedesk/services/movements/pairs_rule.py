"""The two-person rule (seed 000: "If a home visit is necessary then two people should carry it out").

A marker carries a structured "visits in pairs" flag, set when it is placed or reviewed, or by a
manager from the list of existing markers whose instructions already ask for two people. A lone
visit to anyone with such a marker is refused unless a second officer is named, or a manager
signs an override with their own password and a reason; the override is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.models import Marker, MarkerStatus, Person
from safedesk.services.alarms.incidents import MANAGER_ROLES
from safedesk.services.markers.warnings import visible_instructions
from safedesk.services.movements.marker_check import MarkerCheck, mentions_pairs
from safedesk.services.reception.room_choice import (
    ManagerOverride,
    OverrideRefused,
    authorise_override,
)
from safedesk.services.shared import audit
from safedesk.services.shared.acting_staff import acting_staff
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import NotFound, PermissionRefused

MIN_OVERRIDE_REASON = 10


class PairsRefused(Exception):
    """A lone visit to a "visits in pairs" person or address, without a manager's override."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        who = ", ".join(names)
        super().__init__(
            f"A marker for {who} says visits are made in pairs: name a second officer, "
            "or ask a manager to authorise a lone visit with a reason."
        )


def check_pairs(
    check: MarkerCheck,
    *,
    officer_id: int,
    second_officer_id: int | None,
    override: ManagerOverride | None,
) -> None:
    """Raise PairsRefused for a lone visit where a marker requires two people."""
    if not check.pairs_required:
        return
    if second_officer_id is not None and second_officer_id != officer_id:
        return
    if override is not None:
        return
    raise PairsRefused(tuple(p.name for p in check.people if p.visits_in_pairs))


def authorise_lone_visit(
    session: Session, login: str, password: str, reason: str
) -> ManagerOverride:
    """A manager signs the lone visit with their own password and a reason (OverrideRefused)."""
    if len(reason.strip()) < MIN_OVERRIDE_REASON:
        raise OverrideRefused("Give the reason one officer may go alone (a sentence).")
    return authorise_override(session, login, password, reason)


def record_override(
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    movement_id: int,
    override: ManagerOverride,
    check: MarkerCheck,
) -> None:
    audit.record(
        session,
        actor,
        "movement.pairs_override",
        at=now,
        subject_type="movement",
        subject_id=movement_id,
        manager_id=override.staff_id,
        manager=override.login,
        reason=override.reason,
        marker_ids=list(check.marker_ids),
        people=[p.name for p in check.people if p.visits_in_pairs],
    )


@dataclass(frozen=True)
class PairsCandidate:
    """An active marker whose instructions ask for two people, for the manager's list."""

    marker_id: int
    person_id: int
    person_name: str
    address: str | None
    instructions: tuple[str, ...]
    visits_in_pairs: bool


def pairs_candidates(session: Session, *, include_flagged: bool = False) -> list[PairsCandidate]:
    """Markers whose instructions mention pairs or two officers (not yet flagged, by default)."""
    rows = session.execute(
        select(Marker, Person)
        .join(Person, Person.id == Marker.person_id)
        .where(Marker.status == MarkerStatus.ACTIVE)
        .order_by(Person.surname, Person.forenames, Marker.id)
    ).all()
    found = []
    for marker, person in rows:
        if marker.visits_in_pairs and not include_flagged:
            continue
        instructions = visible_instructions(marker)
        if mentions_pairs(instructions) or marker.visits_in_pairs:
            found.append(
                PairsCandidate(
                    marker.id,
                    person.id,
                    person.full_name,
                    person.address,
                    instructions,
                    marker.visits_in_pairs,
                )
            )
    return found


def set_visits_in_pairs(
    session: Session, actor: Actor, marker_id: int, value: bool, *, now: datetime
) -> None:
    """A manager sets or clears the structured flag on an existing marker (audited)."""
    staff = acting_staff(session, actor, "Flagging a marker 'visits in pairs'")
    if not staff.role_set & MANAGER_ROLES:
        raise PermissionRefused("Only a manager can set or clear 'visits in pairs' on a marker.")
    marker = session.get(Marker, marker_id)
    if marker is None or marker.status is not MarkerStatus.ACTIVE:
        raise NotFound(f"no active marker {marker_id}")
    if marker.visits_in_pairs == value:
        return
    marker.visits_in_pairs = value
    audit.record(
        session,
        actor,
        "marker.visits_in_pairs",
        at=now,
        subject_type="marker",
        subject_id=marker_id,
        value=value,
    )
