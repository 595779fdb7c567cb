"""Placing markers from CSV (the housing system's export) under the placing rules of
``safedesk.services.markers`` (seed 002).

The first review is after today and at most six months ahead; one active marker per person and
category (a second one is refused, a repeat of the same one is unchanged, so importing the same
file again changes nothing); categories by code or by their title as shown on screen. The
person must be imported first: a marker names them by tenancy reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.db import Database
from safedesk.matching.normalise import fold
from safedesk.models import Marker, MarkerCategory, MarkerStatus, Person, Role
from safedesk.services.imports.csv_rows import BadRow, parse_date, read_rows
from safedesk.services.imports.report import ImportReport, RowProblem
from safedesk.services.markers.placing import active_marker, review_due_problem
from safedesk.services.markers.review_dates import review_due_from
from safedesk.services.markers.roles import CATEGORY_TITLES, category_from_text
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor

MARKER_COLUMNS = ("tenancy_ref", "category", "instructions", "review_due")
MARKER_REQUIRED = ("tenancy_ref", "category", "instructions")

# Words an export may use for a category, folded to the enum value.
_CATEGORY_WORDS = {
    "offender": MarkerCategory.OFFENDER,
    "rpo": MarkerCategory.OFFENDER,
    "criminal_offender": MarkerCategory.OFFENDER,
    "partner_information": MarkerCategory.PARTNER_INFORMATION,
    "partner": MarkerCategory.PARTNER_INFORMATION,
    "mental_health_behaviour": MarkerCategory.MENTAL_HEALTH_BEHAVIOUR,
    "mental_health": MarkerCategory.MENTAL_HEALTH_BEHAVIOUR,
    "complaints_against_staff": MarkerCategory.COMPLAINTS_AGAINST_STAFF,
    "complaints": MarkerCategory.COMPLAINTS_AGAINST_STAFF,
    "near_miss": MarkerCategory.NEAR_MISS,
    "violence_aggression": MarkerCategory.VIOLENCE_AGGRESSION,
    "violence": MarkerCategory.VIOLENCE_AGGRESSION,
}


def parse_category(text: str) -> MarkerCategory:
    """A code ("violence_aggression"), a title as on screen ("Violence and aggression
    incident"), or a word an export uses ("violence", "rpo")."""
    found = category_from_text(text)
    if found is None:
        found = _CATEGORY_WORDS.get(re.sub(r"[^a-z]+", "_", fold(text).strip()).strip("_"))
    if found is None:
        known = "; ".join(f"{c.value} ({CATEGORY_TITLES[c]})" for c in MarkerCategory)
        raise BadRow(f"category {text!r} is not one of: {known}")
    return found


@dataclass(frozen=True)
class _MarkerRow:
    line: int
    tenancy_ref: str
    category: MarkerCategory
    instructions: tuple[str, ...]
    review_due: date | None  # None: not given, seed 002's six months from placing


def _marker_row(line: int, raw: dict[str, str]) -> _MarkerRow:
    if "__error__" in raw:
        raise BadRow(raw["__error__"])
    ref = re.sub(r"\s+", "", raw.get("tenancy_ref", "")).upper()
    if not ref:
        raise BadRow("tenancy_ref is empty")
    category = parse_category(raw.get("category", ""))
    instructions = tuple(
        dict.fromkeys(i.strip() for i in raw.get("instructions", "").split(";") if i.strip())
    )
    if not instructions:
        raise BadRow("instructions is empty: say what staff must do")
    review_due = parse_date(raw["review_due"], "review_due") if raw.get("review_due") else None
    return _MarkerRow(line, ref, category, instructions, review_due)


def import_markers(
    db: Database,
    path: Path,
    actor: Actor,
    now: datetime,
    *,
    review_months: int = 6,
) -> ImportReport:
    """Place markers from a CSV file (tenancy_ref, category, instructions, review_due).

    Instructions are separated by ';'. An empty review_due means the seed-002 six months.
    Imported markers record that informing the tenant is still to be confirmed: the export
    does not say, and the first review must decide it.
    """
    report = ImportReport()
    with db.session() as session:
        for line, raw in read_rows(path, MARKER_COLUMNS, MARKER_REQUIRED):
            try:
                row = _marker_row(line, raw)
                person = session.scalar(select(Person).where(Person.tenancy_ref == row.tenancy_ref))
                if person is None:
                    raise BadRow(
                        f"no person with tenancy_ref {row.tenancy_ref} (import the people first)"
                    )
                existing = active_marker(session, person.id, row.category)
                if existing is not None:
                    _check_same_marker(existing, row)
                    report.unchanged += 1
                    continue
                if row.review_due is not None:
                    problem = review_due_problem(
                        row.review_due, placed_at=now, months=review_months
                    )
                    if problem:
                        raise BadRow(f"review_due {row.review_due:%d/%m/%Y}: {problem}")
            except BadRow as exc:
                report.problems.append(RowProblem(line, str(exc)))
                continue
            _add_marker(session, actor, now, person, row, review_months, path)
            report.added += 1
        audit.record(
            session,
            actor,
            "markers_imported",
            at=now,
            file=str(path),
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=len(report.problems),
        )
    return report


def _check_same_marker(existing: Marker, row: _MarkerRow) -> None:
    """A row for a person and category that already has an active marker: the same marker
    again is unchanged; anything else would be a second marker, and is refused."""
    same_instructions = set(existing.instructions) == set(row.instructions)
    same_review = row.review_due is None or row.review_due == existing.review_due
    if same_instructions and same_review:
        return
    differs = "instructions" if not same_instructions else "review date"
    raise BadRow(
        f"{row.tenancy_ref} already has an active {CATEGORY_TITLES[row.category]} marker "
        f"(review due {existing.review_due:%d/%m/%Y}) and the file gives other {differs}: "
        "not added; change a marker at its review"
    )


def _add_marker(
    session: Session,
    actor: Actor,
    now: datetime,
    person: Person,
    row: _MarkerRow,
    review_months: int,
    path: Path,
) -> None:
    restricted = row.category is MarkerCategory.OFFENDER  # seed 002 5.1: restricted register
    marker = Marker(
        person_id=person.id,
        category=row.category,
        instructions=list(row.instructions),
        restricted=restricted,
        contact_role=Role.ASB_MANAGER.value if restricted else None,
        placed_by_id=actor.staff_id,
        placed_at=now,
        review_due=row.review_due or review_due_from(now, review_months),
        tenant_informed=False,
        not_informed_reason=(
            f"Imported from {path.name}: whether the tenant was told is not in the export; "
            "confirm at the first review."
        ),
        status=MarkerStatus.ACTIVE,
    )
    session.add(marker)
    session.flush()
    audit.record(
        session,
        actor,
        "marker_imported",
        at=now,
        subject_type="marker",
        subject_id=marker.id,
        person_id=person.id,
        tenancy_ref=row.tenancy_ref,
        category=row.category.value,
        instructions=list(row.instructions),
        review_due=marker.review_due.isoformat(),
        file=str(path),
        line=row.line,
    )
