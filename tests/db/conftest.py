"""Database fixtures: the demo office on a real database, the services on it, and a real 1 MB
filesystem to fill (the bridge's full-disk harness)."""

from __future__ import annotations

from tests.alarm.conftest import SeededOffice, office, services  # noqa: F401  (fixtures)
from tests.bridge.conftest import tiny_disk  # noqa: F401  (fixture)

__all__ = ["SeededOffice"]
