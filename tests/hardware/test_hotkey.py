"""The reception desk's global panic hotkey: on a real X server (Xvfb), and with no display at all.

pynput picks its backend when first imported, from the environment of the process, so each case
runs in its own interpreter with the DISPLAY it needs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT_PRELUDE = """
import json, logging, sys, time
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
from hardware.hotkey import HotkeyButtonSource, HotkeyError
from safedesk.clock import SystemClock
from tests.hardware.recording_sink import RecordingSink
sink = RecordingSink()
statuses = []
source = HotkeyButtonSource(sink, SystemClock(), "reception-desk-1", heartbeat_s=0.1,
                            on_status=statuses.append)
"""


def run_python(script: str, display: str | None) -> tuple[dict[str, Any], str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    if display is not None:
        env["DISPLAY"] = display
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT_PRELUDE + textwrap.dedent(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


@pytest.fixture
def x_display() -> Iterator[str]:
    """A private Xvfb server (with the RECORD extension pynput listens through)."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.fail("Xvfb is missing: install the xvfb package (system-packages.txt)")
    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    server = subprocess.Popen(
        [
            xvfb,
            f":{number}",
            "-screen",
            "0",
            "640x480x24",
            "-nolisten",
            "tcp",
            "+extension",
            "RECORD",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert server.poll() is None, "Xvfb exited at start"
            assert time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.05)
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_hotkey_raises_an_alarm_for_the_reception_desk_from_any_window(
    x_display: str,
) -> None:
    result, log = run_python(
        """
        from pynput import keyboard
        source.start()
        typist = keyboard.Controller()
        time.sleep(0.3)
        with typist.pressed(keyboard.Key.ctrl, keyboard.Key.shift):
            typist.press(keyboard.Key.f12)
            typist.release(keyboard.Key.f12)
        ok = sink.wait_until(lambda: len(sink.presses) == 1 and len(sink.heard_events) >= 2)
        time.sleep(0.2)
        press = sink.presses[0]
        print(json.dumps({"ok": ok, "available": source.available, "presses": len(sink.presses),
                          "device": press.device_id, "source": press.source.value,
                          "boot": press.boot_id == source.boot_id, "led": source.led.value,
                          "online": sorted(source.online_devices())}))
        source.stop()
        """,
        x_display,
    )
    assert result == {
        "ok": True,
        "available": True,
        "presses": 1,
        "device": "reception-desk-1",
        "source": "hotkey",
        "boot": True,
        "led": "delivered",
        "online": ["reception-desk-1"],
    }
    assert "raises alarms for reception-desk-1" in log


def test_a_hotkey_pynput_cannot_read_is_refused_with_the_key_named(x_display: str) -> None:
    result, _ = run_python(
        """
        bad = HotkeyButtonSource(sink, SystemClock(), "reception-desk-1", hotkey="<ctrl>+<nokey>")
        try:
            bad.start()
            message = None
        except HotkeyError as exc:
            message = str(exc)
        bad.stop()
        print(json.dumps({"message": message}))
        """,
        x_display,
    )
    assert result["message"] is not None and "<ctrl>+<nokey>" in result["message"]


def test_without_a_display_the_hotkey_says_so_stays_offline_and_app_presses_still_arrive() -> None:
    result, log = run_python(
        """
        source.start()
        source.press()   # the desktop app's own shortcut or on-screen button
        ok = sink.wait_until(lambda: len(sink.presses) == 1)
        time.sleep(0.3)
        print(json.dumps({"ok": ok, "available": source.available,
                          "reason": source.unavailable_reason,
                          "online": sorted(source.online_devices()),
                          "heard": len(sink.heard_events)}))
        source.stop()
        """,
        display=None,
    )
    assert result["ok"] is True
    assert result["available"] is False
    assert "no keyboard access" in result["reason"]
    assert result["online"] == [] and result["heard"] == 0  # supervision will show it OFFLINE
    assert "Global panic hotkey <ctrl>+<shift>+<f12> is NOT available on this PC" in log
    assert "Traceback" not in log


def test_a_global_hotkey_press_carries_who_is_signed_in_at_the_desk_even_if_that_fails(
    x_display: str,
) -> None:
    """The desk's press audit names the person signed in when the key went down; a failure to
    tell who never stops the press."""
    result, log = run_python(
        """
        from pynput import keyboard
        from safedesk.button_events import PressedBy
        who = iter([PressedBy(7, "gholt", "PC-RECEPTION-1"), RuntimeError("session gone")])

        def signed_in():
            answer = next(who)
            if isinstance(answer, Exception):
                raise answer
            return answer

        desk = HotkeyButtonSource(sink, SystemClock(), "reception-desk-1", pressed_by=signed_in)
        desk.start()
        typist = keyboard.Controller()
        time.sleep(0.3)
        for _ in range(2):
            with typist.pressed(keyboard.Key.ctrl, keyboard.Key.shift):
                typist.press(keyboard.Key.f12)
                typist.release(keyboard.Key.f12)
            time.sleep(0.2)
        ok = sink.wait_until(lambda: len(sink.presses) == 2)
        by = [p.pressed_by for p in sink.presses]
        print(json.dumps({"ok": ok, "by": [b and [b.staff_id, b.login, b.workstation] for b in by]}))
        desk.stop()
        """,
        x_display,
    )
    assert result == {"ok": True, "by": [[7, "gholt", "PC-RECEPTION-1"], None]}
    assert "cannot tell who pressed the panic hotkey; the press goes ahead" in log
