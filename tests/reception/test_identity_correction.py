"""A deliberate correction of who a record is: managers and administrators only, audited with the
old and new values and the reason; `safedesk people correct` refuses bad input with exit 2."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import AuditEntry, Person, Staff
from safedesk.services.reception.person_identity import correct_identity
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import InvalidInput, PermissionRefused
from tests.imports.test_import_cli import _run
from tests.reception.world import MANAGER_PASSWORD, World

REASON = "Housing system record T0000045 was keyed from the wrong form; checked with tenancy file"


@pytest.fixture
def john(db: Database, world: World, clock: FakeClock) -> int:
    with db.session() as s:
        person = Person(
            forenames="John",
            surname="Bell",
            date_of_birth=date(1975, 8, 14),
            postcode="DE1 2AB",
            tenancy_ref="T0000045",
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        s.add(person)
        s.flush()
        return person.id


def _manager(db: Database, world: World) -> Actor:
    with db.session() as s:
        staff = s.scalar(select(Staff).where(Staff.login == world.manager_login))
        assert staff is not None
        return Actor(staff.id, staff.login, "MANAGER-PC")


def _identity(db: Database, person_id: int) -> tuple[str, str, date | None]:
    with db.session() as s:
        p = s.get(Person, person_id)
        assert p is not None
        return p.forenames, p.surname, p.date_of_birth


def _corrections(db: Database) -> list[AuditEntry]:
    with db.session() as s:
        return list(
            s.scalars(select(AuditEntry).where(AuditEntry.action == "person_identity_corrected"))
        )


def test_a_manager_corrects_an_identity_and_the_audit_keeps_old_new_and_the_reason(
    db: Database, world: World, clock: FakeClock, john: int
) -> None:
    with db.session() as s:
        done = correct_identity(
            s,
            _manager(db, world),
            john,
            forenames="Johnathan",
            surname="Bell",
            date_of_birth=date(1975, 8, 15),
            reason=REASON,
            now=clock.now(),
        )
    assert done.old.describe() == "John Bell, 14/08/1975"
    assert done.new.describe() == "Johnathan Bell, 15/08/1975"
    assert _identity(db, john) == ("Johnathan", "Bell", date(1975, 8, 15))
    (entry,) = _corrections(db)
    assert (entry.actor, entry.subject_type, entry.subject_id) == ("hmarsh", "person", john)
    assert entry.detail["old"] == {
        "forenames": "John",
        "surname": "Bell",
        "date_of_birth": "1975-08-14",
    }
    assert entry.detail["new"]["date_of_birth"] == "1975-08-15"
    assert entry.detail["reason"] == REASON


def test_a_receptionist_cannot_correct_an_identity_and_nothing_changes(
    db: Database, world: World, clock: FakeClock, john: int
) -> None:
    refused = pytest.raises(PermissionRefused, match="needs a manager or an administrator")
    with refused, db.session() as s:
        correct_identity(
            s,
            world.receptionist,
            john,
            forenames="Ann",
            surname="Lee",
            date_of_birth=date(1960, 1, 1),
            reason=REASON,
            now=clock.now(),
        )
    assert _identity(db, john) == ("John", "Bell", date(1975, 8, 14))
    assert _corrections(db) == []


@pytest.mark.parametrize(
    ("forenames", "surname", "dob", "reason", "field"),
    [
        ("Ann", "", date(1960, 1, 1), REASON, "surname"),
        ("Ann", "Lee", date(2099, 1, 1), REASON, "date_of_birth"),
        ("Ann", "Lee", date(1960, 1, 1), "typo", "reason"),
        ("Ann,Lee", "Lee", date(1960, 1, 1), REASON, "forenames"),
        ("John", "Bell", date(1975, 8, 14), REASON, "identity"),  # nothing to correct
    ],
)
def test_a_correction_with_bad_input_says_which_field_and_changes_nothing(
    db: Database,
    world: World,
    clock: FakeClock,
    john: int,
    forenames: str,
    surname: str,
    dob: date,
    reason: str,
    field: str,
) -> None:
    with pytest.raises(InvalidInput) as refused, db.session() as s:
        correct_identity(
            s,
            _manager(db, world),
            john,
            forenames=forenames,
            surname=surname,
            date_of_birth=dob,
            reason=reason,
            now=clock.now(),
        )
    assert refused.value.fields == [field]
    assert _identity(db, john) == ("John", "Bell", date(1975, 8, 14))
    assert _corrections(db) == []


def test_people_correct_from_the_command_line(
    db: Database, db_url: str, world: World, john: int
) -> None:
    def correct(
        *args: str, password: str = MANAGER_PASSWORD, by: str = "hmarsh"
    ) -> subprocess.CompletedProcess[str]:
        return _run(
            db_url,
            "people",
            "correct",
            *args,
            "--reason",
            REASON,
            "--by",
            by,
            stdin=password + "\n",
        )

    bad_dob = correct("T0000045", "--dob", "31/02/1975")
    assert bad_dob.returncode == 2
    assert "is not a real date; nothing changed" in bad_dob.stderr
    wrong_password = correct("T0000045", "--surname", "Lee", password="guess")
    assert wrong_password.returncode == 2
    assert "Wrong login or password" in wrong_password.stderr
    receptionist = correct("T0000045", "--surname", "Lee", by="psharma")
    assert receptionist.returncode == 2
    assert "needs a manager" in receptionist.stderr
    unknown = correct("T9999999", "--surname", "Lee")
    assert unknown.returncode == 2
    assert "no person with tenancy ref T9999999" in unknown.stderr
    nothing = _run(db_url, "people", "correct", "T0000045", "--by", "hmarsh")
    assert nothing.returncode == 2 and "--reason" in nothing.stderr
    assert _identity(db, john) == ("John", "Bell", date(1975, 8, 14))
    assert _corrections(db) == []

    done = correct("T0000045", "--forenames", "Ann", "--surname", "Lee", "--dob", "01/01/1960")

    assert done.returncode == 0, done.stderr
    assert "T0000045 corrected: John Bell, 14/08/1975 -> Ann Lee, 01/01/1960" in done.stdout
    assert _identity(db, john) == ("Ann", "Lee", date(1960, 1, 1))
    (entry,) = _corrections(db)
    assert entry.actor == "hmarsh" and entry.detail["reason"] == REASON
