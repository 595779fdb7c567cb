"""A bug is loud and named as one; only the environment is "cannot reach the database".

Real parts: the migrated SQLite file database with a table dropped (the bug a missing migration
or a wrong file leaves), the real alarm service and the PC's press outbox around it, the SQLite
alarm bus's pump; for the environment, the same database on a real 1 MB filesystem filled to the
last byte. Before: SQLite's "no such table" is an ``OperationalError``, so it came out as
``DatabaseUnavailable``: the press was held as "the database is unreachable" and retried every few
seconds with one WARNING line and no traceback, and the bus said NOT CONNECTED.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from safedesk.alarm_bus.sqlite_bus import SqliteAlarmBus
from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database, DatabaseUnavailable
from safedesk.db.failures import is_internal_error_text
from safedesk.demo.office import seed_office
from safedesk.models import AlarmPress, PanicDevice, Room
from safedesk.outbox import LocalOutbox, StoreAndForwardSink
from safedesk.services.hub import Services
from tests.bridge.conftest import fill_disk
from tests.helpers.office import SeededOffice
from tests.helpers.waiting import eventually

on_sqlite = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM = "Interview Room 1"


def drop_table(url: str, table: str) -> None:
    """What a missing migration leaves: the file is there, the table is not."""
    with sqlite3.connect(make_url(url).database or "") as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(f"DROP TABLE {table}")


def a_press(office: SeededOffice, clock: FakeClock, sequence: int = 1) -> ButtonPress:
    return ButtonPress(
        device_id=office.device_ids[ROOM],
        sequence=sequence,
        pressed_at=clock.now(),
        source=DeviceKind.SERIAL,
        boot_id=7,
    )


def tracebacks(caplog: pytest.LogCaptureFixture, level: int = logging.ERROR) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= level and r.exc_info]


@on_sqlite
def test_a_dropped_table_raises_the_bug_itself_not_database_unavailable(
    db_url: str, db: Database
) -> None:
    drop_table(db_url, "alarm_presses")
    with (
        pytest.raises(OperationalError, match="no such table: alarm_presses") as caught,
        db.session() as s,
    ):
        s.scalars(select(AlarmPress)).all()
    assert not isinstance(caught.value, DatabaseUnavailable)
    db.ping()  # the database itself answers: this is no outage


@on_sqlite
def test_a_press_that_hits_a_dropped_table_is_held_and_reported_as_an_internal_error(
    db_url: str,
    db: Database,
    office: SeededOffice,
    services: Services,
    clock: FakeClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    outbox = LocalOutbox(tmp_path / "outbox.sqlite3")
    sink = StoreAndForwardSink(services.alarms, outbox, clock)
    drop_table(db_url, "alarm_presses")
    caplog.set_level(logging.INFO)
    press = a_press(office, clock)

    receipt = sink.press(press)

    # Never lost: kept in the outbox, the device acknowledged as "not delivered".
    assert receipt.held and outbox.count() == 1
    # Named for what it is: an internal error, not "sent as soon as the database answers".
    assert receipt.internal_error is not None
    assert is_internal_error_text(receipt.internal_error)
    assert "no such table: alarm_presses" in receipt.internal_error
    assert "(see the log)" in receipt.internal_error
    # Loud: in the log with the traceback, and no "database unreachable" line.
    assert any("refused by the alarm service" in m for m in tracebacks(caplog))
    assert not any("unreachable" in r.getMessage() for r in caplog.records)

    # The table is mended: the held press goes in with its original press time.
    AlarmPress.__table__.create(db.engine)  # type: ignore[attr-defined]
    assert sink.forward_now() == 0
    with db.session() as s:
        [row] = s.scalars(select(AlarmPress)).all()
    assert (row.device_id, row.sequence, row.pressed_at) == (
        press.device_id,
        1,
        press.pressed_at,
    )
    outbox.close()


@on_sqlite
def test_the_alarm_bus_on_a_dropped_table_says_internal_error_not_not_connected(
    db_url: str, db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    bus = SqliteAlarmBus(db, clock, poll_interval_s=0.01)
    sub = bus.subscribe()
    try:
        assert eventually(lambda: bus.health().connected, timeout=5)
        drop_table(db_url, "bus_events")
        assert eventually(lambda: not bus.health().connected, timeout=5)
        detail = bus.health().last_error or ""
        assert is_internal_error_text(detail), detail
        assert "no such table: bus_events" in detail
        assert any("alarm bus pump failed" in m for m in tracebacks(caplog))
    finally:
        sub.close()
        bus.close()


def test_a_full_disk_under_the_database_is_the_environment_and_the_press_is_held_quietly(
    tiny_disk: Path,
    sqlite_url: str,
    clock: FakeClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tiny_disk / "safedesk.sqlite3"  # the database on a small SD card
    shutil.copy(make_url(sqlite_url).database or "", path)
    db = Database(f"sqlite:///{path}")
    with db.session() as s:
        seed_office(s, clock.now())
        device_id = s.scalars(
            select(PanicDevice.device_id).join(Room).where(Room.name == ROOM)
        ).first()
    assert device_id is not None
    services = Services.build(Config(), db, clock, "TEST-PC")
    outbox = LocalOutbox(tmp_path / "outbox.sqlite3")  # the outbox is on another disk
    sink = StoreAndForwardSink(services.alarms, outbox, clock)
    press = ButtonPress(device_id, 1, clock.now(), DeviceKind.SERIAL, boot_id=7)
    try:
        fill_disk(tiny_disk)
        with pytest.raises(DatabaseUnavailable, match="database or disk is full"):
            services.alarms.press(press)
        caplog.clear()
        receipt = sink.press(press)
        assert receipt.held and receipt.internal_error is None  # an outage, said as one
        assert outbox.count() == 1
        assert not tracebacks(caplog)  # the environment is retried quietly
        assert any("database unreachable" in r.getMessage() for r in caplog.records)
    finally:
        outbox.close()
        services.close()
        db.dispose()
