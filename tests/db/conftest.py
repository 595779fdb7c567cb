"""Database fixtures: a real 1 MB filesystem to fill (the bridge's full-disk harness); the demo
office and the services on it come from the root conftest (tests/helpers/office.py)."""

from __future__ import annotations

from tests.bridge.conftest import tiny_disk  # noqa: F401  (fixture)
