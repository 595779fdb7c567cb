"""What the screens say is English for the people at them, not the program's words (issue 10,
item 23): counts agree ("1 incident", "1 needs attention"), roles are titles ("ASB Manager"), and
the status bar says where the database is without a URL or a login."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from desktop.alarm.incidents_view import IncidentsView, add_incidents_panel
from desktop.app import DesktopApp, build_desktop
from desktop.shell.connect_window import ConnectWindow
from desktop.shell.database_words import database_in_words
from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import FakeClock
from safedesk.config import Config, WorkstationConfig
from safedesk.db import Database
from safedesk.models import AlarmOutcome
from safedesk.services.hub import Services
from tests.helpers.office import SeededOffice

pytestmark = pytest.mark.gui

PANELS = [add_incidents_panel]


@pytest.fixture
def desktop(
    qtbot: QtBot, db_url: str, office: SeededOffice, clock: FakeClock
) -> Iterator[DesktopApp]:
    config = Config(workstation=WorkstationConfig(name="DESK-1", mode="reception"))
    db = Database(db_url, pool_size=2, max_overflow=2)
    app = build_desktop(
        config, db, clock, demo=False, sign_in_as="twhitfield", panel_factories=PANELS
    )
    app.window.resize(1366, 768)
    app.window.show()
    qtbot.waitExposed(app.window)
    yield app
    app.shutdown()
    app.window.close_guard = None
    app.window.close()
    db.dispose()


def status_bar_text(app: DesktopApp) -> str:
    bar = app.window.statusBar()
    words = [bar.currentMessage()]
    words += [label.text() for label in bar.findChildren(QLabel) if label.isVisible()]
    return " ".join(words)


def test_the_status_bar_says_where_the_database_is_without_its_url(
    desktop: DesktopApp, db_url: str
) -> None:
    text = status_bar_text(desktop)
    assert "://" not in text and "sqlite" not in text and "postgresql" not in text, text
    where = "Database: on this PC" if db_url.startswith("sqlite") else "Database: server on this PC"
    assert where in text, text


def test_a_database_server_is_named_by_its_host_only() -> None:
    url = make_url("postgresql+psycopg://reception_derby:s3cret@dbhost/safedesk")
    assert database_in_words(url) == "Database: server dbhost"
    assert database_in_words(make_url("sqlite:////home/asha/.local/share/x.sqlite3")) == (
        "Database: on this PC"
    )


def test_the_header_names_roles_by_their_titles_and_counts_agree(
    desktop: DesktopApp,
) -> None:
    header = desktop.window.header
    who = header.who.text()
    assert "Signed in: Tom Whitfield — Housing Officer, Responder" in who, who
    assert "officer, responder" not in who
    assert "(Reception)" in who and "(reception)" not in who
    header.set_weekly_test(7, 9, problems=1)
    assert header.weekly_test.text() == "Weekly alarm test: 7 of 9 (1 needs attention)"
    header.set_weekly_test(6, 9, problems=2)
    assert header.weekly_test.text() == "Weekly alarm test: 6 of 9 (2 need attention)"


def test_the_incident_list_counts_in_english(
    qtbot: QtBot, services: Services, office: SeededOffice, clock: FakeClock, tmp_path: Path
) -> None:
    press = ButtonPress(
        office.device_ids["Interview Room 1"], 1, clock.now(), DeviceKind.SERIAL, boot_id=5
    )
    alarm_id = services.alarms.press(press).alarm_id
    assert alarm_id is not None
    services.alarms.respond(alarm_id, office.actor("twhitfield"))
    services.alarms.resolve(
        alarm_id, office.actor("twhitfield"), AlarmOutcome.FALSE_ALARM, "Knocked by a bag"
    )
    view = IncidentsView(
        services.incidents,
        lambda: office.actor("hmarsh"),
        office_id=office.office_id,
        office_name="Derby Central Housing Office",
    )
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    assert view.summary.text().startswith("1 incident shown; 1 needs action"), view.summary.text()
    assert view.export_to(tmp_path / "incidents.csv") == 1
    assert view.message.text().startswith("✔ 1 incident exported to"), view.message.text()


def test_the_not_connected_window_names_the_server_not_its_url(qtbot: QtBot) -> None:
    db = Database("postgresql+psycopg://reception_derby:s3cret@dbhost.invalid/safedesk")
    try:
        window = ConnectWindow(db, retry_s=3600, on_connected=lambda: None)
        qtbot.addWidget(window)
        window.show()
        text = window.detail.text()
        assert "Cannot reach the SafeDesk database (server dbhost.invalid)" in text, text
        assert "reception_derby" not in text and "://" not in text
    finally:
        db.dispose()


def test_the_incident_commands_count_in_english(
    db_url: str,
    office: SeededOffice,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from safedesk.cli import main

    monkeypatch.setenv("SAFEDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("SAFEDESK_CONFIG", str(tmp_path / "safedesk.toml"))
    (tmp_path / "safedesk.toml").write_text('[workstation]\nname = "CLI-PC"\n', encoding="utf-8")
    assert main(["press", "Interview Room 2"]) == 0
    capsys.readouterr()
    assert main(["incidents", "list"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("\n1 incident") and "(s)" not in out, out
    assert main(["incidents", "export", str(tmp_path / "i.csv")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 incident written to") and "(s)" not in out, out
