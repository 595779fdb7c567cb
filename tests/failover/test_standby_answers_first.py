"""A PC that reaches the standby before it is promoted holds its press and sends it at promotion.

A DNS name or virtual IP moved to the standby a moment early, or a PC whose URL names only the
standby, reaches a server that refuses every write as read-only (SQLSTATE 25006). Before, that
refusal was taken for a bug in the alarm service: the press was logged with a traceback as
"refused", retried only once a minute, and the bus logged an internal error on every reconnect.
It is the environment (no primary here yet): the press is held and forwarded within seconds of
the promotion, and the screen says NOT CONNECTED because the server is a standby.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import SystemClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import AlarmPress
from safedesk.outbox import LocalOutbox, StoreAndForwardSink
from safedesk.services.hub import Services
from tests.failover.conftest import FailoverOffice
from tests.helpers.waiting import eventually

pytestmark = pytest.mark.postgresql


def test_a_press_made_on_the_standby_is_held_and_sent_once_it_is_promoted(
    synchronous_office: FailoverOffice, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pair, office = synchronous_office.pair, synchronous_office.office
    standby_url = f"postgresql://postgres@127.0.0.1:{pair.standby.port}/safedesk"
    db = Database(standby_url)
    services = Services.build(Config(), db, SystemClock(), "pi-central-1")
    outbox = LocalOutbox(tmp_path / "outbox.sqlite3")
    sink = StoreAndForwardSink(services.alarms, outbox, services.clock, retry_initial_s=0.2)
    sink.start()
    screen = services.bus.subscribe(office_id=office.office_id)
    try:
        pair.kill_primary()  # the primary is gone; this PC's name already leads to the standby
        press = ButtonPress(
            device_id=office.device_ids["Interview Room 2"],
            boot_id=random.getrandbits(32),
            sequence=1,
            pressed_at=datetime.now(UTC),
            source=DeviceKind.SERIAL,
        )
        with caplog.at_level(logging.WARNING):
            receipt = sink.press(press)
            assert receipt.held
            time.sleep(1.0)  # a few forwarding attempts and bus reconnects against the standby
        # The environment, not a bug: no "refused" press, no traceback.
        refused = [r for r in caplog.records if "refused" in r.getMessage() or r.exc_info]
        assert refused == [], [r.getMessage()[:200] for r in refused]
        assert eventually(lambda: not services.bus.health().connected, 10)
        assert "standby" in (services.bus.health().last_error or "")

        pair.promote()
        promoted = time.monotonic()
        assert eventually(lambda: sink.backlog == 0, 15), "the held press never went"
        forwarded_s = time.monotonic() - promoted
        with db.session() as s:
            [stored] = s.scalars(select(AlarmPress)).all()
        assert (stored.device_id, stored.sequence, stored.pressed_at) == (
            press.device_id,
            press.sequence,
            press.pressed_at,
        )
        assert eventually(lambda: services.bus.health().connected, 10)
        print(f"\nSTANDBY FIRST: the held press was stored {forwarded_s:.1f} s after promotion")
    finally:
        screen.close()
        sink.stop()
        outbox.close()
        services.close()
        db.dispose()
