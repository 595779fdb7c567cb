"""Run firmware code under the real MicroPython interpreter (and CPython) from pytest."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.firmware.firmware_paths import interpreter_command

RunScript = Callable[[str], dict[str, Any]]


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
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    return run
