"""Alarm path fixtures: the demo office and the services on it come from the root conftest
(tests/helpers/office.py); the names stay importable from here for the areas that still do."""

from __future__ import annotations

from tests.helpers.office import SeededOffice, office, services  # noqa: F401  (fixtures)

__all__ = ["SeededOffice"]
