"""The search index loaded from the database keeps up with new people and markers."""

from __future__ import annotations

from datetime import date, timedelta

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import Marker, MarkerStatus, Person
from safedesk.services.reception.person_search import PersonSearch
from tests.reception.world import World, place_marker


def test_new_person_and_new_marker_are_found_after_a_refresh(
    db: Database, world: World, search: PersonSearch, clock: FakeClock
) -> None:
    assert search.load_report is not None and search.load_report.people == 4
    clock.advance(60)
    with db.session() as s:
        s.add(
            Person(
                forenames="Zofia",
                surname="Kowalczyk",
                date_of_birth=date(1991, 7, 7),
                postcode="DE24 8AA",
                tenancy_ref="T2001",
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
        brown = s.get(Person, world.people["alan_brown"])
        assert brown is not None
        brown.surname = "Browne-Taylor"
        brown.updated_at = clock.now()
    place_marker(db, world.people["margaret_jones"], clock.now(), "Visit in pairs")
    report = search.refresh()
    assert report.changed == 2 and report.flags_changed == 1
    (zofia,) = search.search("zosia kowalczyk", 1)  # a Polish short form of Zofia
    assert zofia.record.tenancy_ref == "T2001"
    assert search.search("alan browne taylor", 1)[0].record.person_id == world.people["alan_brown"]
    peggy = search.search("peggy jones", 1)[0]
    assert peggy.record.person_id == world.people["margaret_jones"] and peggy.record.flagged
    # Nothing changed: the next refresh applies nothing.
    assert search.refresh().changed == 0


def test_removed_marker_and_removed_person_are_forgotten(
    db: Database, world: World, search: PersonSearch, clock: FakeClock
) -> None:
    with db.session() as s:
        for marker in s.query(Marker).filter_by(person_id=world.people["john_smith"]):
            marker.status = MarkerStatus.REMOVED
            marker.removed_at = clock.now()
        s.delete(s.get(Person, world.people["alan_brown"]))
    report = search.refresh()
    assert report.removed == 1 and report.flags_changed == 1
    assert not search.search("john smith 06/03/1985", 1)[0].record.flagged
    assert all(m.record.surname != "Brown" for m in search.search("alan brown", 5))


def test_a_marker_placed_before_the_refresh_still_shows_in_the_shortlist(
    db: Database, world: World, search: PersonSearch, clock: FakeClock
) -> None:
    place_marker(
        db, world.people["alan_brown"], clock.now() - timedelta(seconds=1), "No lone interviews"
    )
    (entry,) = [
        e
        for e in search.shortlist("alan brown 02/01/1970", 3).entries
        if e.record.surname == "Brown"
    ]
    assert entry.flagged and entry.instructions == ("No lone interviews",)
