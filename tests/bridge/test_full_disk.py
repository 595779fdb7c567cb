"""A full disk under the bridge's outbox never stops a press reaching a database that answers.

Real parts: the bridge as built from its config with its outbox on a real 1 MB filesystem that
the test fills to the last byte, USB buttons on pseudo-terminals, the real alarm service on
PostgreSQL behind the test proxy. Before: the forwarded presses could not be removed from the
full file, the backlog never drained, every new press queued behind it and failed to be held
too: 14 of 18 presses not committed for 90 s, 48,000 log lines in 100 s.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from firmware_bridge.bridge import Bridge
from firmware_bridge.bridge_config import parse_bridge_config
from hardware.serial_button import SerialButtonConfig
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.clock import SystemClock
from safedesk.db import Database
from safedesk.demo.office import seed_office
from safedesk.models import AlarmPress
from tests.bridge.conftest import fill_disk
from tests.bridge.tcp_proxy import TcpProxy
from tests.helpers.waiting import eventually

ROOM_1_BUTTON = "pico-e661a4d41b31"  # Interview Room 1 in the demo office
ROOM_2_BUTTON = "pico-e661a4d41b32"


def press_rows(db: Database) -> list[tuple[str, int, int, datetime]]:
    with db.session() as s:
        return [
            (p.device_id, p.boot_id, p.sequence, p.pressed_at)
            for p in s.scalars(select(AlarmPress).order_by(AlarmPress.id)).all()
        ]


@pytest.fixture
def buttons() -> Iterator[list[SimulatedSerialDevice]]:
    made = [
        SimulatedSerialDevice(device_id=d, heartbeat_s=0.2, resend_s=0.3, host_timeout_s=30.0)
        for d in (ROOM_1_BUTTON, ROOM_2_BUTTON)
    ]
    for button in made:
        button.plug_in()
    yield made
    for button in made:
        button.close()


@pytest.mark.postgresql
def test_with_the_outbox_disk_full_every_press_still_reaches_the_database_and_the_log_stays_quiet(
    pg_url: str,
    pg_proxy: tuple[TcpProxy, str],
    tiny_disk: Path,
    buttons: list[SimulatedSerialDevice],
    caplog: pytest.LogCaptureFixture,
) -> None:
    proxy, proxy_url = pg_proxy
    direct = Database(pg_url)
    with direct.session() as s:
        seed_office(s, SystemClock().now())
    ports = [b.port_path for b in buttons]
    config = parse_bridge_config(
        {
            "database": {"url": proxy_url},
            "bridge": {
                "outbox": str(tiny_disk / "outbox.sqlite3"),
                "forward_retry_s": 0.1,
                "supervise": False,
            },
            "serial": {"ports": ports, "discover": False},
        },
        "bridge.toml",
    )
    bridge = Bridge.build(
        config,
        SystemClock(),
        serial_overrides=SerialButtonConfig(
            port_urls=tuple(ports), discover=False, scan_interval_s=0.05, silent_after_s=600.0
        ),
    )
    bridge.start()
    pressed: dict[tuple[str, int, int], datetime] = {}

    acks: list[float] = []

    def press(button: SimulatedSerialDevice, within_s: float) -> None:
        at, started = SystemClock().now(), time.monotonic()
        seq = button.press()
        assert button.wait_for_ack(seq, timeout=within_s), f"press {seq} of {button.device_id}"
        acks.append(time.monotonic() - started)
        pressed[(button.device_id, button.boot_id, seq)] = at

    try:
        room_1, room_2 = buttons
        assert eventually(
            lambda: bridge.sources[0].online_devices() == {ROOM_1_BUTTON, ROOM_2_BUTTON}
        )
        proxy.cut()  # first an outage: three presses are held in the outbox
        for button in (room_1, room_2, room_1):
            press(button, within_s=10)
        assert bridge.sink.backlog == 3
        filler = fill_disk(tiny_disk)  # then the SD card fills up
        caplog.clear()
        caplog.set_level(logging.INFO)
        proxy.restore()  # and the database answers again

        # The held presses go out although the full file will not let them go...
        assert eventually(lambda: len(press_rows(direct)) == 3, timeout=15)
        # ...and every new press is committed at once, not queued behind a file that is stuck.
        acks.clear()
        for button in (room_2, room_1, room_2, room_1, room_2, room_1):
            press(button, within_s=5)
        full_disk_acks = list(acks)
        assert eventually(lambda: len(press_rows(direct)) == 9, timeout=10)
        assert room_1.wait_for_led("delivered") and room_2.wait_for_led("delivered")
        assert eventually(lambda: bridge.sink.backlog == 0, timeout=10)
        rows = press_rows(direct)
        assert len({(d, b, s) for d, b, s, _ in rows}) == 9, "each press exactly once"
        for device_id, boot_id, seq, pressed_at in rows:
            assert abs(pressed_at - pressed[(device_id, boot_id, seq)]) < timedelta(seconds=1)
        time.sleep(1.0)  # the forwarder keeps trying to clean the full file meanwhile
        lines = [r for r in caplog.records if r.levelno >= logging.INFO]
        assert len(lines) < 40, [r.getMessage() for r in lines]
        assert any("PRESS OUTBOX NOT WORKING" in r.getMessage() for r in lines)
        print(
            f"full disk: {len(full_disk_acks)} presses committed, slowest acknowledged after "
            f"{max(full_disk_acks):.3f} s; {len(lines)} log lines"
        )

        filler.unlink()  # room on the disk again: the forwarded presses leave the file
        assert eventually(lambda: bridge.outbox.held() == [], timeout=15)
        assert len(press_rows(direct)) == 9
    finally:
        bridge.stop()
        direct.dispose()
