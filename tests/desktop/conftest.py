"""Desktop fixtures: the seeded demo office (shared with the alarm tests) and screens on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.alarm.conftest import SeededOffice, office, services  # noqa: F401  (fixtures)
from tests.desktop.screens import Screen

__all__ = ["SeededOffice"]


@pytest.fixture
def screens() -> Iterator[list[Screen]]:
    """Screens opened by a test are closed after it, whatever happens."""
    opened: list[Screen] = []
    yield opened
    for screen in opened:
        screen.close()
