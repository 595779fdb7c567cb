"""Fixtures for driver tests: a recording sink, a simulated USB button on a real pty, a driver."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hardware.button_source import DeviceStatus
from hardware.serial_button import SerialButtonConfig, SerialButtonSource
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.clock import Clock, SystemClock
from tests.hardware.recording_sink import RecordingSink


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def button(tmp_path: Path) -> Iterator[SimulatedSerialDevice]:
    """A USB button plugged in on a fresh pty, reachable through a by-id style symlink."""
    device = SimulatedSerialDevice(
        device_id="room-3-button",
        heartbeat_s=0.2,
        resend_s=0.2,
        host_timeout_s=2.0,
        link_path=tmp_path / "ttyBUTTON",
    )
    device.plug_in()
    try:
        yield device
    finally:
        device.close()


SourceFactory = Callable[..., SerialButtonSource]


@pytest.fixture
def serial_source(
    sink: RecordingSink, caplog: pytest.LogCaptureFixture
) -> Iterator[tuple[SourceFactory, list[DeviceStatus]]]:
    """Start a serial driver on given ports with short test timings; stopped afterwards."""
    caplog.set_level(logging.INFO)
    statuses: list[DeviceStatus] = []
    started: list[SerialButtonSource] = []

    def make(*urls: str, clock: Clock | None = None, **overrides: object) -> SerialButtonSource:
        settings: dict[str, object] = {
            "port_urls": tuple(urls),
            "discover": False,
            "scan_interval_s": 0.05,
            "backoff_initial_s": 0.05,
            "backoff_max_s": 0.4,
            "silent_after_s": 5.0,
        }
        settings.update(overrides)
        source = SerialButtonSource(
            sink,
            clock or SystemClock(),
            SerialButtonConfig(**settings),  # type: ignore[arg-type]
            on_status=statuses.append,
        )
        source.start()
        started.append(source)
        return source

    try:
        yield make, statuses
    finally:
        for source in started:
            source.stop()
