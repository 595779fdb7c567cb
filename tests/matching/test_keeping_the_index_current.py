"""The index follows the records: walk-ins, corrections, removals and new markers."""

from __future__ import annotations

from datetime import date

import pytest

from tests.matching.people import index_with, person


def test_a_walk_in_saved_as_a_record_is_found_at_once() -> None:
    index = index_with()
    walk_in = person("Precious", "Mwangi", date(2001, 1, 9), person_id=5_000_000)
    assert 5_000_000 not in {m.record.person_id for m in index.search("precious mwangi")}
    index.add(walk_in)
    assert index.search("precious mwangi")[0].record == walk_in


def test_adding_the_same_person_twice_is_refused() -> None:
    index = index_with(person("Ann", "Lee"), with_crowd=False)
    with pytest.raises(ValueError, match="already indexed"):
        index.add(person("Ann", "Lee"))


def test_a_marker_placed_later_flags_the_person_in_place() -> None:
    target = person("Kofi", "Asante", date(1970, 6, 1))
    index = index_with(target)
    assert not index.search("kofi asante")[0].record.flagged
    index.set_flagged(target.person_id, True)
    assert index.search("kofi asante")[0].record.flagged
    index.set_flagged(target.person_id, False)
    assert not index.search("kofi asante")[0].record.flagged


def test_a_corrected_name_is_found_under_the_new_name_only() -> None:
    before = person("Jon", "Smyth", date(1985, 3, 6), postcode="DE1 2AB")
    index = index_with(before, with_crowd=False)
    after = person("Jonathan", "Featherstonehaugh", date(1985, 3, 6), postcode="DE1 2AB")
    index.update(after)
    assert index.get(after.person_id) == after
    assert index.search("featherstonehaugh")[0].record == after
    assert not index.search("smyth")
    assert len(index) == 1


def test_an_update_that_only_changes_the_flag_keeps_the_row() -> None:
    before = person("Ama", "Boateng", postcode="ng7 1aa")
    index = index_with(before, with_crowd=False)
    index.update(person("Ama", "Boateng", postcode="NG7 1AA", flagged=True))
    found = index.search("ama boateng")
    assert len(found) == 1 and found[0].record.flagged
    assert found[0].record.postcode == "NG7 1AA"


def test_a_removed_person_is_no_longer_found() -> None:
    gone = person("Hodan", "Warsame", date(1994, 2, 2), tenancy_ref="T7777777")
    index = index_with(gone)
    assert index.remove(gone.person_id)
    assert gone.person_id not in index
    assert not [m for m in index.search("hodan warsame") if m.record.person_id == gone.person_id]
    assert not index.search("T7777777")
    assert not index.remove(gone.person_id)


def test_setting_a_flag_on_an_unknown_person_is_an_error() -> None:
    index = index_with(with_crowd=False)
    with pytest.raises(KeyError):
        index.set_flagged(42, True)


def test_an_empty_or_meaningless_line_finds_nobody() -> None:
    index = index_with()
    assert index.search("") == []
    assert index.search("   ") == []
    assert index.search("j") == []


def test_tenancy_references_added_later_are_found_exactly_and_by_their_start() -> None:
    index = index_with(person("Ann", "Lee", tenancy_ref="T0000001", person_id=1), with_crowd=False)
    index.add(person("Bob", "Lee", tenancy_ref="T00000010", person_id=2))
    index.add(person("Cy", "Lee", tenancy_ref="t 0000002", person_id=3))
    exact = index.search("T0000001")
    assert [m.record.person_id for m in exact] == [1]
    assert exact[0].certain
    assert {m.record.person_id for m in index.search("T000000")} == {1, 2, 3}
    assert [m.record.person_id for m in index.search("T0000002")] == [3]
    assert not any(m.certain for m in index.search("T000000"))
