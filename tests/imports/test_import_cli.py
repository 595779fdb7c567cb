"""`safedesk import people|markers`: bad rows by line, good rows kept, a second run changes nothing;
then `safedesk search --json` finds what was imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import AuditEntry, Marker, Person, PersonAlias
from safedesk.services.imports.markers import import_markers
from safedesk.services.imports.people import import_people
from safedesk.services.shared.actor import Actor

ROOT = Path(__file__).resolve().parents[2]

PEOPLE_CSV = """\
Forenames,SURNAME,Date_Of_Birth,Postcode,Address,Tenancy_Ref,Aliases
John,Smith,06/03/1985,de1 2ab,"1 High Street, Derby",T900001,Johnny Smith;Jack Smith
Margaret,O'Brien,1950-02-30,DE23 8FZ,,T900002,
Peggy,Jones,1960-01-01,XX1,,T900003,
,Nobody,,,,T900004,
"Siân","Ó Briain-Jones",1972-11-09,DE22 1AA,"Flat 2,
Rosehill Street",T900005,Sian Jones
John,Smith,1985-03-06,DE1 2AB,,T900001,
Alan,Brown,2 May 1970,DE22 3CD,,T900006,
"""

MARKERS_CSV = """\
TENANCY_REF,Category,Instructions,Review_Due
T900001,violence/aggression,Two officers present for any meeting;No lone interviews,2027-04-01
T999999,near miss,Visit in pairs,
T900005,bogus,Visit in pairs,
T900005,mental health,Contact the Complex Needs Manager before any contact,01/05/2027
"""


def _counts(db: Database) -> tuple[int, int, int, int]:
    with db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Person)) or 0,
            s.scalar(select(func.count()).select_from(PersonAlias)) or 0,
            s.scalar(select(func.count()).select_from(Marker)) or 0,
            s.scalar(select(func.max(Person.updated_at))),  # type: ignore[return-value]
        )


def test_import_reports_bad_rows_by_line_keeps_good_rows_and_reimport_changes_nothing(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE_CSV, encoding="utf-8")
    markers = tmp_path / "markers.csv"
    markers.write_text(MARKERS_CSV, encoding="utf-8")
    actor = Actor.system("test")

    report = import_people(db, people, actor, clock.now())
    assert (report.added, report.updated, report.unchanged) == (2, 0, 0)
    assert [str(p) for p in report.problems] == [
        "line 3: date_of_birth '1950-02-30' is not a real date",
        "line 4: postcode 'XX1' is not a full UK postcode",
        "line 5: forenames is empty",
        "line 8: tenancy_ref T900001 already used on line 2",
        "line 9: date_of_birth '2 May 1970' is not a date (use 1985-03-06 or 06/03/1985)",
    ]
    report = import_markers(db, markers, actor, clock.now())
    assert report.added == 2
    assert [p.line for p in report.problems] == [3, 4]
    assert "no person with tenancy_ref T999999" in report.problems[0].message

    with db.session() as s:
        john = s.scalar(select(Person).where(Person.tenancy_ref == "T900001"))
        assert john is not None
        assert john.postcode == "DE1 2AB" and str(john.date_of_birth) == "1985-03-06"
        assert sorted(a.name for a in john.aliases) == ["Jack Smith", "Johnny Smith"]
        sian = s.scalar(select(Person).where(Person.tenancy_ref == "T900005"))
        assert sian is not None and sian.address == "Flat 2,\nRosehill Street"

    before = _counts(db)
    clock.advance(3600)
    again_people = import_people(db, people, actor, clock.now())
    again_markers = import_markers(db, markers, actor, clock.now())
    assert (again_people.added, again_people.updated, again_people.unchanged) == (0, 0, 2)
    assert (again_markers.added, again_markers.updated, again_markers.unchanged) == (0, 0, 2)
    assert _counts(db) == before  # not even updated_at moved
    with db.session() as s:
        imports = s.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("%_imported"))
        ).all()
        assert imports.count("people_imported") == 2


def _run(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAFEDESK_DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "safedesk", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_import_and_search_from_the_command_line(db: Database, db_url: str, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE_CSV, encoding="utf-8")
    markers = tmp_path / "markers.csv"
    markers.write_text(MARKERS_CSV, encoding="utf-8")
    done = _run(db_url, "import", "people", str(people))
    assert done.returncode == 1, done.stderr  # some rows rejected
    assert "rejected line 3: date_of_birth '1950-02-30' is not a real date" in done.stderr
    assert "2 added" in done.stdout
    assert _run(db_url, "import", "markers", str(markers)).returncode == 1
    missing = _run(db_url, "import", "people", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "file not found" in missing.stderr

    found = _run(db_url, "search", "jon smyth 06/03/1985", "--json", "--limit", "3")
    assert found.returncode == 0, found.stderr
    matches = json.loads(found.stdout)
    assert matches[0] == {
        **matches[0],
        "tenancy_ref": "T900001",
        "forenames": "John",
        "surname": "Smith",
        "date_of_birth": "1985-03-06",
        "postcode": "DE1 2AB",
        "flagged": True,
    }
    assert isinstance(matches[0]["score"], float)

    lines = _run(
        db_url,
        "search",
        "-",
        "--json",
        stdin="sian jones\nsmith DE1 2AB\nzzzzqqq\nT900005\n",
    )
    assert lines.returncode == 0, lines.stderr
    arrays = [json.loads(line) for line in lines.stdout.splitlines()]
    assert len(arrays) == 4
    assert arrays[0][0]["tenancy_ref"] == "T900005" and arrays[0][0]["flagged"] is True
    assert arrays[1][0]["tenancy_ref"] == "T900001"
    assert arrays[2] == []
    assert arrays[3][0]["surname"] == "Ó Briain-Jones"


def test_a_file_without_a_surname_column_says_column_in_the_singular(
    db: Database, tmp_path: Path
) -> None:
    from safedesk.services.imports.csv_rows import ImportFileError

    path = tmp_path / "people.csv"
    path.write_text("forenames,date_of_birth,postcode\nJo,1975-08-14,DE1 2AB\n")
    try:
        import_people(db, path, Actor.system("TEST-PC"), FakeClock().now())
    except ImportFileError as exc:
        message = str(exc)
    else:
        raise AssertionError("a file without a surname column was accepted")
    assert "missing column surname" in message
    assert "(s)" not in message
