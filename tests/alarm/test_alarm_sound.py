"""The alarm is heard: real playback into a PulseAudio null sink, and an honest NO SOUND without one.

Each scenario runs in a fresh process (see sound_scenarios.py): Qt's audio backend binds to the
sound server once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.alarm.pulse_sink import pulse_server

ROOT = Path(__file__).resolve().parents[2]


def _run_scenario(name: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "python_files=sound_scenarios.py",
            "-o",
            "python_functions=scenario_*",
            f"tests/alarm/sound_scenarios.py::{name}",
            "-k",
            "sqlite",
        ],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout, result.stdout[-2000:]


@pytest.mark.gui
def test_alarm_sound_really_plays_and_stops_on_acknowledgement() -> None:
    with pulse_server() as env:
        _run_scenario("scenario_alarm_sound_plays_until_acknowledged_on_this_screen", env)


@pytest.mark.gui
def test_pc_without_audio_output_shows_no_sound_on_the_alert(tmp_path: Path) -> None:
    nowhere = tmp_path / "no-sound-server"
    _run_scenario(
        "scenario_pc_without_audio_output_says_no_sound",
        {
            "PULSE_SERVER": f"unix:{nowhere}",
            "XDG_RUNTIME_DIR": str(tmp_path),
            "HOME": str(tmp_path),
        },
    )
