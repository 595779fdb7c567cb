"""The alarm bus on both databases: across processes and PCs, exactly once, even when it breaks."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.orm import Session

from safedesk.alarm_bus import (
    AlarmBus,
    AlarmRaised,
    AlarmResolved,
    AlarmResponding,
    BusMessage,
    DeviceOffline,
    DeviceOnline,
    RespondersOnDuty,
    Subscription,
    make_bus,
)
from safedesk.alarm_bus.cursor import GapTrackingCursor
from safedesk.alarm_bus.events import UnrecognisedEvent, event_from_row
from safedesk.alarm_bus.postgres_bus import PostgresAlarmBus
from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import FakeClock, SystemClock
from safedesk.db import Database
from safedesk.models import AlarmOutcome, BusEvent
from safedesk.services.hub import Services
from tests.helpers import postgres
from tests.helpers.office import SeededOffice

REPO = Path(__file__).resolve().parents[2]


def collect(sub: Subscription, count: int, timeout: float = 10.0) -> list[BusMessage]:
    """Read until ``count`` messages arrived (or fail), then a little longer to catch duplicates."""
    got: list[BusMessage] = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        got += sub.get(timeout=0.2)
    got += sub.get(timeout=0.3)
    return got


def _online(device: str) -> DeviceOnline:
    return DeviceOnline(
        office_id=None, device_id=device, room_id=None, room_name="x", at=datetime.now(UTC)
    )


def test_a_press_in_another_process_reaches_this_screen_exactly_once(
    db: Database, db_url: str, services: Services, office: SeededOffice
) -> None:
    sub = services.bus.subscribe(office_id=office.office_id)
    devices = [
        office.device_ids[r] for r in ("Interview Room 1", "Interview Room 2", "Interview Room 3")
    ]
    result = subprocess.run(
        [sys.executable, "-m", "tests.alarm.publisher_process", db_url]
        + [f"{d}:1" for d in devices]
        + [f"{devices[0]}:1"],  # and a resend of the first press
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    messages = collect(sub, 3)
    sub.close()
    raised = [m.event for m in messages]
    assert all(isinstance(e, AlarmRaised) for e in raised)
    assert sorted(e.device_id for e in raised if isinstance(e, AlarmRaised)) == sorted(devices)
    assert len({m.id for m in messages}) == len(messages) == 3


def test_wait_blocks_until_an_event_after_the_given_id(db: Database, services: Services) -> None:
    start = services.bus.head()
    assert services.bus.wait(start, timeout=0.1) == []

    def publish_later() -> None:
        time.sleep(0.2)
        with db.session() as s:
            services.bus.publish(s, _online("pico-late"), at=datetime.now(UTC))

    thread = threading.Thread(target=publish_later)
    thread.start()
    messages = services.bus.wait(start, timeout=10)
    thread.join()
    assert len(messages) == 1
    assert (
        isinstance(messages[0].event, DeviceOnline) and messages[0].event.device_id == "pico-late"
    )


def test_a_subscriber_from_a_remembered_id_catches_up_then_continues(
    db: Database, services: Services
) -> None:
    with db.session() as s:
        first = services.bus.publish(s, _online("a"), at=datetime.now(UTC))
        services.bus.publish(s, _online("b"), at=datetime.now(UTC))
    sub = services.bus.subscribe(after_id=first - 1)
    with db.session() as s:
        services.bus.publish(s, _online("c"), at=datetime.now(UTC))
    got = collect(sub, 3)
    sub.close()
    assert [m.event.device_id for m in got if isinstance(m.event, DeviceOnline)] == ["a", "b", "c"]


def test_two_pcs_resending_the_same_press_at_once_make_one_alarm(
    db: Database, db_url: str, services: Services, office: SeededOffice
) -> None:
    """Two independent connections (two PCs, each with its own bus) race the same presses."""
    pcs = [
        Services.build(services.config, Database(db_url, pool_size=2), SystemClock(), f"PC{i}")
        for i in (1, 2)
    ]
    rooms = ["Interview Room 1", "Interview Room 2", "Interview Room 3", "Reception desk 1"]
    sub = services.bus.subscribe(office_id=office.office_id)
    receipts: list[tuple[int, bool]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def run(pc: Services) -> None:
        try:
            for seq in range(1, 4):
                for room in rooms:
                    press = ButtonPress(
                        office.device_ids[room],
                        seq,
                        datetime.now(UTC),
                        DeviceKind.BRIDGE,
                        boot_id=5,
                    )
                    barrier.wait(timeout=10)
                    receipt = pc.alarms.press(press)
                    with lock:
                        receipts.append((receipt.alarm_id, receipt.created))
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(pc,)) for pc in pcs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for pc in pcs:
        pc.close()
        pc.db.dispose()
    assert not errors, errors
    assert len(receipts) == 2 * 3 * len(rooms)
    assert sum(created for _, created in receipts) == len(rooms)
    open_alarms = services.alarms.open_alarms(office.office_id)
    assert len(open_alarms) == len(rooms)
    assert all(a.press_count == 3 for a in open_alarms)  # sequences 1..3, each counted once
    messages = collect(sub, len(rooms) * 3)
    sub.close()
    kinds = [m.kind for m in messages]
    assert kinds.count("alarm_raised") == len(rooms)
    assert kinds.count("alarm_pressed_again") == 2 * len(rooms)


# --- PostgreSQL: the connection breaks, and ids commit out of order ---------------------------


@pytest.mark.postgresql
def test_catch_up_after_the_listen_connection_is_killed_loses_nothing(pg_url: str) -> None:
    reader_db, writer_db = Database(pg_url), Database(pg_url)
    reader = make_bus(reader_db, SystemClock())
    writer = make_bus(writer_db, SystemClock())
    assert isinstance(reader, PostgresAlarmBus)
    sub = reader.subscribe()
    deadline = time.monotonic() + 10
    while reader.listener_backend_pid() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    pid = reader.listener_backend_pid()
    assert pid is not None
    published = []
    with postgres.admin_connect() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        # Published while the listener is gone: no NOTIFY can reach it.
        for i in range(5):
            with writer_db.session() as s:
                published.append(
                    writer.publish(s, _online(f"while-down-{i}"), at=datetime.now(UTC))
                )
    got = collect(sub, 5, timeout=15)
    with writer_db.session() as s:
        published.append(writer.publish(s, _online("after"), at=datetime.now(UTC)))
    got += collect(sub, 1)
    sub.close()
    reader.close()
    writer.close()
    reader_db.dispose()
    writer_db.dispose()
    assert [m.id for m in got] == published  # every one, once, in order
    assert reader.connects >= 2


@pytest.mark.postgresql
def test_an_event_whose_id_commits_after_a_later_one_is_not_lost(pg_url: str) -> None:
    db = Database(pg_url, pool_size=3)
    bus = make_bus(db, SystemClock())
    sub = bus.subscribe()
    slow = Session(db.engine)
    slow_id = bus.publish(slow, _online("slow"), at=datetime.now(UTC))  # id taken, not committed
    with db.session() as s:
        fast_id = bus.publish(s, _online("fast"), at=datetime.now(UTC))
    assert fast_id > slow_id

    first = collect(sub, 1)
    assert [m.id for m in first] == [fast_id]
    # A naive reader that remembers only the highest id would now skip the slow one for ever.
    assert slow_id not in [m.id for m in bus.poll(fast_id)]
    slow.commit()
    slow.close()
    later = collect(sub, 1)
    sub.close()
    bus.close()
    db.dispose()
    assert [m.id for m in later] == [slow_id]


def test_a_hole_is_given_up_only_after_the_hold_time() -> None:
    clock = FakeClock()
    cursor = GapTrackingCursor(10, hold_s=30, monotonic=clock.monotonic)
    assert cursor.accept([11, 14]) == [11, 14]
    assert cursor.gaps == [12, 13]
    clock.advance(29)
    assert cursor.expire() == []
    assert cursor.accept([13, 14]) == [13]  # late commit delivered; 14 not again
    clock.advance(2)
    assert cursor.expire() == [12]
    assert cursor.gaps == []
    assert cursor.accept([12]) == []  # too late: a rollback, as far as we are concerned


def test_a_closed_bus_refuses_new_readers(db: Database) -> None:
    bus: AlarmBus = make_bus(db, SystemClock())
    bus.close()
    with pytest.raises(RuntimeError, match="closed"):
        bus.subscribe()


@pytest.mark.postgresql
def test_the_bus_reports_not_connected_when_the_server_refuses_it(pg_url: str) -> None:
    db = Database(pg_url)
    bus = PostgresAlarmBus(db, SystemClock(), max_backoff_s=0.2)
    bus._conninfo = bus._conninfo.replace("5432", "1")  # a port with nothing listening
    sub = bus.subscribe()
    deadline = time.monotonic() + 10
    while bus.health().connected and time.monotonic() < deadline:
        time.sleep(0.05)
    health = bus.health()
    sub.close()
    bus.close()
    db.dispose()
    assert not health.connected and health.last_error


def test_every_event_kind_survives_the_trip_through_a_bus_row() -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    samples = [
        AlarmRaised(1, 5, 2, "Interview Room 1", "pico-1", DeviceKind.SERIAL, now, now, False),
        AlarmResponding(1, 5, 3, "Tom", "PC1", now, True, "pico-1"),
        AlarmResolved(1, 5, AlarmOutcome.POLICE_CALLED, 3, "Tom", now, "pico-1"),
        RespondersOnDuty(1, now, (3, 4)),
        DeviceOffline(None, "pico-2", None, "x", None, now),
    ]
    for event in samples:
        assert event_from_row(event.KIND, json.loads(json.dumps(event.to_payload()))) == event


def test_a_kind_from_a_newer_version_is_passed_over_not_fatal(
    db: Database, services: Services
) -> None:
    sub = services.bus.subscribe()
    with db.session() as s:
        s.add(BusEvent(kind="from_the_future", payload={"x": 1}, created_at=datetime.now(UTC)))
    with db.session() as s:
        known = services.bus.publish(s, _online("after"), at=datetime.now(UTC))
    got = collect(sub, 2)
    sub.close()
    assert isinstance(got[0].event, UnrecognisedEvent) and got[0].event.kind == "from_the_future"
    assert [m.id for m in got][-1] == known


def test_without_the_room_lock_the_unique_press_still_makes_one_alarm(
    db: Database,
    db_url: str,
    services: Services,
    office: SeededOffice,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Belt and braces: the (device, boot, sequence) constraint alone stops a double alarm."""
    pcs = [
        Services.build(services.config, Database(db_url, pool_size=2), SystemClock(), f"PC{i}")
        for i in (1, 2)
    ]
    for pc in pcs:
        monkeypatch.setattr(pc.alarms, "_serialise_raising", lambda *_args: None)
    receipts: list[tuple[int, bool]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)
    devices = [office.device_ids[r] for r in ("Interview Room 1", "Interview Room 2")]

    def run(pc: Services) -> None:
        try:
            for seq, device in enumerate(devices, start=1):
                press = ButtonPress(device, seq, datetime.now(UTC), DeviceKind.BRIDGE, boot_id=3)
                barrier.wait(timeout=10)
                receipt = pc.alarms.press(press)
                receipts.append((receipt.alarm_id, receipt.created))
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(pc,)) for pc in pcs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for pc in pcs:
        pc.close()
        pc.db.dispose()
    assert not errors, errors
    assert sum(created for _, created in receipts) == 2  # one per device, never two
    assert len({alarm_id for alarm_id, _ in receipts}) == 2
    raised = [m for m in services.bus.poll(0) if m.kind == "alarm_raised"]
    assert len(raised) == 2


