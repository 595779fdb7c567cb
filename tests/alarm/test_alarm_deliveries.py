"""Which screens showed an alarm, when, and with or without sound (issue 12 item 8).

"Nobody can say afterwards which screens showed it": every PC now records the full alert or the
notice it showed, who was signed in, the database server's time and whether the alarm sound
played. The alert lists them as they come in, the incident record and its CSV export list them,
and a responder's PC that stops heartbeating during the shift is shown like an offline button.
"""

from __future__ import annotations

import csv
import itertools
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text, update

import desktop.alarm.delivery_recorder as delivery_recorder
from desktop.alarm.alarms_panel import add_alarms_panel
from desktop.alarm.incidents_view import COLUMNS, IncidentsView
from desktop.app import DesktopApp, build_desktop
from safedesk.clock import FakeClock
from safedesk.config import Config, WorkstationConfig
from safedesk.db import Database
from safedesk.models import AlarmDelivery, AlarmOutcome, DeliveryKind, Workstation
from safedesk.services.alarms.alarm_deliveries import Shown
from safedesk.services.hub import Services
from safedesk.services.shared.actor import Actor
from tests.alarm.alert_helpers import alert_on, click, press
from tests.helpers.office import SeededOffice
from tests.helpers.screens import Screen, heartbeat, open_screen

pytestmark = pytest.mark.gui


def _as(office: SeededOffice, login: str, pc: str) -> Actor:
    return Actor(staff_id=office.staff_ids[login], login=login, workstation=pc)


def _rows(services: Services, alarm_id: int) -> list[AlarmDelivery]:
    with services.db.session() as s:
        rows = s.scalars(
            select(AlarmDelivery)
            .where(AlarmDelivery.alarm_id == alarm_id)
            .order_by(AlarmDelivery.workstation, AlarmDelivery.kind)
        ).all()
        for row in rows:
            s.expunge(row)
        return list(rows)


def _three_screens(
    qtbot: QtBot, db_url: str, office: SeededOffice, clock: FakeClock, screens: list[Screen]
) -> tuple[Screen, Screen, Screen]:
    """Tom and Sarah (on the rota) on RESPONDER-1 and -2; Priya (not on it) on DESK-2."""
    tom = open_screen(db_url, clock, office.office_id, _as(office, "twhitfield", "RESPONDER-1"))
    sarah = open_screen(db_url, clock, office.office_id, _as(office, "sokafor", "RESPONDER-2"))
    priya = open_screen(db_url, clock, office.office_id, _as(office, "psharma", "DESK-2"))
    for screen in (tom, sarah, priya):
        screens.append(screen)

        def listening(s: Screen = screen) -> bool:
            return s.adapter._sub is not None

        qtbot.waitUntil(listening, timeout=5000)
    return tom, sarah, priya


