"""Store and forward: presses made while the database is unreachable are held, then all arrive.

Real parts: the serial driver on pseudo-terminals with simulated USB buttons, the real alarm
service, PostgreSQL behind a TCP proxy that the test cuts and restores (the shared server itself
is never stopped), and SQLite locked by another writer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hardware.serial_button import SerialButtonConfig, SerialButtonSource
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.button_events import (
    ButtonPress,
    DeviceKind,
    HeardOn,
    LedState,
    PressedBy,
    PressReceipt,
)
from safedesk.clock import Clock, FakeClock, SystemClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.demo.office import seed_office
from safedesk.models import AlarmEvent, AlarmPress, AuditEntry
from safedesk.outbox import LocalOutbox, StoreAndForwardSink
from safedesk.services.hub import Services
from tests.bridge.tcp_proxy import TcpProxy
from tests.helpers.office import SeededOffice
from tests.helpers.waiting import eventually


def presses_in(db: Database) -> list[AlarmPress]:
    with db.session() as s:
        return list(s.scalars(select(AlarmPress).order_by(AlarmPress.id)).all())


class Rig:
    """Buttons on ptys -> serial driver -> outbox -> the real alarm service on ``bridge_db``."""

    def __init__(self, bridge_db: Database, clock: Clock, outbox_path: Path, devices: list[str]):
        self.services = Services.build(Config(), bridge_db, clock, "BRIDGE-TEST")
        self.outbox = LocalOutbox(outbox_path)
        self.forwarded: list[tuple[ButtonPress, PressReceipt]] = []
        self._stopped = False
        self.backlogs: list[int] = []
        self.sink = StoreAndForwardSink(
            self.services.alarms,
            self.outbox,
            clock,
            retry_initial_s=0.05,
            retry_max_s=0.3,
            on_forwarded=self._forwarded,
            on_backlog=self.backlogs.append,
        )
        self.buttons = [
            SimulatedSerialDevice(device_id=d, heartbeat_s=0.2, resend_s=0.2, host_timeout_s=3.0)
            for d in devices
        ]
        for button in self.buttons:
            button.plug_in()
        self.source = SerialButtonSource(
            self.sink,
            clock,
            SerialButtonConfig(
                port_urls=tuple(b.port_path for b in self.buttons),
                discover=False,
                scan_interval_s=0.05,
                backoff_initial_s=0.05,
                backoff_max_s=0.3,
                silent_after_s=600.0,
            ),
        )

    def _forwarded(self, press: ButtonPress, receipt: PressReceipt) -> None:
        self.forwarded.append((press, receipt))
        self.source.set_led(press.device_id, LedState.DELIVERED)

    def start(self) -> None:
        self.sink.start()
        self.source.start()
        assert eventually(
            lambda: self.source.online_devices() == {b.device_id for b in self.buttons},
            timeout=15,
        )

    def stop(self) -> None:
        """Idempotent: a test stops the rig before disposing its database, the fixture again."""
        if self._stopped:
            return
        self._stopped = True
        self.source.stop()
        self.sink.stop()
        for button in self.buttons:
            button.close()
        self.services.close()
        self.outbox.close()


@pytest.fixture
def rig_factory(tmp_path: Path) -> Iterator[Callable[..., Rig]]:
    rigs: list[Rig] = []

    def make(bridge_db: Database, clock: Clock, devices: list[str]) -> Rig:
        rig = Rig(bridge_db, clock, tmp_path / "outbox.sqlite3", devices)
        rigs.append(rig)
        rig.start()
        return rig

    yield make
    for rig in rigs:
        rig.stop()


def seeded(db: Database, clock: Clock) -> None:
    with db.session() as s:
        seed_office(s, clock.now())


ROOM_1_BUTTON = "pico-e661a4d41b31"  # Interview Room 1 in the demo office
ROOM_2_BUTTON = "pico-e661a4d41b32"  # Interview Room 2


@pytest.mark.postgresql
def test_twenty_presses_during_a_60_second_outage_all_arrive_once_with_their_press_times(
    pg_url: str,
    pg_proxy: tuple[TcpProxy, str],
    clock: FakeClock,
    rig_factory: Callable[..., Rig],
) -> None:
    proxy, proxy_url = pg_proxy
    direct = Database(pg_url)
    seeded(direct, clock)
    bridge_db = Database(proxy_url, pool_size=2, max_overflow=2)
    rig = rig_factory(bridge_db, clock, [ROOM_1_BUTTON, ROOM_2_BUTTON])
    try:
        proxy.cut()  # the network to the database server goes down
        expected: dict[tuple[str, int, int], datetime] = {}
        for i in range(20):
            clock.advance(3)  # 20 presses over 60 s of (fake) time
            button = rig.buttons[i % 2]
            seq = button.press()
            expected[(button.device_id, button.boot_id, seq)] = clock.now()
            assert button.wait_for_ack(seq), f"press {i} was not acknowledged as held"
            assert button.wait_for_led("not_delivered"), "the room must see: not delivered"
        assert rig.sink.backlog == 20
        assert len(rig.outbox.held()) == 20
        assert presses_in(direct) == []

        proxy.restore()  # the database is back
        assert eventually(lambda: rig.sink.backlog == 0, timeout=15), rig.outbox.held()[:1]

        rows = presses_in(direct)
        got = {(p.device_id, p.boot_id, p.sequence): p.pressed_at for p in rows}
        assert len(rows) == 20, "each press arrives exactly once"
        assert set(got) == set(expected)
        for key, pressed_at in expected.items():
            # The press time is the room's, not the forwarding time (the outage was 60 s).
            assert abs(got[key] - pressed_at) < timedelta(seconds=1), key
        # Forwarded in the order they were pressed.
        assert [p.pressed_at for p in rows] == sorted(p.pressed_at for p in rows)
        with direct.session() as s:
            alarms = s.scalars(select(AlarmEvent).order_by(AlarmEvent.id)).all()
            assert [a.press_count for a in alarms] == [10, 10]  # one alarm per room
            assert alarms[0].pressed_at == min(expected.values())
        for button in rig.buttons:
            assert button.wait_for_led("delivered")
        assert rig.backlogs[-1] == 0 and max(rig.backlogs) == 20
    finally:
        # Heartbeats and the forwarder use bridge_db until the rig stops: disposing first would
        # let them open fresh connections that nobody closes.
        rig.stop()
        bridge_db.dispose()
        direct.dispose()


@pytest.mark.postgresql
def test_a_forward_that_committed_but_lost_its_answer_is_not_recorded_twice(
    pg_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    """The connection drops after COMMIT, before the bridge hears: resending is harmless."""
    db = Database(pg_url)
    seeded(db, clock)
    services = Services.build(Config(), db, clock, "BRIDGE-TEST")

    class AnswerLost:
        def __init__(self) -> None:
            self.lose_next = True

        def press(self, press: ButtonPress) -> PressReceipt:
            receipt = services.alarms.press(press)
            if self.lose_next:
                self.lose_next = False
                raise ConnectionError("server closed the connection after commit")
            return receipt

        def heard(self, heard: object) -> None:
            raise AssertionError("not used")

    outbox = LocalOutbox(tmp_path / "outbox.sqlite3")
    sink = StoreAndForwardSink(AnswerLost(), outbox, clock)
    press = ButtonPress(ROOM_1_BUTTON, 7, clock.now(), DeviceKind.SERIAL, boot_id=42)
    receipt = sink.press(press)
    assert receipt.held
    assert sink.forward_now() == 0
    rows = presses_in(db)
    assert [(r.device_id, r.boot_id, r.sequence) for r in rows] == [(press.device_id, 42, 7)]
    services.close()
    outbox.close()
    db.dispose()


def test_sqlite_locked_by_another_writer_holds_presses_and_forwards_them_after(
    sqlite_url: str, tmp_path: Path, rig_factory: Callable[..., Rig]
) -> None:
    db = Database(sqlite_url)
    clock = SystemClock()
    seeded(db, clock)
    device_id = ROOM_1_BUTTON
    rig = rig_factory(db, clock, [device_id])
    # timeout: the rig writes heartbeats; on a loaded machine one may hold the lock a while.
    locker = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), timeout=10)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the file
    try:
        button = rig.buttons[0]
        seq = button.press()
        assert button.wait_for_ack(seq, timeout=20)
        assert button.wait_for_led("not_delivered")
        assert rig.sink.backlog == 1
    finally:
        locker.rollback()
        locker.close()
    assert eventually(lambda: rig.sink.backlog == 0, timeout=30)
    [row] = presses_in(db)
    assert (row.device_id, row.boot_id, row.sequence) == (device_id, button.boot_id, seq)
    assert button.wait_for_led("delivered")
    rig.stop()  # before dispose: the rig's threads use db until they stop
    db.dispose()


def test_held_presses_survive_a_bridge_restart(
    db: Database, office: SeededOffice, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "outbox.sqlite3"

    class Down:
        def press(self, press: ButtonPress) -> PressReceipt:
            raise ConnectionError("database unreachable")

        def heard(self, heard: object) -> None:
            raise ConnectionError("database unreachable")

    first = StoreAndForwardSink(Down(), LocalOutbox(path), clock)
    pressed_at = clock.now() - timedelta(minutes=5)
    press = ButtonPress(
        office.device_ids["Interview Room 2"], 3, pressed_at, DeviceKind.GPIO, boot_id=None
    )
    assert first.press(press).held
    assert first.press(press).held  # a resend while held is kept once
    assert first.backlog == 1
    first.outbox.close()  # power cut

    services = Services.build(Config(), db, clock, "BRIDGE-TEST")
    second = StoreAndForwardSink(services.alarms, LocalOutbox(path), clock)
    assert second.backlog == 1
    assert second.forward_now() == 0
    [row] = presses_in(db)
    assert (row.sequence, row.pressed_at) == (3, pressed_at)
    services.close()
    second.outbox.close()


def test_a_press_that_cannot_even_be_stored_locally_is_not_acknowledged(
    tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    class Down:
        def press(self, press: ButtonPress) -> PressReceipt:
            raise ConnectionError("database unreachable")

        def heard(self, heard: object) -> None:
            return None

    outbox = LocalOutbox(tmp_path / "outbox.sqlite3")
    sink = StoreAndForwardSink(Down(), outbox, clock)
    outbox.close()  # the file is gone from under us (disk failure)
    press = ButtonPress("pico-x", 1, clock.now(), DeviceKind.SERIAL, boot_id=1)
    with pytest.raises(Exception, match="outbox"):
        sink.press(press)
    assert "could NEITHER reach the database NOR be stored locally" in caplog.text


_VERSION_1_TABLE = """
CREATE TABLE held_presses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL,
    boot_id INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    pressed_at TEXT NOT NULL,
    source TEXT NOT NULL,
    held_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (device_id, boot_id, sequence)
)
"""


def test_an_outbox_file_written_before_the_upgrade_keeps_its_presses(
    db: Database, office: SeededOffice, clock: FakeClock, tmp_path: Path
) -> None:
    """A bridge upgraded while presses were held forwards them: the file is upgraded in place."""
    path = tmp_path / "outbox.sqlite3"
    pressed_at = clock.now() - timedelta(minutes=3)
    old = sqlite3.connect(path)
    old.execute(_VERSION_1_TABLE)
    old.execute(
        "INSERT INTO held_presses (device_id, boot_id, sequence, pressed_at, source, held_at)"
        " VALUES (?, 5, 2, ?, 'serial', ?)",
        (office.device_ids["Interview Room 1"], pressed_at.isoformat(), pressed_at.isoformat()),
    )
    old.commit()
    old.close()
    services = Services.build(Config(), db, clock, "BRIDGE-TEST")
    outbox = LocalOutbox(path)
    try:
        [held] = outbox.held()
        assert (held.press.boot_id, held.press.sequence, held.press.heard_on) == (5, 2, None)
        sink = StoreAndForwardSink(services.alarms, outbox, clock)
        assert sink.backlog == 1 and sink.forward_now() == 0
        [row] = presses_in(db)
        assert (row.sequence, row.pressed_at) == (2, pressed_at)
    finally:
        services.close()
        outbox.close()


def test_the_outbox_keeps_where_a_press_was_heard_and_a_new_press_under_a_repeated_name(
    clock: FakeClock, tmp_path: Path
) -> None:
    """A resend (same name, same press time) is kept once; a button restarted under its old
    boot id makes a new press under the same name, pressed later: kept beside the first."""
    outbox = LocalOutbox(tmp_path / "outbox.sqlite3")
    try:
        where = HeardOn("BRIDGE-1", "/dev/ttyACM0", "E6614C31")
        first = ButtonPress("pico-1", 1, clock.now(), DeviceKind.SERIAL, boot_id=7, heard_on=where)
        assert outbox.add(first, clock.now(), "down") is not None
        resend = ButtonPress("pico-1", 1, clock.now() + timedelta(seconds=2), DeviceKind.SERIAL, 7)
        assert outbox.add(resend, clock.now(), "down") is None
        reborn = ButtonPress("pico-1", 1, clock.now() + timedelta(minutes=5), DeviceKind.SERIAL, 7)
        assert outbox.add(reborn, clock.now(), "down") is not None
        held = outbox.held()
        assert [h.press.pressed_at for h in held] == [first.pressed_at, reborn.pressed_at]
        assert held[0].press.heard_on == where and held[1].press.heard_on is None
    finally:
        outbox.close()


_VERSION_2_TABLE = """
CREATE TABLE held_presses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL,
    boot_id INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    pressed_at TEXT NOT NULL,
    source TEXT NOT NULL,
    held_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    heard_on TEXT
)
"""


def test_a_desk_press_held_in_the_outbox_keeps_who_pressed_also_in_a_file_from_before(
    clock: FakeClock, tmp_path: Path
) -> None:
    """A PC upgraded with presses held (version 2 file) keeps them; a desk press held from now
    on keeps who was signed in at the PC, so its audit entry can name them when it arrives."""
    path = tmp_path / "outbox.sqlite3"
    old = sqlite3.connect(path)
    old.execute(_VERSION_2_TABLE)
    old.execute(
        "INSERT INTO held_presses (device_id, boot_id, sequence, pressed_at, source, held_at,"
        " heard_on) VALUES ('pico-1', 5, 2, ?, 'serial', ?, ?)",
        (clock.now().isoformat(), clock.now().isoformat(), HeardOn("B", "COM5", "E6").to_text()),
    )
    old.execute("PRAGMA user_version = 2")
    old.commit()
    old.close()
    outbox = LocalOutbox(path)
    try:
        [before] = outbox.held()
        assert (before.press.sequence, before.press.heard_on, before.press.pressed_by) == (
            2,
            HeardOn("B", "COM5", "E6"),
            None,
        )
        who = PressedBy(staff_id=7, login="gholt", workstation="PC-RECEPTION-1")
        desk = ButtonPress(
            "hotkey:room:3", 1, clock.now(), DeviceKind.HOTKEY, boot_id=9, pressed_by=who
        )
        assert outbox.add(desk, clock.now(), "down") is not None
        nobody = PressedBy(staff_id=None, login="system", workstation="PC-RECEPTION-1")
        alone = ButtonPress(
            "hotkey:room:3", 2, clock.now(), DeviceKind.HOTKEY, boot_id=9, pressed_by=nobody
        )
        assert outbox.add(alone, clock.now(), "down") is not None
        assert [h.press.pressed_by for h in outbox.held()] == [None, who, nobody]
    finally:
        outbox.close()
    again = LocalOutbox(path)  # a restart reads the same
    try:
        assert [h.press.pressed_by for h in again.held()][1:] == [who, nobody]
    finally:
        again.close()


def test_a_desk_press_whose_presser_the_database_does_not_know_still_raises_its_alarm(
    db: Database, office: SeededOffice, clock: FakeClock
) -> None:
    """The "who pressed" entry is written with the alarm: an account removed while the press
    was held must leave the entry without its staff link, never fail the alarm."""
    services = Services.build(Config(), db, clock, "PC-RECEPTION-1")
    try:
        gone = PressedBy(staff_id=987654, login="left-the-council", workstation="PC-RECEPTION-1")
        device = office.device_ids["Reception desk 1"]
        press = ButtonPress(device, 1, clock.now(), DeviceKind.HOTKEY, boot_id=3, pressed_by=gone)
        receipt = services.alarms.press(press)
        assert receipt.created
        with db.session() as s:
            [entry] = s.scalars(
                select(AuditEntry).where(AuditEntry.action == "alarm.desk_press")
            ).all()
            assert (entry.staff_id, entry.actor, entry.subject_id) == (
                None,
                "left-the-council",
                receipt.alarm_id,
            )
            assert entry.detail["staff_id"] == 987654
            alarm = s.get_one(AlarmEvent, receipt.alarm_id)
            assert alarm.room_id == office.room_ids["Reception desk 1"]
    finally:
        services.close()
