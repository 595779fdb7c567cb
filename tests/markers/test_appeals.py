"""Appeals (seed 002 section 7): decided by someone more senior than the original decision-maker;
the outcome is final."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from safedesk.clock import FakeClock
from safedesk.models import AppealOutcome, AuditEntry, Marker, MarkerAppeal, MarkerStatus, Role
from safedesk.services.markers.appeals import decide_appeal, lodge_appeal
from safedesk.services.markers.placing import create_marker
from safedesk.services.markers.roles import may_decide_appeal
from safedesk.services.shared.refusals import InvalidInput, PermissionRefused
from tests.markers.office_world import World


def _marker_and_appeal(world: World, clock: FakeClock, placer: str = "asb") -> tuple[int, int]:
    with world.db.session() as s:
        marker = create_marker(
            s, world.actor(placer), world.assessment(), now=clock.now(), config=world.config
        )
        clock.advance(days=10)
        appeal = lodge_appeal(
            s,
            world.actor("reception"),
            marker.id,
            grounds="Tenant says the bottle was dropped, not thrown",
            lodged_at=clock.now(),
            now=clock.now(),
        )
        return marker.id, appeal.id


def test_a_more_senior_manager_decides_the_appeal_and_the_outcome_is_final(
    world: World, clock: FakeClock
) -> None:
    _, appeal_id = _marker_and_appeal(world, clock)
    with world.db.session() as s:
        decide_appeal(
            s,
            world.actor("area"),
            appeal_id,
            outcome=AppealOutcome.DISMISSED,
            reason="CCTV shows the bottle thrown at the screen",
            now=clock.now(),
        )
    with world.db.session() as s:
        appeal = s.get(MarkerAppeal, appeal_id)
        assert appeal is not None
        assert (appeal.outcome, appeal.decided_by_id) == (
            AppealOutcome.DISMISSED,
            world.staff["area"],
        )
        assert s.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "marker.appeal_decided")
        ).all() == ["area"]
    with pytest.raises(PermissionRefused, match="the outcome is final"), world.db.session() as s:
        decide_appeal(
            s,
            world.actor("head"),
            appeal_id,
            outcome=AppealOutcome.UPHELD_REMOVED,
            reason="second thoughts",
            now=clock.now(),
        )


@pytest.mark.parametrize(
    ("who", "why"),
    [
        ("asb", "made the original decision"),
        ("complex", "more senior than Steve Barker"),  # same level as the ASB Manager
        ("manager", "more senior than Steve Barker"),
        ("reception", "more senior than Steve Barker"),
    ],
)
def test_anyone_not_more_senior_is_refused_with_the_reason(
    world: World, clock: FakeClock, who: str, why: str
) -> None:
    _, appeal_id = _marker_and_appeal(world, clock)
    with pytest.raises(PermissionRefused, match=why), world.db.session() as s:
        decide_appeal(
            s,
            world.actor(who),
            appeal_id,
            outcome=AppealOutcome.UPHELD_REMOVED,
            reason="r",
            now=clock.now(),
        )
    with world.db.session() as s:
        appeal = s.get(MarkerAppeal, appeal_id)
        assert appeal is not None and appeal.outcome is None
        marker = s.get(Marker, appeal.marker_id)
        assert marker is not None and marker.status is MarkerStatus.ACTIVE


def test_seniority_counts_against_whoever_placed_the_marker_too(
    world: World, clock: FakeClock
) -> None:
    # Assessed by the ASB Manager but placed by the Area Housing Manager (level 3).
    _, appeal_id = _marker_and_appeal(world, clock, placer="area")
    with pytest.raises(PermissionRefused, match="Paul Fraser"), world.db.session() as s:
        decide_appeal(
            s,
            world.actor("service"),
            appeal_id,
            outcome=AppealOutcome.DISMISSED,
            reason="r",
            now=clock.now(),
        )
    with world.db.session() as s:
        decide_appeal(
            s,
            world.actor("hsm"),
            appeal_id,
            outcome=AppealOutcome.UPHELD_REMOVED,
            reason="Not proportionate for a single incident",
            now=clock.now(),
        )
        appeal = s.get(MarkerAppeal, appeal_id)
        assert appeal is not None
        marker = s.get(Marker, appeal.marker_id)
        assert marker is not None and marker.status is MarkerStatus.REMOVED


def test_an_appeal_needs_grounds_and_a_decision_needs_its_reason(
    world: World, clock: FakeClock
) -> None:
    marker_id, appeal_id = _marker_and_appeal(world, clock)
    with pytest.raises(InvalidInput, match="grounds"), world.db.session() as s:
        lodge_appeal(
            s,
            world.actor("officer"),
            marker_id,
            grounds=" ",
            lodged_at=clock.now(),
            now=clock.now(),
        )
    with pytest.raises(InvalidInput) as refused, world.db.session() as s:
        decide_appeal(s, world.actor("head"), appeal_id, outcome=None, reason="", now=clock.now())
    assert refused.value.fields == ["outcome", "reason"]


def test_the_seniority_order_is_explicit() -> None:
    asb = [Role.MANAGER, Role.ASB_MANAGER]
    assert may_decide_appeal([Role.SERVICE_MANAGER], [asb])
    assert may_decide_appeal([Role.HEAD_OF_HOUSING_MANAGEMENT], [[Role.HOUSING_SERVICES_MANAGER]])
    assert not may_decide_appeal([Role.COMPLEX_NEEDS_MANAGER], [asb])
    assert not may_decide_appeal([Role.AREA_HOUSING_MANAGER], [[Role.SENIOR_MANAGER]])
    assert not may_decide_appeal([Role.ADMIN], [[Role.MANAGER]])


def test_a_decided_appeal_is_final_so_no_second_appeal_is_taken(
    world: World, clock: FakeClock
) -> None:
    marker_id, appeal_id = _marker_and_appeal(world, clock)
    with world.db.session() as s:
        decide_appeal(
            s,
            world.actor("area"),
            appeal_id,
            outcome=AppealOutcome.DISMISSED,
            reason="CCTV shows the bottle thrown",
            now=clock.now(),
        )
    with pytest.raises(InvalidInput, match="the outcome is final"), world.db.session() as s:
        lodge_appeal(
            s,
            world.actor("reception"),
            marker_id,
            grounds="Asking again",
            lodged_at=clock.now(),
            now=clock.now(),
        )


def test_permission_to_decide_is_checked_before_the_form_is(world: World, clock: FakeClock) -> None:
    """A manager who may not decide is told so, not asked first for a reason and an outcome."""
    _, appeal_id = _marker_and_appeal(world, clock)
    with pytest.raises(PermissionRefused, match="more senior"), world.db.session() as s:
        decide_appeal(
            s, world.actor("manager"), appeal_id, outcome=None, reason="", now=clock.now()
        )
