"""Retention: removed markers are kept for their category's period, then purged (audited)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from safedesk.clock import FakeClock
from safedesk.models import (
    AuditEntry,
    Marker,
    MarkerCategory,
    MarkerEvidence,
    MarkerRestricted,
    ReviewDecision,
)
from safedesk.services.markers import retention as marker_retention
from safedesk.services.markers.placing import create_marker
from safedesk.services.markers.review import ReviewInput, record_review
from safedesk.services.shared.actor import Actor
from tests.markers.office_world import World

REMOVE = ReviewInput(
    decision=ReviewDecision.REMOVE,
    reason="No further concerns",
    information_considered="Officer notes",
    tenant_informed=True,
)


def _removed_marker(world: World, clock: FakeClock, category: MarkerCategory, assessor: str) -> int:
    with world.db.session() as s:
        marker = create_marker(
            s,
            world.actor(assessor),
            world.assessment(category=category, assessed_by_id=world.staff[assessor]),
            now=clock.now(),
            config=world.config,
        )
        record_review(
            s, world.actor(assessor), marker.id, REMOVE, now=clock.now(), config=world.config
        )
        return marker.id


def test_removed_markers_are_purged_after_their_category_period_and_the_purge_is_audited(
    world: World, clock: FakeClock
) -> None:
    near_miss = _removed_marker(world, clock, MarkerCategory.NEAR_MISS, "service")  # 365 days
    violence = _removed_marker(world, clock, MarkerCategory.VIOLENCE_AGGRESSION, "asb")  # 2190
    with world.db.session() as s:
        active = create_marker(
            s, world.actor("asb"), world.assessment(), now=clock.now(), config=world.config
        ).id

    clock.advance(timedelta(days=364).total_seconds())
    with world.db.session() as s:
        assert marker_retention.purge(s, Actor.system(), now=clock.now(), config=world.config) == []

    clock.advance(timedelta(days=2).total_seconds())
    with world.db.session() as s:
        dry = marker_retention.purge(
            s, Actor.system(), now=clock.now(), config=world.config, dry_run=True
        )
        assert [c.marker_id for c in dry] == [near_miss]
        assert s.get(Marker, near_miss) is not None
    with world.db.session() as s:
        done = marker_retention.purge(s, Actor.system(), now=clock.now(), config=world.config)
    assert [c.marker_id for c in done] == [near_miss]
    with world.db.session() as s:
        assert s.get(Marker, near_miss) is None
        assert s.get(MarkerRestricted, near_miss) is None
        assert (
            s.scalar(
                select(func.count())
                .select_from(MarkerEvidence)
                .where(MarkerEvidence.marker_id == near_miss)
            )
            == 0
        )
        assert s.get(Marker, violence) is not None  # kept six years
        assert s.get(Marker, active) is not None  # active markers are never purged
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "marker.purged"))
        assert (entry.subject_id, entry.detail["category"], entry.detail["retention_days"]) == (
            near_miss,
            "near_miss",
            365,
        )
        # The audit log keeps the placement and removal of the purged marker (it is evidence).
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.subject_id == near_miss)
            )
            == 3
        )

    clock.advance(timedelta(days=2190).total_seconds())
    with world.db.session() as s:
        done = marker_retention.purge(s, Actor.system(), now=clock.now(), config=world.config)
    assert [c.marker_id for c in done] == [violence]
