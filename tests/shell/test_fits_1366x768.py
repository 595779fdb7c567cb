"""SafeDesk fits a 1366x768 laptop: the window, its Switch user / Sign out bar, a long role list
and the "visitor has arrived" popup (issue 10, item 21).

Qt's offscreen screen is 800x800, so the checks run in a child pytest whose screen is configured
as 1366x768 (the offscreen platform's ``configfile``); see ``at_1366x768.py`` for what they do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def test_safedesk_fits_a_1366x768_screen(tmp_path: Path) -> None:
    screens = tmp_path / "screen.json"
    screens.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "laptop",
                        "x": 0,
                        "y": 0,
                        "width": 1366,
                        "height": 768,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        )
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={screens}",
        "SAFEDESK_REQUIRE_POSTGRESQL": "",  # the child runs SQLite only: the screen is the point
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(HERE / "at_1366x768.py"),
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "not postgresql",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = done.stdout[-4000:] + done.stderr[-2000:]
    assert done.returncode == 0, summary
    assert "5 passed" in done.stdout, summary
