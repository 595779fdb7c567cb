"""With asynchronous replication a failover can lose presses, and a screen must not go blind too.

PostgreSQL replicates asynchronously unless told otherwise: the primary acknowledges a commit
before the standby has it. When the primary dies, the promoted standby starts without the last
presses, and each PC's outbox had already forgotten them (the primary said "stored"). That is why
docs/failover.md asks for synchronous replication; this test shows the hazard as it is.

What SafeDesk must do about it is on the screens: the new primary hands out again the bus ids
the old one used for the lost events. A screen's reader remembered those ids as delivered, so
before, every new alarm under a reused id (here: the first press after the failover) was never
shown on that screen. Now the reader checks, after a failover, what the new primary has, says
loudly which events were lost, and reads the reused ids again.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from safedesk.alarm_bus import AlarmRaised, BusMessage
from safedesk.alarm_bus.postgres_bus import PostgresAlarmBus
from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import SystemClock
from safedesk.config import Config
from safedesk.db import Database, DatabaseUnavailable
from safedesk.services.hub import Services
from tests.failover.conftest import FailoverOffice
from tests.helpers.waiting import eventually

pytestmark = pytest.mark.postgresql

# More presses than one block of sequence values PostgreSQL logs ahead (32): some of their bus
# ids were never logged to the standby, and the promoted standby hands exactly those out again.
PRESSES_WHILE_CUT_OFF = 40


def stored(bridge: Services, press: ButtonPress) -> bool:
    """Offer the press as the bridge's outbox would: True once the database took it."""
    try:
        return not bridge.alarms.press(press).held
    except DatabaseUnavailable:
        return False


def pc(url: str, name: str) -> Services:
    return Services.build(Config(), Database(url), SystemClock(), name)


@pytest.fixture
def pcs(office_with_async_standby: FailoverOffice) -> Iterator[tuple[Services, Services]]:
    """A bridge and a responder screen, each with its own connections, on both servers."""
    bridge = pc(office_with_async_standby.url, "pi-central-1")
    screen = pc(office_with_async_standby.url, "PC-RESPONDER-1")
    yield bridge, screen
    for services in (screen, bridge):
        services.close()
        services.db.dispose()


def test_after_an_asynchronous_failover_the_first_new_alarm_still_reaches_the_screen(
    office_with_async_standby: FailoverOffice, pcs: tuple[Services, Services]
) -> None:
    pair, office = office_with_async_standby.pair, office_with_async_standby.office
    link = pair.replication_link
    assert link is not None
    bridge, screen = pcs
    seen: list[BusMessage] = []
    with screen.bus.subscribe(office_id=office.office_id) as sub:

        def raised(device_id: str, pressed_at: datetime) -> bool:
            seen.extend(sub.get(timeout=0.1))
            return any(
                isinstance(m.event, AlarmRaised)
                and m.event.device_id == device_id
                and m.event.pressed_at == pressed_at
                for m in seen
            )

        # The standby falls behind (its link is cut); the primary acknowledges on its own.
        link.cut()
        room_1 = office.device_ids["Interview Room 1"]
        boot = random.getrandbits(32)
        first_at = datetime.now(UTC)
        for sequence in range(1, PRESSES_WHILE_CUT_OFF + 1):
            receipt = bridge.alarms.press(
                ButtonPress(
                    device_id=room_1,
                    boot_id=boot,
                    sequence=sequence,
                    pressed_at=first_at if sequence == 1 else datetime.now(UTC),
                    source=DeviceKind.SERIAL,
                )
            )
            assert not receipt.held  # the primary said "stored" for every one
        assert eventually(
            lambda: raised(room_1, first_at) and len(seen) >= PRESSES_WHILE_CUT_OFF, 10
        ), "the screen had every press the old primary took"

        pair.kill_primary()
        pair.promote()

        # The hazard of asynchronous replication, as it is: those presses are gone.
        with pair.standby.connect("safedesk") as conn:
            row = conn.execute("SELECT count(*) FROM alarm_presses").fetchone()
        assert row is not None and row[0] == 0

        # The first press after the failover takes a bus id the screen already had.
        room_2 = office.device_ids["Interview Room 2"]
        after_at = datetime.now(UTC)
        press = ButtonPress(
            device_id=room_2,
            boot_id=boot,
            sequence=1,
            pressed_at=after_at,
            source=DeviceKind.SERIAL,
        )
        assert eventually(lambda: stored(bridge, press), 10)
        assert eventually(lambda: raised(room_2, after_at), 15), (
            "the first alarm after the failover never reached the screen"
        )
        bus = screen.bus
        assert isinstance(bus, PostgresAlarmBus)
        assert bus.lost_in_failover, "the screen's PC did not say events were lost"
        copies = [
            m for m in seen if isinstance(m.event, AlarmRaised) and m.event.pressed_at == after_at
        ]
        assert len(copies) == 1
