"""Bridge fixtures: the seeded demo office (from the alarm tests), a TCP proxy to PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from tests.alarm.conftest import SeededOffice, office, services  # noqa: F401  (fixtures)
from tests.bridge.tcp_proxy import TcpProxy

__all__ = ["SeededOffice"]


@pytest.fixture
def pg_proxy(pg_url: str) -> Iterator[tuple[TcpProxy, str]]:
    """A proxy in front of this test's PostgreSQL database, and the URL that goes through it."""
    url = make_url(pg_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        yield proxy, url.set(port=proxy.port).render_as_string(hide_password=False)
    finally:
        proxy.close()
