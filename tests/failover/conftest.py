"""Failover fixtures: a primary with a synchronous hot standby of the tests' own, migrated through
the multi-host URL every PC is given, with the demo office seeded (never the shared server)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from safedesk.clock import SystemClock
from safedesk.db import Database
from safedesk.db.migrate import upgrade
from tests.helpers.gui import qt_objects_die_here
from tests.helpers.office import SeededOffice, seed_demo_office
from tests.helpers.pg_replication import ReplicatedPair, replicated_pair


@dataclass(frozen=True)
class FailoverOffice:
    pair: ReplicatedPair
    url: str  # both servers, target_session_attrs=read-write: what every PC is given
    office: SeededOffice


def migrate_and_seed(pair: ReplicatedPair, name: str = "safedesk") -> FailoverOffice:
    """``safedesk db upgrade`` through the multi-host URL, then the demo office's rooms,
    buttons and staff."""
    pair.create_database(name)
    url = pair.url(name)
    db = Database(url)
    try:
        upgrade(db.engine)
        with db.session() as s:
            office = seed_demo_office(s, SystemClock().now())
    finally:
        db.dispose()
    return FailoverOffice(pair, url, office)


@pytest.fixture
def synchronous_office() -> Iterator[FailoverOffice]:
    """Primary + synchronous standby streaming directly; both stopped afterwards, always."""
    with replicated_pair(synchronous=True) as pair:
        yield migrate_and_seed(pair)


@pytest.fixture
def office_with_cuttable_standby() -> Iterator[FailoverOffice]:
    """Primary + synchronous standby streaming through a proxy the test may cut."""
    with replicated_pair(synchronous=True, via_proxy=True) as pair:
        yield migrate_and_seed(pair)


@pytest.fixture
def office_with_async_standby() -> Iterator[FailoverOffice]:
    """Primary + asynchronous standby (PostgreSQL's default) through a proxy the test may cut."""
    with replicated_pair(synchronous=False, via_proxy=True) as pair:
        yield migrate_and_seed(pair)


@pytest.fixture(autouse=True)
def _qt_objects_die_in_the_gui_thread() -> Iterator[None]:
    """Pending deleteLater()s run here, in the GUI thread, not in a later collection elsewhere
    (after every failover test: the bus adapter's Qt objects live in tests without widgets too)."""
    yield
    qt_objects_die_here()
