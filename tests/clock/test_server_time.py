"""The ServerClock itself: a reading of the server's clock anchored to the monotonic clock, the
skew said once per change, no round trip per press, and SQLite's clock being this PC's."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, text

from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import FakeClock, SkewedClock, SystemClock
from safedesk.clock_skew import Skew, SkewState, skew_message, skew_words
from safedesk.db import Database
from safedesk.db.server_time import ServerClock, ServerClockTimer, server_clock_for
from safedesk.services.alarms.press_time import judge_press_time
from safedesk.services.staff.sign_in import SignInRefused, StaffSession
from tests.clock.conftest import TEN_MINUTES, SkewedPC
from tests.helpers.office import SeededOffice
from tests.security.guard_time import pass_time

SERVER_START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def server_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage().split(" (measured")[0]
        for r in caplog.records
        if r.name == "safedesk.db.server_time" and r.levelno >= logging.WARNING
    ]


def test_a_reading_counts_from_the_middle_of_its_round_trip_and_says_how_sure_it_is() -> None:
    pc = FakeClock(SERVER_START + timedelta(minutes=10))  # its wall clock is 10 min fast
    clock = ServerClock(pc, lambda _s: SERVER_START)
    skew = clock.observe(SERVER_START, pc.monotonic() - 0.004, pc.monotonic())  # 4 ms round trip
    assert clock.now() == SERVER_START + timedelta(seconds=0.002)
    assert skew.uncertainty_s == pytest.approx(0.002)
    assert skew.ahead_s == pytest.approx(600 - 0.002)
    pc.advance(30)
    assert clock.now() == SERVER_START + timedelta(seconds=30.002)


def test_a_pc_clock_stepped_by_ntp_moves_no_decision_only_the_skew_it_reports() -> None:
    server = FakeClock(SERVER_START)
    pi = SkewedClock(server, -3 * 86400)  # booted with a stale clock
    clock = ServerClock(pi, lambda _s: server.now(), who="Bridge pi-1")
    assert clock.now() == pi.now() and clock.skew() is None  # nothing better known yet
    clock.observe(server.now(), pi.monotonic(), pi.monotonic())
    assert clock.now() == server.now()
    pi.step(3 * 86400 + 7)  # NTP steps it (a little too far)
    server.advance(2)
    assert clock.now() == server.now()
    skew = clock.skew()
    assert skew is not None and skew.ahead_s == pytest.approx(7)


def test_the_skew_is_logged_once_per_change_and_does_not_flap_near_the_limit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="safedesk.db.server_time")
    server = FakeClock(SERVER_START)
    pc = SkewedClock(server, TEN_MINUTES)
    clock = ServerClock(pc, lambda _s: server.now(), who="Bridge BRIDGE-1")

    def read_every_minute(times: int) -> None:
        for _ in range(times):
            clock.observe(server.now(), pc.monotonic(), pc.monotonic())
            server.advance(60)

    read_every_minute(5)
    assert clock.state is SkewState.FAST
    for ahead in (28.0, 31.0, 27.0, 26.0):  # NTP slews it into step, hovering near 30 s
        pc.step(ahead - pc.ahead_s)
        read_every_minute(1)
    assert clock.state is SkewState.FAST
    pc.step(20.0 - pc.ahead_s)
    read_every_minute(3)
    pc.step(29.0 - pc.ahead_s)
    read_every_minute(1)
    pc.step(-45.0 - pc.ahead_s)
    read_every_minute(2)
    assert server_lines(caplog) == [
        "Bridge BRIDGE-1's clock is 10 min fast: alarms use the server's time",
        "Bridge BRIDGE-1's clock agrees with the database server's again (off by +20.0 s)",
        "Bridge BRIDGE-1's clock is 45 s slow: alarms use the server's time",
    ]


def test_a_jump_of_the_servers_own_clock_is_followed_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """NTP correcting the server, or a promoted standby whose clock differs a little."""
    server = FakeClock(SERVER_START)
    pc = SkewedClock(server, 0.0)
    clock = ServerClock(pc, lambda _s: server.now())
    clock.observe(server.now(), pc.monotonic(), pc.monotonic())
    server.advance(60)
    new_server_time = server.now() + timedelta(seconds=5)
    clock.observe(new_server_time, pc.monotonic(), pc.monotonic())
    assert clock.now() == new_server_time
    assert any("server's clock moved by +5.0 s" in line for line in server_lines(caplog))


def test_skew_words() -> None:
    assert skew_words(600) == "10 min fast"
    assert skew_words(-45.4) == "45 s slow"
    assert skew_words(-(2 * 3600 + 300)) == "2 h 5 min slow"
    assert skew_words(3 * 86400) == "3 days fast"
    assert skew_message(Skew(-600, 0.001)) == (
        "This PC's clock is 10 min slow: alarms use the server's time"
    )


def test_press_time_judgement_edges() -> None:
    now = SERVER_START
    assert judge_press_time(now + timedelta(seconds=30), now).doubt is None
    assert judge_press_time(now + timedelta(seconds=31), now).doubt is not None
    assert judge_press_time(now - timedelta(hours=1), now).doubt is None
    assert judge_press_time(now - timedelta(hours=1, seconds=1), now).doubt is not None


def test_on_sqlite_this_pcs_clock_is_the_servers_clock(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        pc = SkewedClock(FakeClock(SERVER_START), TEN_MINUTES)
        clock = server_clock_for(db, pc)
        assert clock.is_local and clock.measured
        assert clock.now() == pc.now()
        assert clock.skew() == Skew(0.0, 0.0)  # the database runs on this PC: nothing to read
        timer = ServerClockTimer(clock, db)
        timer.start()  # nothing to read: no thread
        assert timer._thread is None
    finally:
        db.dispose()


@pytest.mark.postgresql
def test_on_postgresql_the_servers_own_clock_is_read(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        clock = server_clock_for(db, SkewedClock(SystemClock(), TEN_MINUTES))
        assert not clock.measured
        skew = ServerClockTimer(clock, db).measure_once()
        assert skew is not None and skew.ahead_s == pytest.approx(TEN_MINUTES, abs=1.0)
        assert skew.uncertainty_s < 1.0
        with db.session() as s:
            server_now = s.scalar(text("SELECT clock_timestamp()"))
        assert isinstance(server_now, datetime)
        assert abs((clock.now() - server_now).total_seconds()) < 1.0
    finally:
        db.dispose()


@pytest.mark.postgresql
def test_a_database_that_does_not_answer_is_said_once_and_this_pcs_clock_kept_meanwhile(
    caplog: pytest.LogCaptureFixture,
) -> None:
    db = Database("postgresql://safedesk@127.0.0.1:1/safedesk")  # nothing listens there
    try:
        pc = SkewedClock(FakeClock(SERVER_START), TEN_MINUTES)
        clock = server_clock_for(db, pc)
        timer = ServerClockTimer(clock, db)
        assert [timer.measure_once() for _ in range(3)] == [None, None, None]
        assert clock.now() == pc.now() and clock.skew() is None
        lines = server_lines(caplog)
        assert len(lines) == 1 and lines[0].startswith("cannot read the database server's clock")
    finally:
        db.dispose()


@pytest.fixture
def clock_reads(pg_url: str) -> Iterator[tuple[Database, Callable[[], int]]]:
    """A PostgreSQL Database and a count of the statements that read the server's clock."""
    db = Database(pg_url)
    reads: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "clock_timestamp" in statement:
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    yield db, lambda: len(reads)
    db.dispose()


