"""With the database AND the outbox failing, the log says so once, not once per resend.

Before: every resend of every press (a button resends every 2 s until acknowledged) logged a
"database unreachable" warning in the outbox sink, and each new press a traceback in the serial
driver; with heartbeats failing too (no outbox: the alarm service itself), a traceback every
2 s per button. Real parts: the serial driver on real pseudo-terminal pairs with simulated USB
buttons, the real outbox sink and outbox file; the database at the edge is a sink that is down,
and the outbox file is one whose writes fail (a full disk).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from hardware.serial_button import SerialButtonConfig, SerialButtonSource
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.button_events import ButtonPress, DeviceHeard, PressSink
from safedesk.clock import SystemClock
from safedesk.outbox import LocalOutbox, OutboxError, StoreAndForwardSink
from tests.hardware.recording_sink import RecordingSink, SinkDownError

BUTTONS = 3
WATCHED = ("hardware", "safedesk.outbox")


class FullDiskOutbox(LocalOutbox):
    """An outbox file on a disk with no room left: every write fails as sqlite reports it."""

    def add(self, press: ButtonPress, held_at: datetime, error: str) -> int | None:
        raise OutboxError(f"cannot write to the press outbox {self.path}: database or disk is full")


class DownHeartbeats(RecordingSink):
    """Heartbeats fail too while down (the alarm service without its database)."""

    def heard(self, heard: DeviceHeard) -> None:
        if self.down:
            raise SinkDownError("database unreachable (test sink is down)")
        super().heard(heard)


@pytest.fixture
def sink() -> DownHeartbeats:
    return DownHeartbeats()


@pytest.fixture
def buttons(tmp_path: Path) -> Iterator[list[SimulatedSerialDevice]]:
    made = [
        SimulatedSerialDevice(
            device_id=f"room-{n}-button", heartbeat_s=0.1, resend_s=0.1, host_timeout_s=5.0
        )
        for n in range(1, BUTTONS + 1)
    ]
    for button in made:
        button.plug_in()
    try:
        yield made
    finally:
        for button in made:
            button.close()


@pytest.fixture
def start() -> Iterator[Callable[[PressSink, list[SimulatedSerialDevice]], SerialButtonSource]]:
    """Start the driver on the buttons' ports, feeding the given sink; stopped afterwards."""
    started: list[SerialButtonSource] = []

    def make(sink: PressSink, buttons: list[SimulatedSerialDevice]) -> SerialButtonSource:
        config = SerialButtonConfig(
            port_urls=tuple(b.port_path for b in buttons), discover=False, scan_interval_s=0.05
        )
        source = SerialButtonSource(sink, SystemClock(), config)
        source.start()
        started.append(source)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if {b.device_id for b in buttons} <= source.online_devices():
                return source
            time.sleep(0.02)
        raise AssertionError("the buttons did not come online")

    yield make
    for source in started:
        source.stop()


def lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.levelno >= logging.INFO and r.name.startswith(WATCHED) and "Listening" not in r.msg
    ]


def test_presses_resent_while_database_and_outbox_both_fail_are_logged_once_each(
    start: Callable[[PressSink, list[SimulatedSerialDevice]], SerialButtonSource],
    sink: DownHeartbeats,
    buttons: list[SimulatedSerialDevice],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    outbox = FullDiskOutbox(tmp_path / "outbox.sqlite3")
    store = StoreAndForwardSink(sink, outbox, SystemClock())
    store.start()
    try:
        start(store, buttons)
        caplog.clear()
        sink.set_down(True)
        pressed = [(button, button.press()) for button in buttons]
        # Every button resends every 0.1 s: dozens of failed attempts in 3 s.
        assert sink.wait_until(lambda: len(sink.failed_presses) >= 30 * BUTTONS, timeout=15)
        during = lines(caplog)
        print(f"{len(sink.failed_presses)} failed attempts: {len(during)} log lines")
        for record in during:
            print(f"  {record.levelname} {record.name}: {record.getMessage()[:100]}")
        tracebacks = [r for r in during if r.exc_info]
        assert len(tracebacks) == 1, "the driver's first failure, with its trace, only"
        # Per press: the driver's line and the outbox's; once each: the database, the outbox,
        # the heartbeats. However many resends (90 here; was one warning each).
        assert len(during) <= 2 * BUTTONS + 3
        assert not any(button.is_acked(seq) for button, seq in pressed)

        caplog.clear()
        sink.set_down(False)
        for button, seq in pressed:
            assert button.wait_for_ack(seq, timeout=10)
        after = [r for r in lines(caplog) if r.levelno >= logging.WARNING]
        messages = [r.getMessage() for r in after]
        assert sum("committed again" in m for m in messages) == 1, messages
        assert sum("database answers again" in m for m in messages) == 1, messages
        assert len(after) <= 3, messages
        assert len(sink.alarms) == BUTTONS
    finally:
        store.stop()
        outbox.close()


def test_heartbeats_failing_without_an_outbox_are_logged_once_not_every_two_seconds(
    start: Callable[[PressSink, list[SimulatedSerialDevice]], SerialButtonSource],
    sink: DownHeartbeats,
    buttons: list[SimulatedSerialDevice],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    start(sink, buttons)  # the alarm service itself, no outbox
    caplog.clear()
    sink.set_down(True)
    time.sleep(1.5)  # 15 heartbeats per button
    during = lines(caplog)
    assert len([r for r in during if "heartbeat" in r.getMessage()]) == 1, [
        r.getMessage() for r in during
    ]
    sink.set_down(False)
    assert sink.wait_until(lambda: len(sink.heard_events) > 0 and not sink.down)
    time.sleep(0.3)
    recovered = [r.getMessage() for r in lines(caplog) if "recorded again" in r.getMessage()]
    assert len(recovered) == 1, recovered
