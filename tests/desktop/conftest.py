"""Desktop fixtures: the seeded demo office (shared with the alarm tests) and screens on it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from tests.alarm.conftest import SeededOffice, office, services  # noqa: F401  (fixtures)
from tests.desktop.office_screen import use_office_screen
from tests.desktop.screens import Screen

__all__ = ["SeededOffice"]


use_office_screen()  # before pytest-qt creates the QApplication


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