def test_every_screen_records_showing_the_alarm_and_the_alert_lists_them(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom, sarah, priya = _three_screens(qtbot, db_url, office, clock, screens)
    alarm_id = press(services, office, clock, "Interview Room 1")
    window = alert_on(qtbot, tom, alarm_id)
    window.resize(1366, 768)
    alert_on(qtbot, sarah, alarm_id)
    qtbot.waitUntil(lambda: alarm_id in priya.controller.notices, timeout=5000)

    # Each screen recorded what it showed, who was signed in there, and about the sound.
    qtbot.waitUntil(lambda: len(_rows(services, alarm_id)) == 3, timeout=10_000)
    desk, first, second = _rows(services, alarm_id)
    assert (first.label, first.staff_name, first.kind) == (
        "RESPONDER-1",
        "Tom Whitfield",
        DeliveryKind.FULL_ALERT,
    )
    assert (second.label, second.staff_name) == ("RESPONDER-2", "Sarah Okafor")
    assert (desk.label, desk.staff_name, desk.kind) == (
        "DESK-2",
        "Priya Sharma",
        DeliveryKind.NOTICE,
    )
    # These test PCs have no speakers: recorded as not sounded, and why.
    assert not first.sound_played and "no audio output" in (first.no_sound_reason or "")
    assert not desk.sound_played and desk.no_sound_reason == "the smaller notice has no alarm sound"
    if services.db.is_postgresql:  # the database server's time, not the PC's (days away)
        assert abs((first.shown_at - datetime.now(UTC)).total_seconds()) < 60
    else:
        assert first.shown_at == clock.now()

    # Tom's alert lists the screens that showed it, as they come in.
    def lists_all_three() -> bool:
        text = window.responders_label.text()
        return all(
            pc in text
            for pc in ("DESK-2 (notice)", "RESPONDER-1 (no sound)", "RESPONDER-2 (no sound)")
        )

    qtbot.waitUntil(lists_all_three, timeout=10_000)
    shown_on = window.responders_label.text()
    assert "Shown on:" in shown_on
    assert "RESPONDER-1 (no sound)" in shown_on and "RESPONDER-2 (no sound)" in shown_on
    assert window.button_row.geometry().bottom() <= window.height()  # the buttons stay put

    # Priya opens the notice: the full alert, without the sound; recorded once more, as such.
    details = priya.controller.notices[alarm_id].findChild(QPushButton, "noticeDetails")
    assert details is not None
    qtbot.mouseClick(details, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_rows(services, alarm_id)) == 4, timeout=10_000)
    full = next(
        r for r in _rows(services, alarm_id) if r.label == "DESK-2" and r.kind.value == "full_alert"
    )
    assert not full.sound_played
    qtbot.waitUntil(lambda: "DESK-2 (no sound)" in window.responders_label.text(), timeout=10_000)
    assert "DESK-2 (notice)" not in window.responders_label.text()  # one entry per screen


