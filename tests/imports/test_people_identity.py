"""An import never changes who a record is: the flag stays on John Bell (issue 10, item 1).

Run through the real `safedesk import people` and `safedesk search` commands on SQLite and
PostgreSQL, as the nightly import and a receptionist's search would.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import AuditEntry, Person
from safedesk.services.imports.people import import_people, same_identity
from safedesk.services.shared.actor import Actor
from tests.imports.test_import_cli import _run
from tests.reception.world import place_marker

HEADER = "forenames,surname,date_of_birth,postcode,address,tenancy_ref,aliases\n"


def _add_person(
    db: Database, now: datetime, fore: str, sur: str, dob: date | None, ref: str, postcode: str
) -> int:
    with db.session() as s:
        person = Person(
            forenames=fore,
            surname=sur,
            date_of_birth=dob,
            postcode=postcode,
            tenancy_ref=ref,
            created_at=now,
            updated_at=now,
        )
        s.add(person)
        s.flush()
        return person.id


def _person(db: Database, ref: str) -> tuple[str, str, date | None, str | None]:
    with db.session() as s:
        p = s.scalar(select(Person).where(Person.tenancy_ref == ref))
        assert p is not None
        return p.forenames, p.surname, p.date_of_birth, p.postcode


def _audit(db: Database, action: str) -> list[AuditEntry]:
    with db.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_row_reusing_john_bells_tenancy_ref_for_ann_lee_is_rejected_and_the_flag_stays_on_him(
    db: Database, db_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    john = _add_person(db, clock.now(), "John", "Bell", date(1975, 8, 14), "T0000045", "DE1 2AB")
    place_marker(db, john, clock.now(), "Two officers present for any meeting")
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        HEADER
        + "Ann,Lee,01/01/1960,DE1 2AB,,T0000045,\n"
        + "Carol,White,1981-04-02,DE22 1AA,,T0000046,\n",
        encoding="utf-8",
    )

    done = _run(db_url, "import", "people", str(csv_file))

    assert done.returncode == 1, done.stderr
    assert (
        "rejected line 2: T0000045 is John Bell, 14/08/1975 here; "
        "the file says Ann Lee, 01/01/1960: not changed"
    ) in done.stderr
    assert "1 added, 0 updated, 0 unchanged, 1 rows rejected" in done.stdout
    assert _person(db, "T0000045") == ("John", "Bell", date(1975, 8, 14), "DE1 2AB")
    found = _run(db_url, "search", "john bell 14/08/1975", "--json", "--limit", "3")
    assert found.returncode == 0, found.stderr
    first = json.loads(found.stdout)[0]
    assert (first["tenancy_ref"], first["forenames"], first["surname"], first["flagged"]) == (
        "T0000045",
        "John",
        "Bell",
        True,
    )
    ann = json.loads(_run(db_url, "search", "ann lee 01/01/1960", "--json").stdout)
    assert all(m["tenancy_ref"] != "T0000045" for m in ann)
    (refused,) = _audit(db, "person_import_refused")
    assert refused.subject_id == john
    assert refused.detail["stored"] == {
        "forenames": "John",
        "surname": "Bell",
        "date_of_birth": "1975-08-14",
    }
    assert refused.detail["file_says"]["surname"] == "Lee" and refused.detail["line"] == 2


def test_a_spelling_fix_and_a_new_address_are_applied_and_audited_with_old_and_new_values(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    john = _add_person(db, clock.now(), "John", "Bel", date(1975, 8, 14), "T0000045", "DE1 2AB")
    sian = _add_person(db, clock.now(), "Sian", "Jones", None, "T0000047", "DE22 1AA")
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        HEADER
        + 'John,Bell,14/08/1975,DE23 8FZ,"1 High St, Derby",T0000045,Johnny Bell\n'
        + "Siân Mary,Jones,1972-11-09,DE22 1AA,,T0000047,\n",
        encoding="utf-8",
    )

    report = import_people(db, csv_file, Actor.system("test"), clock.now())

    assert (report.updated, report.problems) == (2, [])
    assert _person(db, "T0000045") == ("John", "Bell", date(1975, 8, 14), "DE23 8FZ")
    entries = {e.subject_id: e.detail for e in _audit(db, "person_updated_by_import")}
    assert entries[john]["changes"] == {
        "surname": {"old": "Bel", "new": "Bell"},
        "postcode": {"old": "DE1 2AB", "new": "DE23 8FZ"},
        "address": {"old": None, "new": "1 High St, Derby"},
        "aliases": {"old": [], "new": ["Johnny Bell"]},
    }
    assert entries[john]["line"] == 2 and entries[john]["tenancy_ref"] == "T0000045"
    assert entries[sian]["changes"] == {
        "forenames": {"old": "Sian", "new": "Siân Mary"},
        "date_of_birth": {"old": None, "new": "1972-11-09"},  # filled in, never wiped
    }


def test_an_empty_date_of_birth_in_the_file_does_not_wipe_the_recorded_one(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    _add_person(db, clock.now(), "John", "Bell", date(1975, 8, 14), "T0000045", "DE1 2AB")
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(HEADER + "John,Bell,,DE1 2AB,,T0000045,\n", encoding="utf-8")
    report = import_people(db, csv_file, Actor.system("test"), clock.now())
    assert (report.unchanged, report.problems) == (1, [])
    assert _person(db, "T0000045")[2] == date(1975, 8, 14)


DOB = date(1975, 8, 14)


@pytest.mark.parametrize(
    ("stored", "given"),
    [
        (("John", "Bell", DOB), ("JOHN", "BELL", DOB)),  # case
        (("Sian", "OBrien", DOB), ("Siân", "O'Brien", DOB)),  # accent, apostrophe
        (("Mary Kate", "McDonald ONeill", DOB), ("Mary-Kate", "McDonald-O'Neill", DOB)),
        (("John", "Bel", DOB), ("John", "Bell", DOB)),  # one letter added
        (("Jon", "Bell", DOB), ("John", "Bell", DOB)),
        (("John", "Bell", DOB), ("John", "Blel", DOB)),  # two letters swapped
        (("John", "Bell", DOB), ("John Paul", "Bell", DOB)),  # middle name added
        (("John Paul", "Bell", DOB), ("John P", "Bell", DOB)),  # middle initial
        (("John", "Bell", None), ("John", "Bell", DOB)),  # date of birth filled in
        (("John", "Bell", DOB), ("John", "Bell", None)),  # not given: kept
    ],
)
def test_the_same_person_with_a_spelling_fix_is_recognised(
    stored: tuple[str, str, date | None], given: tuple[str, str, date | None]
) -> None:
    assert same_identity(stored, given)


@pytest.mark.parametrize(
    ("stored", "given"),
    [
        (("John", "Bell", DOB), ("Ann", "Lee", date(1960, 1, 1))),  # the case
        (("John", "Bell", DOB), ("Ann", "Lee", DOB)),  # another name, same birthday
        (("John", "Bell", DOB), ("John", "Bell", date(1975, 8, 15))),  # another DOB
        (("John", "Bell", DOB), ("John", "Ball", date(1960, 1, 1))),
        (("John", "Bell", DOB), ("Jack", "Bell", DOB)),  # another forename
        (("John", "Bell", DOB), ("John", "Bellamy", DOB)),  # another surname
        (("John", "Bell", DOB), ("Bell", "John", DOB)),  # swapped round
        (("John", "Bell", None), ("John", "Bel", None)),  # no DOB to vouch for a fix
        (("Ann", "Lee", DOB), ("Ann", "Lea", DOB)),  # one letter in a short name
        (("John Paul", "Bell", DOB), ("John Peter", "Bell", DOB)),  # middle name replaced
    ],
)
def test_a_different_person_is_not_the_same_identity(
    stored: tuple[str, str, date | None], given: tuple[str, str, date | None]
) -> None:
    assert not same_identity(stored, given)
