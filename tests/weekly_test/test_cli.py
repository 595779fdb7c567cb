"""`safedesk tests status` and `safedesk tests export` against a real database."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from safedesk.cli import main
from safedesk.clock import SystemClock
from safedesk.db import Database
from tests.weekly_test.office_builder import build_office


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The CLI's database is the test database; the office's buttons were heard just now."""
    monkeypatch.setenv("SAFEDESK_DATABASE_URL", db_url)
    monkeypatch.delenv("SAFEDESK_CONFIG", raising=False)
    db = Database(db_url)
    build_office(db, SystemClock().now())
    db.dispose()
    return db_url


def test_status_prints_the_checklist_line_for_each_office(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tests", "status"]) == 0
    out = capsys.readouterr().out
    assert "Northgate: Weekly alarm test" in out
    assert "0 of 4 buttons tested" in out
    assert "Interview Room 1" in out and "not tested" in out


def test_export_writes_csv_and_pdf(cli_db: str, tmp_path: Path) -> None:
    assert main(["tests", "export", "--csv", str(tmp_path / "t.csv"), "--year", "2026"]) == 0
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["office"] for r in rows} == {"Northgate"}
    assert main(["tests", "export", "--pdf", str(tmp_path / "t.pdf")]) == 0
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")


def test_export_refuses_an_unknown_office_and_an_unwritable_file(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tests", "export", "--csv", str(tmp_path / "t.csv"), "--office", "Nowhere"]) == 2
    assert "unknown office 'Nowhere' (offices: Northgate)" in capsys.readouterr().err
    missing_dir = tmp_path / "no-such-dir" / "t.csv"
    assert main(["tests", "export", "--csv", str(missing_dir)]) == 2
    assert "cannot write" in capsys.readouterr().err
