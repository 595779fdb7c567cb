"""The 1366x768 screen of an office PC for the offscreen Qt platform (whose own is 800x800).

A full-screen alert is judged on the screen it covers, so tests that show one need the office
size. Must run before pytest-qt creates the QApplication (at the first test), i.e. at import.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

OFFICE_SCREEN = (1366, 768)


def use_office_screen() -> None:
    """Make the offscreen platform's screen 1366x768 (a real display is left alone)."""
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        return  # a real display, or a configuration someone chose
    width, height = OFFICE_SCREEN
    screen = {"name": "office-pc", "x": 0, "y": 0, "width": width, "height": height}
    config = Path(tempfile.gettempdir()) / f"safedesk-offscreen-{width}x{height}.json"
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config.as_posix()}"