def test_recording_never_holds_up_the_alert(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = delivery_recorder.record_shown

    def slow_database(db: Database, shown: Shown, now: datetime) -> bool:
        time.sleep(3)  # a database that takes its time (or hangs until its deadline)
        return real(db, shown, now)

    monkeypatch.setattr(delivery_recorder, "record_shown", slow_database)
    tom = open_screen(db_url, clock, office.office_id, _as(office, "twhitfield", "RESPONDER-1"))
    screens.append(tom)
    qtbot.waitUntil(lambda: tom.adapter._sub is not None, timeout=5000)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(50)

    started = time.monotonic()
    alarm_id = press(services, office, clock, "Interview Room 2")
    alert_on(qtbot, tom, alarm_id)
    assert time.monotonic() - started < 2.5  # shown before the write could have finished
    qtbot.waitUntil(lambda: len(_rows(services, alarm_id)) == 1, timeout=10_000)
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert max(gaps) < 1.0, f"the GUI thread stalled for {max(gaps):.1f} s"


def test_the_incident_record_and_its_export_list_the_screens_that_showed_it(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
    tmp_path: Path,
) -> None:
    tom, _sarah, priya = _three_screens(qtbot, db_url, office, clock, screens)
    alarm_id = press(services, office, clock, "Interview Room 3")
    window = alert_on(qtbot, tom, alarm_id)
    qtbot.waitUntil(lambda: alarm_id in priya.controller.notices, timeout=5000)
    qtbot.waitUntil(lambda: len(_rows(services, alarm_id)) == 3, timeout=10_000)
    click(qtbot, window, window.respond_button)
    services.alarms.resolve(alarm_id, office.actor("twhitfield"), AlarmOutcome.FALSE_ALARM, "ok")

    view = IncidentsView(
        services.incidents,
        lambda: office.actor("hmarsh"),
        office_id=office.office_id,
        office_name="Derby Central Housing Office",
    )
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    qtbot.waitExposed(view)
    column = COLUMNS.index("Shown on")
    cell = view.table.item(0, column)
    assert cell is not None
    for pc in ("RESPONDER-1 (no sound)", "RESPONDER-2 (no sound)", "DESK-2 (notice)"):
        assert pc in cell.text()
    assert "Tom Whitfield" in cell.toolTip() and "Priya Sharma, " in cell.toolTip()
    assert "no audio output" in cell.toolTip()

    assert view.export_to(tmp_path / "incidents.csv") == 1
    with (tmp_path / "incidents.csv").open(encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    shown_on = row["shown_on"].split("; ")
    assert len(shown_on) == 3
    desk = next(entry for entry in shown_on if entry.startswith("DESK-2"))
    assert desk.startswith("DESK-2, Priya Sharma, 20") and desk.endswith(
        ", notice, no sound (the smaller notice has no alarm sound)"
    )


def _quiet_for(db: Database, clock: FakeClock, name: str, minutes: int) -> None:
    """The PC ``name`` last heartbeated ``minutes`` ago (by the database server's clock)."""
    with db.session() as s:
        if db.is_postgresql:
            s.execute(
                text(
                    "UPDATE workstations SET last_seen_at = statement_timestamp() - "
                    "make_interval(mins => :m) WHERE name = :n"
                ),
                {"m": minutes, "n": name},
            )
        else:
            s.execute(
                update(Workstation)
                .where(Workstation.name == name)
                .values(last_seen_at=clock.now() - timedelta(minutes=minutes))
            )


def test_a_responder_pc_that_stops_heartbeating_is_shown_like_an_offline_button(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    desktops: list[DesktopApp],
    screens: list[Screen],
) -> None:
    # Tom is on the rota, signed in on RESPONDER-1; Sarah's PC (a whole SafeDesk) is running.
    heartbeat(services.db, clock, office.office_id, _as(office, "twhitfield", "RESPONDER-1"))
    config = Config(workstation=WorkstationConfig(name="RESPONDER-2", mode="responder"))
    db = Database(db_url, pool_size=2, max_overflow=2)
    sarah = build_desktop(
        config,
        db,
        clock,
        demo=False,
        sign_in_as="sokafor",
        panel_factories=[add_alarms_panel],
    )
    desktops.append(sarah)
    sarah.window.resize(1366, 768)
    sarah.window.show()
    qtbot.waitExposed(sarah.window)
    header = sarah.window.header
    qtbot.waitUntil(lambda: "2 of 3" in header.rota.text(), timeout=10_000)
    assert not header.quiet_pcs.isVisible()

    # RESPONDER-1 crashes (no sign-out): it stops heartbeating, Tom still signed in on it.
    _quiet_for(services.db, clock, "RESPONDER-1", minutes=4)
    with services.db.session() as s:
        seen = s.scalars(
            select(Workstation.last_seen_at).where(Workstation.name == "RESPONDER-1")
        ).one()
    assert seen is not None
    since = seen.astimezone().strftime("%H:%M")
    sarah.adapter.refresh()  # what the 30-second cover check does

    qtbot.waitUntil(header.quiet_pcs.isVisible, timeout=10_000)
    assert header.quiet_pcs.text() == f"RESPONDER-1 (Tom Whitfield) not heard from since {since}"
    assert header.quiet_pcs.kind.value == "alarm"  # red, like "Panic button OFFLINE"
    qtbot.waitUntil(lambda: "1 of 3" in header.rota.text(), timeout=10_000)
    assert header.quiet_pcs.geometry().right() <= sarah.window.width()
    # An alarm now: the rota list on the alert says so too.
    alarm_id = press(services, office, clock, "Interview Room 4")
    qtbot.waitUntil(lambda: alarm_id in sarah.controller.windows, timeout=5000)
    alert = sarah.controller.windows[alarm_id]
    qtbot.waitUntil(
        lambda: "RESPONDER-1 (Tom Whitfield) not heard from since" in alert.responders_label.text(),
        timeout=5000,
    )

    # A PC that went quiet long before the shift is old news, not "stopped during the shift".
    _quiet_for(services.db, clock, "RESPONDER-1", minutes=13 * 60)
    sarah.adapter.refresh()
    qtbot.waitUntil(lambda: not header.quiet_pcs.isVisible(), timeout=10_000)
