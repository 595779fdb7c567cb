"""A press leaves a PC's outbox only once the standby has it, not merely the primary.

With synchronous replication the primary's COMMIT waits until the standby has the press; the
press deadline ends the wait on the PC's side (the press is held, LED "not delivered") and the
server's statement_timeout never cuts it short (PostgreSQL stops that timer before it commits).
But the commit can still become visible on the primary alone: when its waiting backend ends (the
primary restarted, an administrator's pg_terminate_backend), PostgreSQL keeps it with only a
WARNING. The held press is then resent, the alarm service finds it "already recorded", and the
old outbox forgot it; if the primary then died before the standby caught up, the promoted
standby started without it and the press was lost. Driven here on real clusters with the
replication link cut (the standby alive but unreachable, as when its network fails first).

The outbox is the shared one (``safedesk.outbox``) that the bridge and every desk PC use.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from safedesk.alarm_bus import AlarmRaised
from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import SystemClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import AlarmPress
from safedesk.outbox import LocalOutbox, StoreAndForwardSink
from safedesk.services.hub import Services
from tests.failover.conftest import FailoverOffice
from tests.helpers.pg_replication import STANDBY_NAME, Server

pytestmark = pytest.mark.postgresql

BRIDGE = "pi-central-1"


@pytest.fixture
def bridge_services(office_with_cuttable_standby: FailoverOffice) -> Iterator[Services]:
    """The press path of a bridge on the multi-host URL (its own pool and bus)."""
    db = Database(office_with_cuttable_standby.url)
    services = Services.build(Config(), db, SystemClock(), BRIDGE)
    yield services
    services.close()
    db.dispose()


def presses_on(server: Server) -> list[tuple[str, int, int, datetime]]:
    with server.connect("safedesk") as conn:
        return [
            (str(d), int(b), int(s), p)
            for d, b, s, p in conn.execute(
                "SELECT device_id, boot_id, sequence, pressed_at FROM alarm_presses ORDER BY id"
            )
        ]


def wait_for(check: object, seconds: float, what: str) -> None:
    assert callable(check)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds:g} s: {what}")


def standby_attached(server: Server) -> bool:
    with server.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_replication WHERE application_name = %s",
            (STANDBY_NAME,),
        ).fetchone()
    return bool(row and row[0])


def test_a_press_the_standby_has_not_confirmed_stays_in_the_outbox_through_the_failover(
    office_with_cuttable_standby: FailoverOffice, bridge_services: Services, tmp_path: Path
) -> None:
    pair, office = office_with_cuttable_standby.pair, office_with_cuttable_standby.office
    link = pair.replication_link
    assert link is not None
    outbox = LocalOutbox(tmp_path / "bridge-outbox.sqlite3")
    sink = StoreAndForwardSink(bridge_services.alarms, outbox, bridge_services.clock)
    screen = bridge_services.bus.subscribe(office_id=office.office_id, kinds=("alarm_raised",))
    try:
        # The standby is cut off (its network fails first); the primary runs on.
        link.cut()
        wait_for(lambda: not standby_attached(pair.primary), 15, "the primary loses its standby")

        press = ButtonPress(
            device_id=office.device_ids["Interview Room 1"],
            boot_id=random.getrandbits(32),
            sequence=1,
            pressed_at=datetime.now(UTC),
            source=DeviceKind.SERIAL,
        )
        started = time.monotonic()
        receipt = sink.press(press)
        took_s = time.monotonic() - started
        # No standby confirmed the commit: the room is told "not delivered" (held), never
        # "delivered" on the strength of the primary alone.
        assert receipt.held, (
            f"a press only the primary has was counted as delivered ({took_s:.1f} s)"
        )
        assert sink.backlog == 1
        assert presses_on(pair.standby) == []

        # The primary's waiting backend ends (a restart of the primary, or an administrator):
        # the press is now visible there, still not on the standby.
        with pair.primary.connect() as conn:
            ended = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE wait_event = 'SyncRep'"
            ).fetchone()
        assert ended and ended[0] >= 1
        wait_for(lambda: len(presses_on(pair.primary)) == 1, 10, "the primary shows the press")

        # The resend finds it "already recorded"; it still stays held, because no standby has it.
        assert sink.forward_now() == 1, "the outbox forgot a press only the primary had"
        assert len(outbox.held()) == 1
        assert presses_on(pair.standby) == []

        # The primary dies before the standby catches up; the standby is promoted without it.
        pair.kill_primary()
        pair.promote()
        assert presses_on(pair.standby) == []
        wait_for(lambda: sink.forward_now() == 0, 20, "the held press reaches the new primary")

        arrived = presses_on(pair.standby)
        assert [(d, b, s) for d, b, s, _ in arrived] == [
            (press.device_id, press.boot_id, press.sequence)
        ]
        assert arrived[0][3] == press.pressed_at  # its press time, not the forwarding time
        assert outbox.held() == []

        # A screen on the multi-host URL raises it from the new primary.
        raised: list[AlarmRaised] = []

        def screen_has_it() -> bool:
            raised.extend(
                m.event for m in screen.get(timeout=0.1) if isinstance(m.event, AlarmRaised)
            )
            return any(
                e.pressed_at == press.pressed_at and e.device_id == press.device_id for e in raised
            )

        wait_for(screen_has_it, 15, "the screen shows the alarm from the new primary")
        db = bridge_services.db
        with db.session() as s:
            stored = s.scalars(select(AlarmPress)).all()
        assert len(stored) == 1
        print(
            f"\nSTANDBY BEHIND: a press the standby had not confirmed was held after "
            f"{took_s:.1f} s (the press deadline) and reached the new primary once"
        )
    finally:
        screen.close()
        outbox.close()
