"""The primary database server dies, the hot standby is promoted, and no press is lost or doubled.

One PostgreSQL server was a single point of failure for every PC's alarms (issue 12, hole 9;
EN 50136-1 grades alarm transmission by whether an alternative path exists). Here the office runs
as docs/failover.md says: a primary streaming synchronously to a hot standby, and every PC and
the bridge given both servers (``?host=A&host=B&target_session_attrs=read-write``).

Real parts: two PostgreSQL clusters of the test's own (initdb, pg_basebackup -R, pg_ctl, run as
the postgres user), ``safedesk db upgrade`` through the multi-host URL, the ``safedesk-bridge``
daemon as a process with two USB buttons on pseudo-terminals, a reception desk PC (the desktop
window at 1366x768, its panic button clicked with the mouse), and two responder screens, each
with its own connections and LISTEN. The primary is killed (every process at once: its host lost
power), presses are made while no server takes writes, the standby is promoted with
``pg_ctl promote``, and more presses follow.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.alarm.alarms_panel import add_alarms_panel
from desktop.alarm.bus_adapter import AlarmUpdate
from desktop.alarm.panic_button import HELD_TEXT, PanicButton
from desktop.app import DesktopApp, build_desktop
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.alarm_bus import AlarmPressedAgain, AlarmRaised, BusMessage, Subscription
from safedesk.clock import SystemClock
from safedesk.config import Config, DevicesConfig, WorkstationConfig
from safedesk.db import Database
from safedesk.models import AlarmEvent, AlarmPress, PanicDevice
from safedesk.services.alarms.press_identity import BOOT_ID_MASK
from tests.failover.conftest import FailoverOffice
from tests.helpers.pg_replication import ReplicatedPair
from tests.helpers.screens import Screen, open_screen

pytestmark = [pytest.mark.postgresql, pytest.mark.gui]

ROOT = Path(__file__).resolve().parents[2]
ALARM_PANELS = [add_alarms_panel]
DESK = "Reception desk 1"
GAP_S = 2.0  # how long no server takes writes before the standby is promoted


@dataclass
class Press:
    """One press the test made, and what it knows about it."""

    what: str
    phase: str  # "before", "gap" (no primary), "after" (standby promoted)
    device_id: str
    at: datetime  # wall clock when the button was pressed
    key: tuple[int, int] | None = None  # (boot id, sequence) of a USB button's press


@dataclass
class ScreenWatch:
    """A responder screen, and every alarm message its bus delivered (to count them)."""

    screen: Screen
    sub: Subscription
    seen: list[BusMessage] = field(default_factory=list)
    down_at: float | None = None  # monotonic: the bus said NOT CONNECTED
    up_again_at: float | None = None  # monotonic: connected again after that

    def drain(self) -> None:
        self.seen += self.sub.get(timeout=0)
        health = self.screen.services.bus.health()
        now = time.monotonic()
        if not health.connected and self.down_at is None:
            self.down_at = now
        if health.connected and self.down_at is not None and self.up_again_at is None:
            self.up_again_at = now

    def copies_of(self, device_id: str, pressed_at: datetime) -> int:
        """How many alarm messages this screen got for the press of ``device_id`` at that time."""
        return sum(
            1
            for m in self.seen
            if isinstance(m.event, AlarmRaised | AlarmPressedAgain)
            and m.event.device_id == device_id
            and m.event.pressed_at == pressed_at
        )


@pytest.fixture
def buttons(
    synchronous_office: FailoverOffice, tmp_path: Path
) -> Iterator[list[SimulatedSerialDevice]]:
    """USB buttons in Interview Rooms 1 and 2, on pseudo-terminals the bridge opens."""
    made = []
    for room in ("Interview Room 1", "Interview Room 2"):
        device = SimulatedSerialDevice(
            device_id=synchronous_office.office.device_ids[room],
            heartbeat_s=0.5,
            resend_s=0.3,
            host_timeout_s=5.0,
            link_path=tmp_path / f"tty-{room.replace(' ', '-')}",
        )
        device.plug_in()
        made.append(device)
    yield made
    for device in made:
        device.close()


@pytest.fixture
def bridge_process(
    synchronous_office: FailoverOffice, buttons: list[SimulatedSerialDevice], tmp_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``safedesk-bridge`` as systemd runs it, given both servers; stopped with SIGTERM."""
    config = tmp_path / "bridge.toml"
    ports = ", ".join(f'"{b.port_path}"' for b in buttons)
    config.write_text(
        f"""
[database]
url = "{synchronous_office.url}"
[bridge]
name = "pi-central-1"
outbox = "{(tmp_path / "bridge-outbox.sqlite3").as_posix()}"
forward_retry_s = 0.2
[serial]
ports = [{ports}]
discover = false
""",
        encoding="utf-8",
    )
    log = (tmp_path / "bridge.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "firmware_bridge.bridge_cli", "--config", str(config)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.fixture
def office_pcs() -> Iterator[tuple[list[Screen], list[DesktopApp]]]:
    """Screens and desk PCs opened by the test, closed afterwards whatever happens."""
    screens: list[Screen] = []
    desks: list[DesktopApp] = []
    yield screens, desks
    for desk in desks:
        desk.shutdown()
        desk.window.close_guard = None
        desk.window.close()
        desk.services.db.dispose()
        for qobject in (desk.window, desk.controller, desk.adapter, desk.sound):
            qobject.deleteLater()
    for screen in screens:
        screen.close()


def open_desk(qtbot: QtBot, url: str) -> DesktopApp:
    """The reception PC at Reception desk 1, Gill Holt signed in, window shown at 1366x768."""
    config = Config(
        workstation=WorkstationConfig(name="PC-RECEPTION-1", mode="reception", desk=DESK),
        devices=DevicesConfig(usb_ids=[]),
    )
    db = Database(url, pool_size=2, max_overflow=2)
    desk = build_desktop(
        config, db, SystemClock(), demo=False, sign_in_as="gholt", panel_factories=ALARM_PANELS
    )
    desk.window.resize(1366, 768)
    desk.window.show()
    qtbot.waitExposed(desk.window)
    return desk


def wait_until(
    qtbot: QtBot, watchers: list[ScreenWatch], check: Callable[[], bool], seconds: float, what: str
) -> float:
    """Process Qt events and drain the screens until ``check``; the seconds it took."""
    started = time.monotonic()

    def ready() -> bool:
        for watch in watchers:
            watch.drain()
        return check()

    try:
        qtbot.waitUntil(ready, timeout=int(seconds * 1000))
    except Exception as exc:  # pytest-qt's TimeoutError: say what was awaited
        raise AssertionError(f"not within {seconds:g} s: {what}") from exc
    return time.monotonic() - started


def presses_in(db: Database) -> list[AlarmPress]:
    with db.session(deadline_s=5) as s:
        return list(s.scalars(select(AlarmPress).order_by(AlarmPress.id)))


def press_counts(db: Database) -> dict[int, int]:
    with db.session(deadline_s=5) as s:
        return {a.id: a.press_count for a in s.scalars(select(AlarmEvent))}


def heard(db: Database, device_id: str) -> bool:
    with db.session(deadline_s=5) as s:
        seen = s.scalar(select(PanicDevice.last_seen_at).where(PanicDevice.device_id == device_id))
    return seen is not None


def click(qtbot: QtBot, panic: PanicButton) -> datetime:
    at = datetime.now(UTC)
    qtbot.mouseClick(panic.button, Qt.MouseButton.LeftButton)
    return at


def test_the_primary_dies_the_standby_is_promoted_and_every_press_arrives_once_on_every_screen(
    qtbot: QtBot,
    synchronous_office: FailoverOffice,
    buttons: list[SimulatedSerialDevice],
    bridge_process: subprocess.Popen[bytes],
    office_pcs: tuple[list[Screen], list[DesktopApp]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pair, url, office = synchronous_office.pair, synchronous_office.url, synchronous_office.office
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "pc-data"))  # the desk PC's outbox file
    room_1, room_2 = buttons
    screens, desks = office_pcs
    clock = SystemClock()
    for login in ("twhitfield", "sokafor"):
        screens.append(open_screen(url, clock, office.office_id, office.actor(login)))
    watchers = [
        ScreenWatch(
            s,
            s.services.bus.subscribe(
                office_id=office.office_id, kinds=("alarm_raised", "alarm_pressed_again")
            ),
        )
        for s in screens
    ]
    desk = open_desk(qtbot, url)
    desks.append(desk)
    panic = desk.window.panic_button
    assert panic is not None and panic.isVisible()
    checker = Database(url)
    made: list[Press] = []

    def usb_press(button: SimulatedSerialDevice, what: str, phase: str) -> int:
        at = datetime.now(UTC)
        seq = button.press()
        made.append(Press(what, phase, button.device_id, at, (button.boot_id, seq)))
        return seq

    def desk_press(phase: str) -> None:
        made.append(Press(f"desk ({phase})", phase, office.device_ids[DESK], click(qtbot, panic)))

    def every_press_on_every_screen(phases: tuple[str, ...]) -> bool:
        rows = presses_in(checker)
        wanted = [p for p in made if p.phase in phases]
        return len(rows) >= len(wanted) and all(
            w.copies_of(r.device_id, r.pressed_at) >= 1 for w in watchers for r in rows
        )

    try:
        # The bridge is up and hears both buttons (their heartbeats reach the database).
        wait_until(
            qtbot,
            watchers,
            lambda: all(heard(checker, b.device_id) for b in buttons),
            45,
            "the bridge hears both USB buttons",
        )

        # Before: the primary answers.
        seq = usb_press(room_1, "Interview Room 1 (before)", "before")
        assert room_1.wait_for_ack(seq, timeout=10)
        assert room_1.wait_for_led("delivered", timeout=10)
        desk_press("before")
        wait_until(
            qtbot, watchers, lambda: panic.result.text().startswith("✔ Sent"), 10, "desk: Sent"
        )
        wait_until(
            qtbot, watchers, lambda: every_press_on_every_screen(("before",)), 10, "screens: before"
        )

        # The primary's host dies. Nothing takes writes: the standby is read-only.
        pair.kill_primary()
        killed = time.monotonic()
        killed_wall = datetime.now(UTC)
        seq_gap = usb_press(room_2, "Interview Room 2 (gap)", "gap")
        assert room_2.wait_for_ack(seq_gap, timeout=10), "the bridge held the press and said so"
        assert room_2.wait_for_led("not_delivered", timeout=10), room_2.led_history
        desk_press("gap")
        wait_until(qtbot, watchers, lambda: panic.result.text() == HELD_TEXT, 10, "desk: HELD")
        seq_gap_1 = usb_press(room_1, "Interview Room 1 (gap)", "gap")
        assert room_1.wait_for_ack(seq_gap_1, timeout=10)
        assert room_1.wait_for_led("not_delivered", timeout=10), room_1.led_history
        qtbot.wait(int(max(0.0, GAP_S - (time.monotonic() - killed)) * 1000))
        before = sum(1 for p in made if p.phase == "before")
        assert standby_presses(pair) == before, "no server took a press in the gap"

        # The standby becomes the primary; nobody touches a PC.
        pair.promote()
        promoted = time.monotonic()
        promoted_wall = datetime.now(UTC)
        forwarded_s = wait_until(
            qtbot,
            watchers,
            lambda: len(presses_in(checker)) >= len(made),
            20,
            "the held presses reach the new primary",
        )
        screens_s = wait_until(
            qtbot,
            watchers,
            lambda: every_press_on_every_screen(("before", "gap")),
            20,
            "every screen has every press made in the gap",
        )
        assert room_2.wait_for_led("delivered", timeout=10), room_2.led_history
        wait_until(
            qtbot,
            watchers,
            lambda: panic.result.text().startswith("✔ Sent"),
            10,
            "desk: Sent after the held press went",
        )

        # After: presses go straight to the new primary.
        seq_after = usb_press(room_2, "Interview Room 2 (after)", "after")
        assert room_2.wait_for_ack(seq_after, timeout=10)
        desk_press("after")
        wait_until(
            qtbot,
            watchers,
            lambda: every_press_on_every_screen(("before", "gap", "after")),
            15,
            "every screen has every press",
        )
        qtbot.wait(1000)  # time for any copy to arrive, so "once" means once
        for watch in watchers:
            watch.drain()

        rows = presses_in(checker)
        by_key = {(r.device_id, r.boot_id & BOOT_ID_MASK, r.sequence): r for r in rows}
        assert len(rows) == len(made), [(r.device_id, r.sequence, r.pressed_at) for r in rows]
        for press in made:
            if press.key is not None:
                row = by_key.get((press.device_id, press.key[0], press.key[1]))
                assert row is not None, f"{press.what} never arrived"
            else:
                # The desk's button numbers its presses 1, 2, 3... under one boot id.
                number = 1 + [p for p in made if p.key is None].index(press)
                matches = [
                    r for r in rows if r.device_id == press.device_id and r.sequence == number
                ]
                assert len(matches) == 1, f"{press.what}: {len(matches)} rows"
                row = matches[0]
            # Its press time, not the time it was forwarded.
            assert abs((row.pressed_at - press.at).total_seconds()) < 1.0, press.what
            if press.phase == "gap":
                waited = (row.received_at - row.pressed_at).total_seconds()
                assert waited >= (promoted_wall - press.at).total_seconds() - 0.5, press.what
            for watch in watchers:
                assert watch.copies_of(row.device_id, row.pressed_at) == 1, (
                    f"{watch.screen.name} got {press.what} "
                    f"{watch.copies_of(row.device_id, row.pressed_at)} times"
                )
        counts = press_counts(checker)
        for screen in screens:
            views = [u.view for u in screen.updates if isinstance(u, AlarmUpdate)]
            shown = {v.alarm_id: v.press_count for v in views}
            assert shown == counts, f"{screen.name} shows {shown}, the database has {counts}"
        assert bridge_process.poll() is None, "the bridge kept running through the failover"

        def held_for(kind: str) -> str:
            """From the primary's death to this PC's gap presses being in the new primary."""
            ends = [
                r.received_at
                for p in made
                if p.phase == "gap" and (p.key is None) == (kind == "desk")
                for r in rows
                if r.device_id == p.device_id and abs((r.pressed_at - p.at).total_seconds()) < 1
            ]
            return f"{(max(ends) - killed_wall).total_seconds():.1f} s" if ends else "?"

        outages = [
            f"{w.up_again_at - w.down_at:.1f} s"
            for w in watchers
            if w.down_at is not None and w.up_again_at is not None
        ]
        print(
            f"\nFAILOVER FIGURES: standby promoted {promoted - killed:.1f} s after the primary "
            f"died; without a primary: bridge {held_for('bridge')}, desk PC {held_for('desk')} "
            f"(primary's death to its held presses stored); held presses all stored "
            f"{forwarded_s:.1f} s after promotion, on every screen "
            f"{forwarded_s + screens_s:.1f} s after promotion; screens NOT CONNECTED for "
            f"{', '.join(outages) or '-'}"
        )
    finally:
        checker.dispose()


def standby_presses(pair: ReplicatedPair) -> int:
    """What the (read-only, hot) standby has: the presses it would start with if promoted."""
    with pair.standby.connect("safedesk") as conn:
        row = conn.execute("SELECT count(*) FROM alarm_presses").fetchone()
    return int(row[0]) if row else 0
