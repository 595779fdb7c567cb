"""History, the year view, the CSV export and the printable audit report."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.services.weekly_test import history
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from safedesk.services.weekly_test.export import csv_rows, write_csv, year_record
from safedesk.services.weekly_test.history import CellState, year_view
from safedesk.services.weekly_test.report import render_report
from tests.weekly_test.office_builder import TestOffice, heard_now, record_press


def run_week(
    desk: WeeklyTestDesk,
    db: Database,
    clock: FakeClock,
    office: TestOffice,
    *,
    skip: tuple[str, ...] = (),
    silent: tuple[str, ...] = (),
) -> None:
    """Monday 09:00: test every button but ``skip``; ``silent`` ones never send a press."""
    for room, pk in office.devices.items():
        heard_now(db, pk, clock.now())
        if room in skip:
            continue
        started = desk.start(pk, office.actor("asha"))
        if room in silent:
            clock.advance(seconds=130)
            desk.expire_windows()
            continue
        clock.advance(seconds=15)
        record_press(db, started.test_id, clock.now(), clock.now() + timedelta(milliseconds=210))
        desk.record(started.test_id, office.actor("asha"), heard_on_responder=True, notes="=1+1")


@pytest.fixture
def three_weeks(desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice) -> None:
    """Weeks of 2, 9 and 16 Nov 2026: all pass; Room 3 silent; Reception desk 1 not tested."""
    clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    run_week(desk, db, clock, office)
    clock.set(datetime(2026, 11, 9, 9, 0, tzinfo=UTC))
    run_week(desk, db, clock, office, silent=("Interview Room 3",))
    clock.set(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    run_week(desk, db, clock, office, skip=("Reception desk 1",))
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # Monday of the current week


def test_history_per_week_and_per_device(
    three_weeks: None, db: Database, office: TestOffice
) -> None:
    with db.session() as s:
        week2 = history.tests_for_week(s, office.office_id, datetime(2026, 11, 9).date())
        assert [t.result_text for t in week2] == ["PASS", "PASS", "FAIL: no signal", "PASS"]
        assert week2[0].tester_name == "Asha Patel"
        assert week2[0].latency_ms == pytest.approx(210)
        room3 = history.tests_for_device(s, office.devices["Interview Room 3"])
        assert [t.week_start.isoformat() for t in room3] == [
            "2026-11-16",
            "2026-11-09",
            "2026-11-02",
        ]


def test_the_year_view_shows_gaps_at_a_glance(
    three_weeks: None, db: Database, clock: FakeClock, config: Config, office: TestOffice
) -> None:
    with db.session() as s:
        view = year_view(s, office.office_id, 2026, clock, config)
    assert len(view.weeks) == 52
    nov = [i for i, w in enumerate(view.weeks) if w.week_start.month == 11]
    by_room = {r.room_name: r for r in view.rows}
    assert [by_room["Interview Room 1"].cells[i].state for i in nov] == [
        CellState.PASS,
        CellState.PASS,
        CellState.PASS,
        CellState.DUE,  # this week, Monday morning
        CellState.FUTURE,
    ]
    assert by_room["Interview Room 3"].cells[nov[1]].state is CellState.FAIL
    assert by_room["Reception desk 1"].cells[nov[2]].state is CellState.NOT_TESTED
    # Every week Jan-Oct is a gap: the office registered its buttons in January 2025.
    assert by_room["Interview Room 1"].gaps == 43
    assert view.weeks_complete == 1
    clock.advance(hours=15)  # past Monday's deadline: this week's untested buttons are gaps now
    with db.session() as s:
        later = year_view(s, office.office_id, 2026, clock, config)
    assert later.rows[0].cells[nov[3]].state is CellState.NOT_TESTED


def test_csv_lists_every_test_and_every_gap(
    three_weeks: None, db: Database, clock: FakeClock, config: Config, office: TestOffice
) -> None:
    with db.session() as s:
        record = year_record(s, office.office_id, 2026, clock, config)
    out = io.StringIO()
    count = write_csv([record], out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == count == len(csv_rows(record))
    nov9 = [r for r in rows if r["week_start"] == "2026-11-09"]
    assert [(r["room"], r["result"], r["fail_reason"]) for r in nov9] == [
        ("Interview Room 1", "pass", ""),
        ("Interview Room 2", "pass", ""),
        ("Interview Room 3", "fail", "no_signal"),
        ("Reception desk 1", "pass", ""),
    ]
    first = nov9[0]
    assert first["office"] == "Northgate"
    assert first["tester"] == "Asha Patel"
    assert first["started_at"] == "2026-11-09T09:00:00+00:00"
    assert first["latency_ms"] == "210"
    assert first["heard_on_responder"] == "yes"
    assert first["notes"] == "'=1+1"  # never a live formula in a spreadsheet
    gap = next(
        r for r in rows if r["week_start"] == "2026-11-16" and r["room"] == "Reception desk 1"
    )
    assert gap["result"] == "not_tested" and gap["tester"] == ""
    assert sum(1 for r in rows if r["result"] == "not_tested") == 4 * 43 + 1


def test_csv_times_are_local_with_their_offset_in_summer(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, config: Config, office: TestOffice
) -> None:
    clock.set(datetime(2026, 7, 6, 8, 0, tzinfo=UTC))  # 09:00 BST
    run_week(desk, db, clock, office)
    with db.session() as s:
        rows = csv_rows(year_record(s, office.office_id, 2026, clock, config))
    july = next(r for r in rows if r["result"] == "pass")
    assert july["week_start"] == "2026-07-06"
    assert july["started_at"] == "2026-07-06T09:00:00+01:00"


def test_the_audit_report_renders_to_pages(
    three_weeks: None,
    db: Database,
    clock: FakeClock,
    config: Config,
    office: TestOffice,
    tmp_path: Path,
) -> None:
    with db.session() as s:
        record = year_record(s, office.office_id, 2026, clock, config)
    pdf = render_report([record], clock.now())
    assert pdf.startswith(b"%PDF")
    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(tmp_path / "report.pdf"), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages
    with Image.open(pages[0]) as page:
        assert page.width > page.height  # landscape A4
        colours = {c for _, c in page.convert("RGB").getcolors(maxcolors=1 << 16) or []}
    assert (46, 160, 67) in colours  # passed weeks are drawn green
    assert (200, 30, 30) in colours  # the failed week red
    assert (245, 166, 35) in colours  # gaps orange
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Northgate" in text and "FAIL: no signal" in text and "Asha Patel" in text
