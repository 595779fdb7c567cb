"""Desktop fixtures: the seeded demo office (shared with the alarm tests) and screens on it."""

from __future__ import annotations

import gc
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from tests.alarm.conftest import SeededOffice, office, services  # noqa: F401  (fixtures)
from tests.desktop.screens import Screen

__all__ = ["SeededOffice"]


def _office_screen() -> None:
    """The offscreen platform's one screen is 800x800; a full-screen alert must be judged on the
    1366x768 of an office PC. Set before pytest-qt creates the QApplication (at the first test)."""
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        return  # a real display, or a configuration someone chose
    screen = {"name": "office-pc", "x": 0, "y": 0, "width": 1366, "height": 768}
    config = Path(tempfile.gettempdir()) / "safedesk-offscreen-1366x768.json"
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config.as_posix()}"


_office_screen()


@pytest.fixture
def screens() -> Iterator[list[Screen]]:
    """Screens opened by a test are closed after it, whatever happens."""
    opened: list[Screen] = []
    yield opened
    for screen in opened:
        screen.close()


@pytest.fixture(autouse=True)
def _qt_objects_die_in_the_gui_thread() -> Iterator[None]:
    """After each test, run pending deleteLater()s and collect garbage here, in the GUI thread.

    pytest-qt never returns to a top-level event loop, so deferred deletes would wait, and a later
    garbage collection triggered on a driver or bus thread would destroy Qt objects there (crash).
    """
    yield
    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
