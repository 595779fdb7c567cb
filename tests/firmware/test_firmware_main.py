"""main.py itself under MicroPython: maintenance mode, and a crash restarting the board."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.firmware.firmware_paths import (
    FAKE_MACHINE,
    FIRMWARE,
    interpreter_command,
)

SETTINGS = (FIRMWARE / "button_settings.py").read_text()


def run_main(tmp_path: Path, pins: dict[str, str], settings: str = SETTINGS) -> tuple[int, str]:
    """Run main.py with the given pin levels and settings; returns (exit code, output)."""
    pin_dir = tmp_path / "pins"
    pin_dir.mkdir()
    for pin, level in pins.items():
        (pin_dir / pin).write_text(level)
    board = tmp_path / "board"  # laid out as on the Pico: everything in one folder
    board.mkdir()
    for source in FIRMWARE.glob("*.py"):
        shutil.copyfile(source, board / source.name)
    (board / "button_settings.py").write_text(settings)
    command, env = interpreter_command("micropython")
    env["MICROPYPATH"] = str(FAKE_MACHINE)
    env["FAKE_MACHINE_PINS"] = str(pin_dir)
    try:
        done = subprocess.run(
            [*command, str(board / "main.py")],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=env,
            timeout=3,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        output = (expired.stdout or b"") + (expired.stderr or b"")
        return -1, output.decode(errors="replace")
    return done.returncode, (done.stdout + done.stderr).decode(errors="replace")


def test_held_at_power_up_the_button_enters_maintenance_and_leaves_the_line_alone(
    tmp_path: Path,
) -> None:
    code, output = run_main(tmp_path, {"15": "0"})
    assert code == 0
    assert output == ""  # no frames, no watchdog: the REPL is free for mpremote


def test_in_service_the_button_keeps_running_and_says_hello(tmp_path: Path) -> None:
    code, output = run_main(tmp_path, {"15": "1"})
    assert code == -1  # still running when the test stopped waiting
    assert output.startswith("$1,HELLO,pico-e6614c311b7e5d2f,")


def test_a_bug_in_the_loop_is_reported_on_the_line_and_the_board_restarts(
    tmp_path: Path,
) -> None:
    broken = SETTINGS.replace("DEBOUNCE_MS = 30", 'DEBOUNCE_MS = "thirty"')
    assert broken != SETTINGS
    code, output = run_main(tmp_path, {"15": "1"}, broken)
    assert "Traceback" in output and "TypeError" in output
    assert "machine.reset()" in output  # the stand-in's reset ends the process
    assert code != 0
