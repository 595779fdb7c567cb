"""`safedesk out`, `safedesk back` and `safedesk diary` as an officer and a manager type them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from safedesk.cli import main
from safedesk.models import AuditEntry
from safedesk.models.movements import CheckInMethod, Movement
from tests.movements.world import DiaryWorld

ANSWERS = [
    "--previous-violence", "none known", "--health-risk", "none known",
    "--household", "his mother", "--environment", "a dog", "--reason", "arrears",
]  # fmt: skip


@pytest.fixture
def cli(world: DiaryWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> DiaryWorld:
    monkeypatch.setenv("SAFEDESK_DATABASE_URL", world.db.url)
    monkeypatch.setenv("SAFEDESK_CONFIG", str(tmp_path / "safedesk.toml"))
    (tmp_path / "safedesk.toml").write_text(
        '[workstation]\nname = "CLI-PC"\noffice = "Derby Central Housing Office"\n',
        encoding="utf-8",
    )
    return world


def _run(monkeypatch: pytest.MonkeyPatch, args: list[str], passwords: str = "demo\n") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(passwords))
    return main(args)


def test_out_shows_the_markers_and_needs_them_acknowledged_and_a_second_officer(
    cli: DiaryWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = ["out", "--officer", "rgreen", "--address", "14 Abey St", "--postcode", "DE1 2AB"]
    out += ["--seeing", "Jon Smyth", "--back", "+1h", "--phone", "07700 900123", *ANSWERS]
    assert _run(monkeypatch, out) == 1
    seen = capsys.readouterr()
    assert "Jonathan Smith" in seen.out and "Visit in pairs" in seen.out
    assert "--acknowledge" in seen.err
    assert _run(monkeypatch, [*out, "--acknowledge"]) == 1
    assert "visits are made in pairs" in capsys.readouterr().err
    assert _run(monkeypatch, [*out, "--acknowledge", "--with", "sokafor"]) == 0
    assert "Logged" in capsys.readouterr().out
    assert _run(monkeypatch, ["diary"]) == 0
    board = capsys.readouterr().out
    assert "Rachel Green with Sarah Okafor: 14 Abey St, seeing Jon Smyth" in board
    assert _run(monkeypatch, ["back", "--officer", "rgreen"]) == 0
    with cli.db.session() as s:
        assert s.scalars(select(Movement)).one().check_in_method is CheckInMethod.COMMAND


def test_a_manager_authorises_a_lone_visit_from_the_command_line(
    cli: DiaryWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = ["out", "--officer", "rgreen", "--address", "14 Abbey Street", "--postcode", "DE1 2AB"]
    out += ["--back", "+1h", "--phone", "07700 900123", *ANSWERS, "--acknowledge"]
    out += ["--seeing", "Jonathan Smith", "--manager", "hmarsh"]
    out += ["--override-reason", "Doorstep only, PCSO on the estate"]
    assert _run(monkeypatch, out, passwords="demo\ndemo\n") == 0
    with cli.db.session() as s:
        assert s.scalars(select(Movement)).one().pairs_override_by_id == cli.staff["hmarsh"]


def test_diary_history_is_audited_and_the_csv_is_formula_safe(
    cli: DiaryWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cli.log(notes='=HYPERLINK("http://x")')
    target = tmp_path / "diary.csv"
    args = ["diary", "--officer", "rgreen", "--by", "hmarsh", "--csv", str(target)]
    assert _run(monkeypatch, args) == 0
    with target.open(encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["officer"] == "Rachel Green"
    assert row["notes"].startswith("'=HYPERLINK")
    assert _run(monkeypatch, ["diary", "--history", "--officer", "rgreen", "--by", "hmarsh"]) == 0
    with cli.db.session() as s:
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.staff_id == cli.staff["hmarsh"])
        ).all()
        assert "movements.exported" in actions and "movements.diary_viewed" in actions
    # Rachel reading her own diary is not a view of someone else's.
    assert _run(monkeypatch, ["diary", "--history", "--officer", "rgreen", "--by", "rgreen"]) == 0
    with cli.db.session() as s:
        viewed = s.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "movements.diary_viewed",
                AuditEntry.staff_id == cli.staff["rgreen"],
            )
        ).all()
        assert viewed == []
