"""End to end: the real firmware (main.py under MicroPython) talks to the real serial driver.

The firmware's USB serial is one pty, the driver opens another, and a relay joins them while
decoding what the button says (as pyserial's spy:// would). The button is pressed through the
stand-in machine's pin files.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import sys
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware import wire_protocol as protocol
from hardware.button_source import DeviceStatus
from safedesk.button_events import DeviceKind, LedState
from tests.hardware.conftest import SourceFactory
from tests.hardware.recording_sink import RecordingSink
from tests.helpers.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]
MICROPYTHON = Path(sys.executable).parent / "micropython"
DEVICE_ID = "pico-e6614c311b7e5d2f"  # from the stand-in machine.unique_id()


class Relay:
    """Joins two pty masters, keeping a decoded copy of what the button sends."""

    def __init__(self, a: int, b: int) -> None:
        self.a, self.b = a, b
        self.from_button: list[protocol.Frame] = []
        self._decoder = protocol.FrameDecoder()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.a, self.b], [], [], 0.02)
            for fd in ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    continue
                if fd == self.a:
                    self.from_button += self._decoder.feed(data)
                    os.write(self.b, data)
                else:
                    os.write(self.a, data)

    def heartbeat_states(self) -> list[str]:
        return [f.arg for f in list(self.from_button) if f.kind == protocol.HEARTBEAT]

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


@pytest.fixture
def pico(tmp_path: Path) -> Iterator[tuple[str, Path, Relay]]:
    """The firmware running under MicroPython; yields (port for the driver, pin dir, relay)."""
    pins = tmp_path / "pins"
    pins.mkdir()
    (pins / "15").write_text("1")  # released: held at power-up would mean maintenance mode
    button_master, button_slave = os.openpty()
    host_master, host_slave = os.openpty()
    tty.setraw(button_slave)
    tty.setraw(host_slave)
    # Laid out as on the Pico, in a folder of its own: the boot counter file is written there.
    board = tmp_path / "board"
    board.mkdir()
    for source in (ROOT / "firmware_bridge" / "firmware").glob("*.py"):
        shutil.copyfile(source, board / source.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MICROPY"))}
    env["MICROPYPATH"] = str(ROOT / "tests" / "firmware" / "fake_machine")
    env["FAKE_MACHINE_PINS"] = str(pins)
    firmware = subprocess.Popen(
        [str(MICROPYTHON), str(board / "main.py")],
        stdin=button_slave,
        stdout=button_slave,
        stderr=subprocess.PIPE,
        env=env,
    )
    relay = Relay(button_master, host_master)
    try:
        yield os.ttyname(host_slave), pins, relay
    finally:
        firmware.terminate()
        try:
            firmware.wait(timeout=5)
        except subprocess.TimeoutExpired:
            firmware.kill()
            firmware.wait()
        relay.stop()
        for fd in (button_master, button_slave, host_master, host_slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        if firmware.stderr is not None:
            errors = firmware.stderr.read().decode(errors="replace")
            firmware.stderr.close()
            assert "Traceback" not in errors, errors


def test_the_real_firmware_raises_an_alarm_through_the_serial_driver_and_shows_help_is_coming(
    pico: tuple[str, Path, Relay],
    serial_source: tuple[SourceFactory, list[DeviceStatus]],
    sink: RecordingSink,
) -> None:
    port, pins, relay = pico
    make, statuses = serial_source
    source = make(port, silent_after_s=6.0)  # the firmware beats every 2 s
    assert eventually(lambda: DEVICE_ID in source.online_devices())
    assert eventually(lambda: source.firmware_version(DEVICE_ID) == "1.1.0")

    (pins / "15").write_text("0")  # press
    time.sleep(0.2)
    (pins / "15").write_text("1")  # release
    assert sink.wait_until(lambda: len(sink.presses) == 1, timeout=5)
    press = sink.presses[0]
    assert press.device_id == DEVICE_ID and press.source is DeviceKind.SERIAL
    assert press.sequence == 1 and press.boot_id is not None
    assert eventually(lambda: "delivered" in relay.heartbeat_states())
    assert (pins / "LED").read_text() == "1"  # steady on: help is coming

    source.set_led(DEVICE_ID, LedState.RESPONDING)
    assert eventually(lambda: relay.heartbeat_states()[-1:] == ["responding"])
    source.set_led(DEVICE_ID, LedState.IDLE)
    assert eventually(lambda: relay.heartbeat_states()[-1:] == ["idle"])
    assert len(sink.alarms) == 1
    assert [s.online for s in statuses] == [True]
