"""PCs a test opens, closed after it whatever happens: whole SafeDesk apps (``desktops``) and
alarm screens (``screens``, tests/helpers/screens.py). Registered in the root conftest; this
module imports no Qt, so a headless run loads it too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from desktop.app import DesktopApp
    from tests.helpers.screens import Screen


def shut(desktop: DesktopApp) -> None:
    """Close one PC as quitting SafeDesk would, its Qt objects deleted in the GUI thread."""
    desktop.shutdown()
    desktop.window.close_guard = None
    desktop.window.close()
    desktop.services.db.dispose()
    for qobject in (desktop.window, desktop.controller, desktop.adapter, desktop.sound):
        qobject.deleteLater()


@pytest.fixture
def desktops() -> Iterator[list[DesktopApp]]:
    """The SafeDesk apps a test opens (``desktops.append(build_desktop(...))``), shut after it."""
    opened: list[DesktopApp] = []
    yield opened
    for desktop in opened:
        shut(desktop)


@pytest.fixture
def screens() -> Iterator[list[Screen]]:
    """The alarm screens a test opens (``screens.append(open_screen(...))``), closed after it."""
    opened: list[Screen] = []
    yield opened
    for screen in opened:
        screen.close()
