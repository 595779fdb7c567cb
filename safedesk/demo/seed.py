"""`safedesk demo`: fill a database with the demo office and N people, ~2% of them with markers."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.demo.bulk_insert import insert_rows, next_id, sync_sequence
from safedesk.demo.office import DEMO_PASSWORD, seed_office
from safedesk.demo.people import DemoPerson, generate_people
from safedesk.demo.weekly_test_history import seed_test_history
from safedesk.models import MarkerCategory, Office, Role, Staff
from safedesk.services.markers.instructions import STANDARD_INSTRUCTIONS

MARKER_SHARE = 0.02
PEOPLE_COLUMNS = (
    "id",
    "forenames",
    "surname",
    "date_of_birth",
    "address",
    "postcode",
    "tenancy_ref",
    "source",
    "created_at",
    "updated_at",
)
ALIAS_COLUMNS = ("id", "person_id", "name")
MARKER_COLUMNS = (
    "id", "person_id", "category", "instructions", "instructions_note", "restricted", "contact_role",
    "assessed_by_id", "placed_by_id", "placed_at", "review_due", "tenant_informed",
    "tenant_informed_at", "not_informed_reason", "status",
)  # fmt: skip
RESTRICTED_COLUMNS = ("marker_id", "reason", "detail")
EVIDENCE_COLUMNS = (
    "id",
    "marker_id",
    "occurred_on",
    "what_happened",
    "source",
    "recorded_by_id",
    "recorded_at",
)

# Seed 002 section 3: who assesses each category.
ASSESSOR_ROLE: dict[MarkerCategory, Role] = {
    MarkerCategory.OFFENDER: Role.ASB_MANAGER,
    MarkerCategory.PARTNER_INFORMATION: Role.ASB_MANAGER,
    MarkerCategory.MENTAL_HEALTH_BEHAVIOUR: Role.COMPLEX_NEEDS_MANAGER,
    MarkerCategory.COMPLAINTS_AGAINST_STAFF: Role.HEAD_OF_SERVICE,
    MarkerCategory.NEAR_MISS: Role.SERVICE_MANAGER,
    MarkerCategory.VIOLENCE_AGGRESSION: Role.ASB_MANAGER,
}

_CATEGORY_WEIGHTS: tuple[tuple[MarkerCategory, int], ...] = (
    (MarkerCategory.VIOLENCE_AGGRESSION, 35),
    (MarkerCategory.OFFENDER, 15),
    (MarkerCategory.PARTNER_INFORMATION, 12),
    (MarkerCategory.MENTAL_HEALTH_BEHAVIOUR, 15),
    (MarkerCategory.COMPLAINTS_AGAINST_STAFF, 10),
    (MarkerCategory.NEAR_MISS, 13),
)

_EVIDENCE: dict[MarkerCategory, tuple[str, str]] = {
    MarkerCategory.VIOLENCE_AGGRESSION: (
        "Shouted and threatened the officer across the desk; panic alarm used in the interview room.",
        "Incident report",
    ),
    MarkerCategory.OFFENDER: (
        "Notified under the prolific offender protocol.",
        "Police partnership notification",
    ),
    MarkerCategory.PARTNER_INFORMATION: (
        "Partner agency reported threats made to their staff at a home visit.",
        "E-CINS partner information",
    ),
    MarkerCategory.MENTAL_HEALTH_BEHAVIOUR: (
        "Unpredictable behaviour at two home visits; support worker advises office appointments.",
        "Complex Needs assessment",
    ),
    MarkerCategory.COMPLAINTS_AGAINST_STAFF: (
        "Third unfounded complaint against a named officer, also posted on social media.",
        "Disciplinary investigation record",
    ),
    MarkerCategory.NEAR_MISS: (
        "Officer felt unsafe: over-familiar remarks and blocked the doorway at the end of the visit.",
        "Near-miss report",
    ),
}

_RESTRICTED_REASONS = (
    "Scheduled offence: violence against a public servant (2019).",
    "Registered prolific offender: burglary and assault.",
    "Conviction for possession of an offensive weapon (2021).",
)


@dataclass(frozen=True)
class DemoResult:
    people: int
    markers: int
    seconds: float


def database_has_data(db: Database) -> bool:
    """Offices or staff accounts: not a database the demo may be seeded into."""
    with db.session() as session:
        return bool(
            session.scalar(select(func.count()).select_from(Office))
            or session.scalar(select(func.count()).select_from(Staff))
        )


def _people_rows(
    people: Iterator[DemoPerson], first_id: int, now: datetime, aliases_out: list[tuple[int, str]]
) -> Iterator[tuple[Any, ...]]:
    for offset, person in enumerate(people):
        pid = first_id + offset
        for alias in person.aliases:
            aliases_out.append((pid, alias))
        yield (
            pid,
            person.forenames,
            person.surname,
            person.date_of_birth,
            person.address,
            person.postcode,
            person.tenancy_ref,
            "demo",
            now,
            now,
        )


def seed_demo(
    db: Database,
    people: int,
    now: datetime,
    *,
    seed: int = 20261124,
    progress: Callable[[str], None] = lambda _m: None,
    config: Config | None = None,
    password: str = DEMO_PASSWORD,
) -> DemoResult:
    """Seed the demo office and `people` people in one transaction per stage (an empty
    database only: DemoRefused); ``password`` is every demo account's."""
    started = time.perf_counter()
    with db.session() as session:
        seed_office(session, now, password=password)
        staff = {s.login: s for s in session.scalars(select(Staff))}
    assessors: dict[MarkerCategory, int] = {}
    for category, role in ASSESSOR_ROLE.items():
        assessors[category] = next(s.id for s in staff.values() if s.has_role(role))
    progress("offices, rooms, devices, staff and rota added")

    rng = random.Random(seed + 1)
    with db.engine.begin() as conn:
        first_person = next_id(conn, "people")
        aliases: list[tuple[int, str]] = []
        count = insert_rows(
            conn,
            "people",
            PEOPLE_COLUMNS,
            _people_rows(generate_people(people, seed=seed), first_person, now, aliases),
        )
        progress(f"{count:,} people added")
        first_alias = next_id(conn, "person_aliases")
        insert_rows(
            conn,
            "person_aliases",
            ALIAS_COLUMNS,
            ((first_alias + i, pid, name) for i, (pid, name) in enumerate(aliases)),
        )
        progress(f"{len(aliases):,} aliases added")

        marker_rows: list[tuple[Any, ...]] = []
        restricted_rows: list[tuple[Any, ...]] = []
        evidence_rows: list[tuple[Any, ...]] = []
        first_marker = next_id(conn, "markers")
        first_evidence = next_id(conn, "marker_evidence")
        categories = [c for c, _ in _CATEGORY_WEIGHTS]
        weights = [w for _, w in _CATEGORY_WEIGHTS]
        for offset in range(count):
            if rng.random() >= MARKER_SHARE:
                continue
            mid = first_marker + len(marker_rows)
            category = rng.choices(categories, weights)[0]
            placed_at = now - timedelta(days=rng.randint(5, 540), hours=rng.randint(0, 8))
            # Six-monthly review; some were reviewed and rolled on, a few are overdue (as in life).
            review_due = _add_months(placed_at.date(), 6)
            while review_due < now.date() - timedelta(days=rng.choice((0, 0, 0, 20))):
                review_due = _add_months(review_due, 6)
            instructions = rng.sample(STANDARD_INSTRUCTIONS, k=rng.choice((1, 1, 2, 2, 3)))
            restricted = category is MarkerCategory.OFFENDER
            contact_role = Role.ASB_MANAGER.value if restricted else None
            if restricted:
                instructions = [
                    "Contact the ASB manager before visiting",
                    *[i for i in instructions if "ASB" not in i],
                ][:2]
                restricted_rows.append(
                    (
                        mid,
                        rng.choice(_RESTRICTED_REASONS),
                        "Details held by the ASB team; see the secure register.",
                    )
                )
            informed = rng.random() < 0.85
            marker_rows.append((
                mid, first_person + offset, category.value, instructions, None, restricted, contact_role,
                assessors[category], assessors[category], placed_at, review_due, informed,
                placed_at + timedelta(days=3) if informed else None,
                None if informed else "Informing the tenant is likely to provoke violence towards staff (ASB manager's assessment).",
                "active",
            ))  # fmt: skip
            what, source = _EVIDENCE[category]
            evidence_rows.append(
                (
                    first_evidence + len(evidence_rows),
                    mid,
                    placed_at.date() - timedelta(days=rng.randint(1, 20)),
                    what,
                    source,
                    assessors[category],
                    placed_at,
                )
            )
        insert_rows(conn, "markers", MARKER_COLUMNS, marker_rows)
        insert_rows(conn, "marker_restricted", RESTRICTED_COLUMNS, restricted_rows)
        insert_rows(conn, "marker_evidence", EVIDENCE_COLUMNS, evidence_rows)
        for table in ("people", "person_aliases", "markers", "marker_evidence"):
            sync_sequence(conn, table)
        progress(f"{len(marker_rows):,} markers added")
    # A year of weekly alarm tests, so the year view and the audit report have history in them.
    tests = seed_test_history(db, FakeClock(now), config or Config())
    progress(f"{tests:,} past weekly alarm tests added")
    return DemoResult(people=count, markers=len(marker_rows), seconds=time.perf_counter() - started)


def _add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")
