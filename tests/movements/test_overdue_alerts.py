"""OVERDUE alerts on a fake clock: raised once, escalated as a panic alarm, resolved on the record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from safedesk.alarm_bus.events import OverdueChanged, OverdueRaised
from safedesk.models import AuditEntry
from safedesk.models.movements import Movement, OverdueAlert, OverdueOutcome, OverdueReason
from safedesk.services.alarms.incidents import IncidentError
from safedesk.services.alarms.rota import AlertLevel
from safedesk.services.movements.desk import MovementsDesk
from safedesk.services.movements.entries import BoardState
from tests.movements.world import DiaryWorld


def _kinds(world: DiaryWorld, after: int = 0) -> list[tuple[str, str]]:
    out = []
    for m in world.bus.poll(after):
        if isinstance(m.event, OverdueRaised):
            out.append(("raised", m.event.reason))
        elif isinstance(m.event, OverdueChanged):
            out.append(("changed", m.event.change))
    return out


def test_overdue_is_raised_once_after_the_grace_period_from_two_pcs(world: DiaryWorld) -> None:
    world.log()  # Rachel, back by 10:00 (the clock starts at 09:00 UTC, Monday, GMT)
    other_pc = MovementsDesk(world.db, world.bus, world.clock, world.desk.config, "PC-OTHER")
    world.clock.advance(minutes=74)
    assert world.desk.check_due() == ([], [])
    world.clock.advance(minutes=1)
    raised, _ = world.desk.check_due()
    assert len(raised) == 1
    assert other_pc.check_due() == ([], [])
    assert world.desk.check_due() == ([], [])
    view = world.desk.overdue(raised[0])
    assert (view.officer_name, view.address, view.phone) == (
        "Rachel Green",
        "9 Elm Close, Derby",
        "07700 900123",
    )
    assert view.reason is OverdueReason.DUE
    assert _kinds(world) == [("raised", "due")]
    (row,) = world.desk.board(world.office_id)
    assert row.state is BoardState.OVERDUE and row.overdue_id == view.overdue_id


def test_untaken_alert_escalates_to_managers_then_everyone(world: DiaryWorld) -> None:
    world.log()
    world.clock.advance(minutes=75)
    (alert_id,) = world.desk.check_due()[0]
    view = world.desk.overdue(alert_id)
    # Responders on the rota (Tom) get the full alert; the receptionist and a manager a notice.
    assert world.desk.level_for(view, world.staff["twhitfield"]) is AlertLevel.FULL_SCREEN
    assert world.desk.level_for(view, world.staff["psharma"]) is AlertLevel.NOTICE
    assert world.desk.level_for(view, world.staff["sbarker"]) is AlertLevel.NOTICE
    world.clock.advance(seconds=30)
    _, escalated = world.desk.check_due()
    assert [e.stage for e in escalated] == ["escalated_managers"]
    view = world.desk.overdue(alert_id)
    assert world.desk.level_for(view, world.staff["sbarker"]) is AlertLevel.FULL_SCREEN
    assert world.desk.level_for(view, world.staff["psharma"]) is AlertLevel.NOTICE
    world.clock.advance(seconds=30)
    _, escalated = world.desk.check_due()
    assert [e.stage for e in escalated] == ["escalated_all"]
    view = world.desk.overdue(alert_id)
    assert world.desk.level_for(view, world.staff["psharma"]) is AlertLevel.FULL_SCREEN
    assert world.desk.check_due() == ([], [])


def test_taking_the_alert_stops_the_escalation(world: DiaryWorld) -> None:
    world.log()
    world.clock.advance(minutes=75)
    (alert_id,) = world.desk.check_due()[0]
    world.desk.take(world.actor("psharma"), alert_id)
    world.clock.advance(minutes=5)
    assert world.desk.check_due() == ([], [])
    view = world.desk.overdue(alert_id)
    assert view.taken_by_name == "Priya Sharma" and view.escalated_managers_at is None


def test_phoned_safe_closes_the_alert_and_the_entry_and_is_an_incident_to_follow_up(
    world: DiaryWorld,
) -> None:
    movement_id = world.log()
    world.clock.advance(minutes=75)
    (alert_id,) = world.desk.check_due()[0]
    with pytest.raises(IncidentError, match="still open"):
        world.desk.record_debrief(world.actor("hmarsh"), alert_id, "Talked it through")
    world.desk.phoned_safe(world.actor("psharma"), alert_id, "Battery died; safe in the car")
    view = world.desk.overdue(alert_id)
    assert view.outcome is OverdueOutcome.PHONED_SAFE and not view.is_open
    with world.db.session() as s:
        assert s.get_one(Movement, movement_id).returned_at == world.clock.now()
    (record,) = world.desk.overdue_records(world.office_id)
    assert record.status == "awaiting_debrief"
    with pytest.raises(IncidentError, match="manager"):
        world.desk.record_debrief(world.actor("psharma"), alert_id, "Talked it through")
    world.desk.record_debrief(world.actor("hmarsh"), alert_id, "Talked it through")
    world.desk.record_follow_up(world.actor("hmarsh"), alert_id, "Spare power bank issued")
    (record,) = world.desk.overdue_records(world.office_id)
    assert record.status == "closed"
    assert ("changed", "resolved") in _kinds(world)


def test_extended_by_phone_closes_the_alert_and_watches_the_new_time(world: DiaryWorld) -> None:
    world.log()
    world.clock.advance(minutes=75)
    (first,) = world.desk.check_due()[0]
    world.desk.extended(world.actor("psharma"), first, world.clock.now() + timedelta(minutes=30))
    assert world.desk.overdue(first).outcome is OverdueOutcome.EXTENDED
    world.clock.advance(minutes=44)
    assert world.desk.check_due() == ([], [])
    world.clock.advance(minutes=1)
    (second,) = world.desk.check_due()[0]
    assert second != first


def test_police_called_keeps_the_alert_open_until_found_safe(world: DiaryWorld) -> None:
    world.log()
    world.clock.advance(minutes=75)
    (alert_id,) = world.desk.check_due()[0]
    world.desk.police_called(world.actor("hmarsh"), alert_id)
    view = world.desk.overdue(alert_id)
    assert view.is_open and view.police_called_by_name == "Helen Marsh"
    world.clock.advance(minutes=20)
    world.desk.back_on_sign_in(world.actor("rgreen"))
    view = world.desk.overdue(alert_id)
    assert view.outcome is OverdueOutcome.RETURNED and view.police_called_at is not None
    (month,) = world.desk.figures(2026, world.office_id)
    assert (month.month, month.overdue, month.police_called) == ("2026-11", 1, 1)


def test_still_out_at_closing_raises_the_end_of_day_alert_to_everyone(world: DiaryWorld) -> None:
    world.clock.set(datetime(2026, 11, 23, 16, 0, tzinfo=UTC))
    world.log(expected_back_at=datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
    world.clock.set(datetime(2026, 11, 23, 16, 59, tzinfo=UTC))
    assert world.desk.check_due() == ([], [])
    world.clock.set(datetime(2026, 11, 23, 17, 0, tzinfo=UTC))
    (alert_id,) = world.desk.check_due()[0]
    view = world.desk.overdue(alert_id)
    assert view.reason is OverdueReason.END_OF_DAY
    assert world.desk.level_for(view, world.staff["psharma"]) is AlertLevel.FULL_SCREEN
    assert world.desk.level_for(view, world.staff["hmarsh"]) is AlertLevel.FULL_SCREEN


def test_in_summer_the_end_of_day_alert_comes_at_16_00_utc(world: DiaryWorld) -> None:
    world.clock.set(datetime(2026, 6, 29, 14, 0, tzinfo=UTC))  # Monday, BST
    world.log(expected_back_at=datetime(2026, 6, 29, 18, 0, tzinfo=UTC))
    world.clock.set(datetime(2026, 6, 29, 15, 59, tzinfo=UTC))
    assert world.desk.check_due() == ([], [])
    world.clock.set(datetime(2026, 6, 29, 16, 0, tzinfo=UTC))
    (alert_id,) = world.desk.check_due()[0]
    assert world.desk.overdue(alert_id).due_at == datetime(2026, 6, 29, 16, 0, tzinfo=UTC)


def test_amber_going_in_without_coming_out_raises_an_amber_alert(world: DiaryWorld) -> None:
    movement_id = world.log(amber=True, expected_back_at=world.clock.now() + timedelta(hours=3))
    world.desk.going_in(world.actor("rgreen"), movement_id)
    world.clock.advance(minutes=20)
    (alert_id,) = world.desk.check_due()[0]
    assert world.desk.overdue(alert_id).reason is OverdueReason.AMBER
    world.desk.came_out(world.actor("rgreen"), movement_id)
    assert world.desk.overdue(alert_id).outcome is OverdueOutcome.RETURNED
    with world.db.session() as s:
        raised = s.scalars(select(AuditEntry).where(AuditEntry.action == "overdue.raised")).one()
        assert raised.detail["reason"] == "amber"
        assert s.scalars(select(OverdueAlert)).one().resolved_at == world.clock.now()
