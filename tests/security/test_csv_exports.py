"""Issue 13: no export writes a cell a spreadsheet would run. The weekly test record (office,
room, device columns) and the restricted views report (workstation, staff) go through the same
formula-safe writer as the incidents export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from safedesk.cli import main
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import Office, PanicDevice, Room
from safedesk.services.markers.placing import create_marker
from safedesk.services.markers.restricted_register import view_restricted
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.csv_export import SafeCsvWriter, formula_safe
from safedesk.services.weekly_test.export import write_csv, year_record
from tests.markers.office_world import build_world
from tests.weekly_test.office_builder import build_office

LINK = '=HYPERLINK("http://evil.example/","Click for the rota")'
DDE = "-1+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    "typed", [LINK, DDE, AT, "+44 1332 640000", "\t=1+1", "  =1+1", "\uff1d1+1", "\r=1"]
)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(typed: str) -> None:
    out = io.StringIO()
    SafeCsvWriter(out).writerow([typed, 42, -1.5, None])
    cell, number, negative, empty = next(csv.reader(io.StringIO(out.getvalue())))
    assert cell == "'" + typed
    assert (number, negative, empty) == ("42", "-1.5", "")  # numbers stay numbers
    assert formula_safe("Interview Room 1") == "Interview Room 1"


def test_the_weekly_test_export_writes_office_room_and_device_as_text(db: Database) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    office = build_office(db, clock.now(), rooms=("Interview Room 1",))
    with db.session() as s:
        s.execute(update(Office).values(name=LINK))
        s.execute(update(Room).values(name=DDE))
        s.execute(update(PanicDevice).values(device_id=AT, label=DDE))
    with db.session() as s:
        record = year_record(s, office.office_id, 2026, clock, Config())
    out = io.StringIO()
    assert write_csv([record], out) > 0
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {(r["office"], r["room"], r["device_id"]) for r in rows} == {
        ("'" + LINK, "'" + DDE, "'" + AT)
    }


def test_the_restricted_views_report_writes_workstation_and_staff_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{(tmp_path / 'safedesk.sqlite3').as_posix()}"
    db = Database(url)
    try:
        from safedesk.db.migrate import upgrade

        upgrade(db.engine)
        clock = FakeClock()
        world = build_world(db, clock.now())
        with db.session() as s:
            marker = create_marker(
                s, world.actor("asb"), world.assessment(), now=clock.now(), config=world.config
            ).id
        viewer = Actor(world.staff["asb"], AT, LINK)  # what a PC's config and login may say
        view_restricted(db, viewer, marker, now=clock.now(), config=world.config)
    finally:
        db.dispose()
    monkeypatch.setenv("SAFEDESK_DATABASE_URL", url)
    monkeypatch.setenv("SAFEDESK_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    assert main(["markers", "views-report", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["staff"], r["workstation"]) for r in rows] == [("'" + AT, "'" + LINK)]
