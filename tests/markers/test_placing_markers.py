"""Placing a marker from a risk assessment: seed 002 section 3, and nothing half-saved."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from safedesk.clock import FakeClock
from safedesk.models import (
    AuditEntry,
    Marker,
    MarkerCategory,
    MarkerEvidence,
    MarkerRestricted,
    MarkerStatus,
)
from safedesk.services.markers.placing import EvidenceInput, RiskAssessment, create_marker
from safedesk.services.shared.refusals import InvalidInput, PermissionRefused
from tests.markers.office_world import World


def _counts(world: World) -> tuple[int, int, int, int]:
    with world.db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Marker)) or 0,
            s.scalar(select(func.count()).select_from(MarkerRestricted)) or 0,
            s.scalar(select(func.count()).select_from(MarkerEvidence)) or 0,
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "marker.placed")
            )
            or 0,
        )


def test_asb_manager_places_a_violence_marker_reviewed_six_months_later(
    world: World, clock: FakeClock
) -> None:
    with world.db.session() as s:
        marker = create_marker(
            s, world.actor("asb"), world.assessment(), now=clock.now(), config=world.config
        )
        marker_id = marker.id
    with world.db.session() as s:
        saved = s.get(Marker, marker_id)
        assert saved is not None
        assert saved.status is MarkerStatus.ACTIVE
        assert saved.placed_at == clock.now()
        assert saved.review_due == date(2027, 5, 23)  # placed Monday 23 November 2026
        assert saved.assessed_by_id == world.staff["asb"]
        assert saved.placed_by_id == world.staff["asb"]
        assert saved.instructions == ["Visit in pairs", "No lone interviews"]
        assert saved.contact_role == "asb_manager"
        assert [e.source for e in saved.evidence] == ["Incident report IR-2291 (T Whitfield)"]
        restricted = s.get(MarkerRestricted, marker_id)
        assert restricted is not None and restricted.reason.startswith("Threatened")
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "marker.placed"))
        assert (entry.actor, entry.staff_id, entry.subject_id) == (
            "asb",
            world.staff["asb"],
            marker_id,
        )
        assert entry.workstation == "PC-TEST"


def test_a_blank_form_is_refused_naming_every_missing_field_and_nothing_is_saved(
    world: World, clock: FakeClock
) -> None:
    blank = RiskAssessment(
        person_id=None,
        category=None,
        assessed_by_id=None,
        reason=" ",
        evidence=(),
        tenant_informed=None,
    )
    with pytest.raises(InvalidInput) as refused, world.db.session() as s:
        create_marker(s, world.actor("asb"), blank, now=clock.now(), config=world.config)
    assert refused.value.fields == [
        "person",
        "category",
        "instructions",
        "reason",
        "assessed_by",
        "tenant_informed",
        "evidence",
    ]
    assert _counts(world) == (0, 0, 0, 0)


def test_evidence_needs_its_date_what_happened_and_source(world: World, clock: FakeClock) -> None:
    form = world.assessment(
        evidence=(
            EvidenceInput(occurred_on=None, what_happened="", source=""),
            EvidenceInput(occurred_on=date(2027, 1, 1), what_happened="x", source="y"),
        )
    )
    with pytest.raises(InvalidInput) as refused, world.db.session() as s:
        create_marker(s, world.actor("asb"), form, now=clock.now(), config=world.config)
    assert refused.value.fields == [
        "evidence[0].occurred_on",
        "evidence[0].what_happened",
        "evidence[0].source",
        "evidence[1].occurred_on",  # in the future
    ]
    assert _counts(world) == (0, 0, 0, 0)


def test_not_telling_the_tenant_needs_the_reason_recorded(world: World, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput) as refused, world.db.session() as s:
        create_marker(
            s,
            world.actor("asb"),
            world.assessment(tenant_informed=False),
            now=clock.now(),
            config=world.config,
        )
    assert refused.value.fields == ["not_informed_reason"]
    with world.db.session() as s:
        marker = create_marker(
            s,
            world.actor("asb"),
            world.assessment(
                tenant_informed=False, not_informed_reason="Likely to provoke violence"
            ),
            now=clock.now(),
            config=world.config,
        )
        assert not marker.tenant_informed
        assert marker.not_informed_reason == "Likely to provoke violence"


def test_instructions_come_from_the_standard_list_plus_free_text(
    world: World, clock: FakeClock
) -> None:
    with (
        pytest.raises(InvalidInput, match="not on the standard list: Bring a dog"),
        world.db.session() as s,
    ):
        create_marker(
            s,
            world.actor("asb"),
            world.assessment(instructions=("Bring a dog",)),
            now=clock.now(),
            config=world.config,
        )
    with world.db.session() as s:
        marker = create_marker(
            s,
            world.actor("asb"),
            world.assessment(
                instructions=(), instructions_note="Meet only at the Normanton office"
            ),
            now=clock.now(),
            config=world.config,
        )
        assert marker.instructions_note == "Meet only at the Normanton office"


def test_a_first_review_later_than_six_months_is_refused(world: World, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput, match="latest 23/05/2027"), world.db.session() as s:
        create_marker(
            s,
            world.actor("asb"),
            world.assessment(review_due=date(2027, 6, 1)),
            now=clock.now(),
            config=world.config,
        )
    with world.db.session() as s:
        marker = create_marker(
            s,
            world.actor("asb"),
            world.assessment(review_due=date(2027, 2, 1)),
            now=clock.now(),
            config=world.config,
        )
        assert marker.review_due == date(2027, 2, 1)


@pytest.mark.parametrize("who", ["reception", "officer", "admin"])
def test_front_line_staff_cannot_place_a_marker(world: World, clock: FakeClock, who: str) -> None:
    with pytest.raises(PermissionRefused, match="needs a manager"), world.db.session() as s:
        create_marker(s, world.actor(who), world.assessment(), now=clock.now(), config=world.config)
    assert _counts(world) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("category", "assessor", "allowed"),
    [
        (MarkerCategory.OFFENDER, "asb", True),
        (MarkerCategory.OFFENDER, "complex", False),  # same level, different role
        (MarkerCategory.OFFENDER, "manager", False),
        (MarkerCategory.OFFENDER, "area", True),  # more senior than the ASB Manager
        (MarkerCategory.MENTAL_HEALTH_BEHAVIOUR, "complex", True),
        (MarkerCategory.MENTAL_HEALTH_BEHAVIOUR, "asb", False),
        (MarkerCategory.COMPLAINTS_AGAINST_STAFF, "head_service", True),
        (MarkerCategory.COMPLAINTS_AGAINST_STAFF, "area", False),
        (MarkerCategory.COMPLAINTS_AGAINST_STAFF, "head", True),
        (MarkerCategory.NEAR_MISS, "service", True),
        (MarkerCategory.NEAR_MISS, "asb", False),
        (MarkerCategory.VIOLENCE_AGGRESSION, "asb", True),
    ],
)
def test_the_assessor_holds_the_role_seed_002_names_or_a_more_senior_one(
    world: World, clock: FakeClock, category: MarkerCategory, assessor: str, allowed: bool
) -> None:
    form = world.assessment(category=category, assessed_by_id=world.staff[assessor])
    if allowed:
        with world.db.session() as s:
            create_marker(s, world.actor("head"), form, now=clock.now(), config=world.config)
        assert _counts(world) == (1, 1, 1, 1)
    else:
        with (
            pytest.raises(PermissionRefused, match="or someone more senior"),
            world.db.session() as s,
        ):
            create_marker(s, world.actor("head"), form, now=clock.now(), config=world.config)
        assert _counts(world) == (0, 0, 0, 0)


def test_a_marker_placed_just_after_midnight_bst_counts_from_the_uk_date(world: World) -> None:
    # 00:30 BST on 31 August 2027 is 23:30 UTC on 30 August: the review is due 29 February 2028.
    placed = datetime(2027, 8, 30, 23, 30, tzinfo=UTC)
    with world.db.session() as s:
        marker = create_marker(
            s,
            world.actor("asb"),
            world.assessment(evidence=(EvidenceInput(date(2027, 8, 29), "Shouted", "Officer"),)),
            now=placed,
            config=world.config,
        )
        assert marker.review_due == date(2028, 2, 29)
