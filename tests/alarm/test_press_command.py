"""`safedesk press ROOM` and `safedesk incidents export`: what a newcomer and a manager type."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from safedesk.cli import main
from safedesk.db import Database
from safedesk.models import AlarmEvent, AlarmPress
from tests.helpers.office import SeededOffice


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("SAFEDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("SAFEDESK_CONFIG", str(tmp_path / "safedesk.toml"))
    (tmp_path / "safedesk.toml").write_text('[workstation]\nname = "CLI-PC"\n', encoding="utf-8")
    return db_url


def test_pressing_the_simulated_button_raises_an_alarm_for_that_room(
    cli_env: str, db: Database, office: SeededOffice, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["press", "interview room 2", "--office", "Derby Central Housing Office"]) == 0
    assert "ALARM" in capsys.readouterr().out
    assert main(["press", "Interview Room 2"]) == 0
    assert "pressed again" in capsys.readouterr().out
    with db.session() as s:
        alarm = s.scalars(select(AlarmEvent)).one()
        assert alarm.room_id == office.room_ids["Interview Room 2"]
        assert alarm.source.value == "simulated"
        assert alarm.press_count == 2
        assert len(s.scalars(select(AlarmPress)).all()) == 2


def test_an_unknown_room_is_a_clear_error_with_exit_code_2(
    cli_env: str, db: Database, office: SeededOffice, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["press", "Interview Room 99"]) == 2
    err = capsys.readouterr().err
    assert "unknown room 'Interview Room 99'" in err
    assert "Interview Room 1 (Derby Central Housing Office)" in err
    assert main(["press", "Interview Room 1", "--office", "Nowhere"]) == 2
    assert "unknown office" in capsys.readouterr().err
    with db.session() as s:
        assert s.scalars(select(AlarmEvent)).all() == []


def test_incidents_export_writes_a_csv_with_the_filters(
    cli_env: str, db: Database, office: SeededOffice, tmp_path: Path
) -> None:
    assert main(["press", "Interview Room 1"]) == 0
    assert main(["press", "Interview Room A"]) == 0
    out = tmp_path / "incidents.csv"
    assert main(["incidents", "export", str(out), "--office", "Derby Central Housing Office"]) == 0
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["room"], r["status"]) for r in rows] == [("Interview Room 1", "open")]
    assert main(["incidents", "export", str(tmp_path / "missing" / "x.csv")]) == 2
    assert main(["incidents", "export", str(out), "--from", "yesterday"]) == 2