@pytest.mark.postgresql
def test_no_press_waits_for_an_extra_round_trip_once_the_servers_clock_is_known(
    office: SeededOffice, clock_reads: tuple[Database, Callable[[], int]]
) -> None:
    from safedesk.config import Config
    from safedesk.services.hub import Services

    db, reads = clock_reads
    clock = server_clock_for(db, SystemClock())
    services = Services.build(Config(), db, clock, "BENCH-PC")
    try:
        device_id = office.device_ids["Interview Room 1"]

        def press(seq: int) -> None:
            services.alarms.press(
                ButtonPress(device_id, seq, clock.now(), DeviceKind.SERIAL, boot_id=3)
            )

        press(1)  # the first press of a process that never read it: read in that transaction
        assert reads() == 1
        for seq in range(2, 12):
            press(seq)
        assert reads() == 1  # ten more presses: none
    finally:
        services.close()


def test_five_wrong_passwords_from_a_pc_20_minutes_fast_lock_for_the_policys_minute_only(
    db: Database,
    office: SeededOffice,
    clock: FakeClock,
    skewed_pc: Callable[..., SkewedPC],
) -> None:
    """The lockout is reckoned on the server's time (PostgreSQL: inside the guard's functions)."""
    from safedesk.demo.office import DEMO_PASSWORD

    fast = skewed_pc("PC-FAST", 20 * 60)
    fast_desk = StaffSession(fast.services.db, fast.clock, workstation="PC-FAST")
    for _ in range(5):
        with pytest.raises(SignInRefused):
            fast_desk.sign_in("psharma", "not-her-password")
    other_desk = StaffSession(db, clock, workstation="PC-RECEPTION-1")
    with pytest.raises(SignInRefused, match="Too many wrong passwords"):
        other_desk.sign_in("psharma", DEMO_PASSWORD)
    pass_time(db, clock, fast_desk.policy.first_lock_s + 1)
    assert other_desk.sign_in("psharma", DEMO_PASSWORD).login == "psharma"
