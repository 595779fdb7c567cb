"""Import files as they really come: open quotes, marker review dates, repeats, screen titles
(issue 10, item 2). Through the real `safedesk import` commands on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import Marker, MarkerCategory, MarkerStatus, Person
from safedesk.services.imports.markers import import_markers
from safedesk.services.imports.people import import_people
from safedesk.services.shared.actor import Actor
from tests.imports.test_import_cli import _run

PEOPLE = "forenames,surname,date_of_birth,postcode,address,tenancy_ref,aliases\n"
MARKERS = "tenancy_ref,category,instructions,review_due\n"


def _names(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(f"{p.forenames} {p.surname}" for p in s.scalars(select(Person)))


def test_a_row_with_an_unclosed_quote_is_rejected_and_the_rows_after_it_are_still_read(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        PEOPLE
        + "Alan,Brown,1970-01-02,DE22 3CD,,T1,\n"
        + 'Peggy,"Unclosed,Quote,1960-01-01,DE1 1AA,,T2,\n'
        + 'Carol,White,1981-04-02,DE22 1AA,"Flat 2,\n'
        + 'Rosehill Street",T3,\n'
        + '"Unclosed,Quote,1960-01-01,DE1 1AA,",T4\n'
        + "Dave,Green,1990-05-05,DE1 2AB,,T5,\n"
        + '"Eve,Black,1991-06-06,DE1 2AB,,T6,\n',
        encoding="utf-8",
    )

    done = _run(db_url, "import", "people", str(people))

    assert done.returncode == 1, done.stderr
    rejected = [line for line in done.stderr.splitlines() if line.startswith("rejected")]
    assert [r.split(":")[0] for r in rejected] == [
        "rejected line 3",
        "rejected line 6",
        "rejected line 8",
    ], done.stderr
    assert "quotes do not pair up" in rejected[0]
    assert "forenames 'Unclosed,Quote,1960-01-01,DE1 1AA,' holds a comma" in rejected[1]
    assert "quotes do not pair up" in rejected[2]  # the quote runs to the end of the file
    assert _names(db) == ["Alan Brown", "Carol White", "Dave Green"]
    with db.session() as s:
        carol = s.scalar(select(Person).where(Person.tenancy_ref == "T3"))
        assert carol is not None and carol.address == "Flat 2,\nRosehill Street"


@pytest.fixture
def john(db: Database, tmp_path: Path, clock: FakeClock) -> Path:
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE + "John,Bell,1975-08-14,DE1 2AB,,T0000045,\n", encoding="utf-8")
    assert not import_people(db, people, Actor.system("test"), clock.now()).problems
    return tmp_path


def _markers(db: Database) -> list[tuple[MarkerCategory, list[str], date]]:
    with db.session() as s:
        return [
            (m.category, m.instructions, m.review_due)
            for m in s.scalars(
                select(Marker).where(Marker.status == MarkerStatus.ACTIVE).order_by(Marker.id)
            )
        ]


def test_marker_review_dates_must_be_after_today_and_within_six_months_of_placing(
    db: Database, db_url: str, john: Path, clock: FakeClock
) -> None:
    # The CLI runs on the real clock: dates relative to today.
    today = datetime.now().date()
    within = today + timedelta(days=150)
    markers = john / "markers.csv"
    markers.write_text(
        MARKERS
        + f"T0000045,near_miss,Visit in pairs,{today:%d/%m/%Y}\n"
        + "T0000045,violence_aggression,Visit in pairs,2020-01-01\n"
        + f"T0000045,complaints,Visit in pairs,{date(today.year + 1, today.month, 1):%Y-%m-%d}\n"
        + f"T0000045,mental health,Visit in pairs,{within:%Y-%m-%d}\n",
        encoding="utf-8",
    )

    done = _run(db_url, "import", "markers", str(markers))

    assert done.returncode == 1, done.stderr
    assert "rejected line 2: review_due" in done.stderr and "after today" in done.stderr
    assert "rejected line 3: review_due 01/01/2020" in done.stderr
    assert "rejected line 4: review_due" in done.stderr
    assert "reviewed at least every 6 months" in done.stderr
    assert "1 added" in done.stdout
    assert _markers(db) == [(MarkerCategory.MENTAL_HEALTH_BEHAVIOUR, ["Visit in pairs"], within)]


def test_a_second_active_marker_for_the_same_person_and_category_is_refused_not_duplicated(
    db: Database, john: Path, clock: FakeClock
) -> None:
    markers = john / "markers.csv"
    markers.write_text(
        MARKERS
        + "T0000045,violence_aggression,Two officers present;No lone interviews,\n"
        + "T0000045,Violence and aggression incident,Visit in pairs,\n"
        + "T0000045,violence,No lone interviews;Two officers present,\n",
        encoding="utf-8",
    )
    report = import_markers(db, markers, Actor.system("test"), clock.now())
    assert (report.added, report.unchanged) == (1, 1)  # line 4 is the same marker again
    ((line, message),) = [(p.line, p.message) for p in report.problems]
    assert line == 3
    assert message.startswith(
        "T0000045 already has an active Violence or aggression incident marker"
    )
    assert message.endswith("not added; change a marker at its review")
    clock.advance(86400 * 3)
    again = import_markers(db, markers, Actor.system("test"), clock.now())
    assert (again.added, again.unchanged) == (0, 2)
    # A night later the same file does not push the review date on, either.
    assert _markers(db) == [
        (
            MarkerCategory.VIOLENCE_AGGRESSION,
            ["Two officers present", "No lone interviews"],
            date(2027, 5, 23),
        )
    ]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Marker)) == 1


@pytest.mark.parametrize(
    ("label", "category"),
    [
        ("Violence and aggression incident", MarkerCategory.VIOLENCE_AGGRESSION),
        ("Violence or aggression incident", MarkerCategory.VIOLENCE_AGGRESSION),
        ("violence_aggression", MarkerCategory.VIOLENCE_AGGRESSION),
        ("Registered prolific offender / criminal offender", MarkerCategory.OFFENDER),
        ("Known mental health or behavioural issues", MarkerCategory.MENTAL_HEALTH_BEHAVIOUR),
        ("HISTORY OF COMPLAINTS AGAINST STAFF", MarkerCategory.COMPLAINTS_AGAINST_STAFF),
        ("Information received from partners", MarkerCategory.PARTNER_INFORMATION),
        ("Near miss", MarkerCategory.NEAR_MISS),
    ],
)
def test_categories_are_accepted_as_shown_on_screen_beside_the_codes(
    db: Database, john: Path, clock: FakeClock, label: str, category: MarkerCategory
) -> None:
    markers = john / "markers.csv"
    markers.write_text(MARKERS + f'T0000045,"{label}",Visit in pairs,\n', encoding="utf-8")
    report = import_markers(db, markers, Actor.system("test"), clock.now())
    assert report.problems == [] and report.added == 1
    assert _markers(db)[0][0] is category


def test_an_unknown_category_names_the_titles_staff_know(
    db: Database, john: Path, clock: FakeClock
) -> None:
    markers = john / "markers.csv"
    markers.write_text(MARKERS + "T0000045,bogus,Visit in pairs,\n", encoding="utf-8")
    (problem,) = import_markers(db, markers, Actor.system("test"), clock.now()).problems
    assert "category 'bogus' is not one of" in problem.message
    assert "Violence or aggression incident" in problem.message
