"""Clock fixtures: the seeded office (its own PC's FakeClock is the database server's clock), and
PCs or bridges whose own clocks are minutes off it, each on its own connections."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from safedesk.clock import FakeClock, SkewedClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.db.server_time import ServerClock, ServerClockTimer, server_clock_for
from safedesk.services.hub import Services
from tests.helpers.office import SeededOffice

__all__ = ["SeededOffice", "SkewedPC"]

TEN_MINUTES = 600.0


@dataclass
class SkewedPC:
    """A PC or bridge: its own clock (``local``), the server's time it runs on, its services."""

    local: SkewedClock
    clock: ServerClock
    services: Services


@pytest.fixture
def skewed_pc(db_url: str, clock: FakeClock) -> Iterator[Callable[..., SkewedPC]]:
    """``skewed_pc(name, ahead_s)``: a PC whose clock is ``ahead_s`` off the server's (the test's
    FakeClock), wired as production wires one: every service on its ServerClock, which has read
    the server's clock once (``measured=False``: not yet, as at boot before the database answers).
    """
    built: list[SkewedPC] = []

    def build(name: str, ahead_s: float, *, measured: bool = True) -> SkewedPC:
        db = Database(db_url)
        local = SkewedClock(clock, ahead_s)
        server_clock = server_clock_for(db, local, server=clock, who=name)
        if measured:
            assert ServerClockTimer(server_clock, db).measure_once() is not None
        pc = SkewedPC(local, server_clock, Services.build(Config(), db, server_clock, name))
        built.append(pc)
        return pc

    yield build
    for pc in built:
        pc.services.close()
        pc.services.db.dispose()
