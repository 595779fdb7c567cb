"""What every member of staff may be told about a person's active markers: instructions, never reasons.

Reception's warning, the responder's alert and the host officer's notice all read markers through
here, so a restricted reason cannot leak through one of them by accident.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.models import Marker, MarkerCategory, MarkerStatus

ROLE_TITLES = {
    "asb_manager": "the ASB Manager",
    "complex_needs_manager": "the Complex Needs Manager",
    "head_of_service": "the Head of Service",
    "service_manager": "the Service Manager",
    "area_housing_manager": "the Area Housing Manager",
    "housing_services_manager": "the Housing Services Manager",
    "head_of_housing_management": "the Head of Housing Management",
    "personnel_manager": "the Personnel Manager",
}


@dataclass(frozen=True)
class MarkerWarning:
    marker_id: int
    person_id: int
    category: MarkerCategory
    instructions: tuple[str, ...]  # what staff must do; for restricted markers, "contact <role>"
    restricted: bool
    review_due: date
    overdue_review: bool  # still active and still shown: paperwork never hides a warning


def visible_instructions(marker: Marker) -> tuple[str, ...]:
    """What any member of staff is told about a marker; the restricted register uses it too."""
    instructions = list(marker.instructions or [])
    if marker.instructions_note:
        instructions.append(marker.instructions_note)
    if marker.restricted:
        role = ROLE_TITLES.get(marker.contact_role or "", "the ASB Manager")
        contact = f"Contact {role} before visiting or meeting"
        if not any(i.lower().startswith("contact") for i in instructions):
            instructions.insert(0, contact)
    return tuple(instructions)


def warnings_for_people(
    session: Session, person_ids: Iterable[int], today: date
) -> dict[int, list[MarkerWarning]]:
    ids = list(set(person_ids))
    result: dict[int, list[MarkerWarning]] = defaultdict(list)
    if not ids:
        return result
    for start in range(0, len(ids), 500):
        query = (
            select(Marker)
            .where(
                Marker.person_id.in_(ids[start : start + 500]), Marker.status == MarkerStatus.ACTIVE
            )
            .order_by(Marker.placed_at)
        )
        for marker in session.scalars(query):
            result[marker.person_id].append(
                MarkerWarning(
                    marker_id=marker.id,
                    person_id=marker.person_id,
                    category=marker.category,
                    instructions=visible_instructions(marker),
                    restricted=marker.restricted,
                    review_due=marker.review_due,
                    overdue_review=marker.review_due < today,
                )
            )
    return result


def flagged_person_ids(session: Session) -> set[int]:
    """Everyone with an active marker (for the search index's flag)."""
    return set(
        session.scalars(
            select(Marker.person_id).where(Marker.status == MarkerStatus.ACTIVE).distinct()
        )
    )