def test_the_database_url_chooses_the_bus(db: Database, services: Services) -> None:
    expected = "postgresql" if db.is_postgresql else "sqlite"
    assert services.bus.backend == expected


@pytest.mark.postgresql
def test_every_bus_row_notifies_listeners_when_its_transaction_commits(pg_url: str) -> None:
    db = Database(pg_url)
    bus = make_bus(db, SystemClock())
    listener = psycopg.connect(pg_url, autocommit=True)
    try:
        listener.execute("LISTEN safedesk_bus")
        slow = Session(db.engine)
        bus_id = bus.publish(slow, _online("x"), at=datetime.now(UTC))
        assert list(listener.notifies(timeout=0.3)) == []  # nothing before the commit
        slow.commit()
        slow.close()
        notes = list(listener.notifies(timeout=5, stop_after=1))
        assert [n.payload for n in notes] == [str(bus_id)]
    finally:
        listener.close()
        bus.close()
        db.dispose()


def test_an_acknowledgement_on_one_pc_reaches_another_pcs_screen(
    db_url: str, services: Services, office: SeededOffice
) -> None:
    other_pc = Services.build(services.config, Database(db_url), SystemClock(), "PC-OTHER")
    try:
        sub = other_pc.bus.subscribe(office_id=office.office_id)
        press = ButtonPress(
            office.device_ids["Interview Room 3"], 1, datetime.now(UTC), DeviceKind.GPIO
        )
        alarm_id = services.alarms.press(press).alarm_id
        services.alarms.respond(alarm_id, office.actor("sokafor"))
        got = collect(sub, 2)
        sub.close()
        assert [m.kind for m in got] == ["alarm_raised", "alarm_responding"]
        view = other_pc.alarms.alert(alarm_id)
        assert [r.name for r in view.responders] == ["Sarah Okafor"]
        # That PC never registered a configured name, so no name (it may be a host name) is shown.
        assert view.responders[0].workstation is None
    finally:
        other_pc.close()
        other_pc.db.dispose()
