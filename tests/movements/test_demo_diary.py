"""The demo's diary: an officer out when the demo starts, another overdue three minutes later."""

from __future__ import annotations

from sqlalchemy import select

from safedesk.alarm_bus import make_bus
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.demo.movements import seed_demo_movements
from safedesk.demo.seed import seed_demo
from safedesk.models import Office
from safedesk.services.movements.desk import MovementsDesk
from safedesk.services.movements.entries import BoardState


def test_the_demo_has_a_pair_out_and_rachel_overdue_three_minutes_after_start(
    db: Database, clock: FakeClock
) -> None:
    seed_demo(db, 300, clock.now())
    with db.session() as s:
        office_id = s.scalars(
            select(Office.id).where(Office.name == "Derby Central Housing Office")
        ).one()
    bus = make_bus(db, clock, Config().alarm)
    try:
        desk = MovementsDesk(db, bus, clock, Config(), "DEMO")
        assert seed_demo_movements(desk, office_id) == 2
        assert seed_demo_movements(desk, office_id) == 0  # once a day, not on every start
        rows = {r.officer_name: r for r in desk.board(office_id)}
        assert rows["Sarah Okafor"].second_officer_name == "Dan Kowalski"
        assert rows["Sarah Okafor"].flagged and rows["Sarah Okafor"].state is BoardState.OUT
        assert rows["Rachel Green"].second_officer_name is None
        clock.advance(minutes=2, seconds=59)
        assert desk.check_due(office_id) == ([], [])
        clock.advance(seconds=1)
        (alert_id,) = desk.check_due(office_id)[0]
        assert desk.overdue(alert_id).officer_name == "Rachel Green"
    finally:
        bus.close()
