"""Reporting back: signing in, "I'm back", phoned in by reception, extending, amber in and out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from safedesk.alarm_bus.events import MovementChanged
from safedesk.models import AuditEntry
from safedesk.models.movements import CheckInMethod, Movement
from safedesk.services.movements.check_in import CheckInRefused
from safedesk.services.movements.entries import BoardState
from tests.movements.world import DiaryWorld


def test_signing_in_on_any_office_pc_is_reporting_back(world: DiaryWorld) -> None:
    movement_id = world.log()
    world.clock.advance(minutes=40)
    assert world.desk.back_on_sign_in(world.actor("rgreen", pc="RECEPTION-2")) == movement_id
    with world.db.session() as s:
        m = s.get_one(Movement, movement_id)
        assert m.check_in_method is CheckInMethod.SIGNED_IN
        assert m.check_in_workstation == "RECEPTION-2"
    (row,) = world.desk.board(world.office_id)
    assert row.state is BoardState.BACK and row.back_how == "signed in at RECEPTION-2"
    assert world.desk.back_on_sign_in(world.actor("rgreen")) is None


def test_reception_marks_phoned_in_safe_with_who_took_the_call(world: DiaryWorld) -> None:
    movement_id = world.log()
    world.desk.phoned_in(world.actor("psharma"), movement_id, "Rang from the car")
    (row,) = world.desk.board(world.office_id)
    assert row.back_how == "phoned in: safe (call taken by Priya Sharma)"
    with world.db.session() as s:
        m = s.get_one(Movement, movement_id)
        assert (m.checked_in_by_id, m.returned_at) == (world.staff["psharma"], world.clock.now())


def test_the_officer_extends_before_the_return_passes_but_not_after(world: DiaryWorld) -> None:
    movement_id = world.log()
    world.clock.advance(minutes=50)
    world.desk.extend(world.actor("rgreen"), movement_id, world.clock.now() + timedelta(hours=1))
    world.clock.advance(minutes=61)
    with pytest.raises(CheckInRefused, match="has passed"):
        world.desk.extend(
            world.actor("rgreen"), movement_id, world.clock.now() + timedelta(hours=1)
        )
    # A colleague who takes the officer's call may still extend it.
    world.desk.extend(
        world.actor("psharma"), movement_id, world.clock.now() + timedelta(minutes=30), "rang in"
    )
    with world.db.session() as s:
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.subject_type == "movement")
        ).all()
        assert actions.count("movement.extended") == 2


def test_amber_going_in_and_coming_out_show_on_the_board(world: DiaryWorld) -> None:
    movement_id = world.log(amber=True)
    sub = world.bus.subscribe(office_id=world.office_id)
    world.desk.going_in(world.actor("rgreen"), movement_id)
    (row,) = world.desk.board(world.office_id)
    assert row.state is BoardState.INSIDE and row.amber
    world.desk.came_out(world.actor("rgreen"), movement_id)
    (row,) = world.desk.board(world.office_id)
    assert row.state is BoardState.OUT
    changes = [m.event.change for m in sub.get(timeout=2.0) if isinstance(m.event, MovementChanged)]
    while len(changes) < 2:
        more = sub.get(timeout=2.0)
        assert more, changes
        changes += [m.event.change for m in more if isinstance(m.event, MovementChanged)]
    assert changes == ["going_in", "came_out"]
    sub.close()


def test_i_m_back_without_being_out_says_so(world: DiaryWorld) -> None:
    with pytest.raises(CheckInRefused, match="not out"):
        world.desk.back(world.actor("rgreen"))
