"""Ranking rules that keep reception safe.

An exact date of birth with a similar name comes first; a flagged close match is never
pushed off the shortlist by unflagged exact matches; a name alone is never 'certain'.
"""

from __future__ import annotations

from datetime import date

from safedesk.clock import FakeClock
from safedesk.matching import CLOSE_MATCH_SCORE, PersonIndex
from tests.matching.people import index_with, person

BORN = date(1985, 3, 6)


def test_exact_date_of_birth_with_a_similar_name_ranks_first() -> None:
    true_person = person("John", "Smith", BORN, person_id=1)
    same_name_other_dob = person("Jon", "Smyth", date(1972, 10, 19), person_id=2)
    index = index_with(true_person, same_name_other_dob, with_crowd=True)
    found = index.search("jon smyth 06/03/1985")
    assert found[0].record.person_id == 1
    assert "DOB exact" in found[0].reasons
    assert found[0].score > found[1].score


def test_an_unflagged_exact_match_never_hides_a_flagged_close_match() -> None:
    # Thirty unflagged people exactly matching what was typed, and one flagged person
    # whose surname is spelt differently: the flagged one must still be on the list.
    exact = [person("John", "Smith", None, person_id=100 + i) for i in range(30)]
    flagged = person("Jon", "Smyth", None, person_id=999, flagged=True)
    index = index_with(*exact, flagged, with_crowd=False)
    found = index.search("john smith", limit=5)
    assert [m.record.person_id for m in found[:5]] != []
    assert all(m.score == 1.0 for m in found[:5])
    flagged_hits = [m for m in found if m.record.person_id == 999]
    assert flagged_hits, "the flagged close match was hidden"
    assert flagged_hits[0].shown_because_flagged
    assert flagged_hits[0].score >= CLOSE_MATCH_SCORE


def test_flagged_people_rank_first_among_equal_matches() -> None:
    same = [person("Sarah", "Jones", None, person_id=100 + i) for i in range(10)]
    flagged = person("Sarah", "Jones", None, person_id=999, flagged=True)
    index = index_with(*same, flagged, with_crowd=False)
    assert index.search("sarah jones", limit=3)[0].record.person_id == 999


def test_every_close_candidate_is_available_to_the_reception_layer() -> None:
    exact = [person("John", "Smith", None, person_id=100 + i) for i in range(40)]
    flagged = person("Jon", "Smyth", None, person_id=999, flagged=True)
    index = index_with(*exact, flagged, with_crowd=False)
    everyone = index.candidates("john smith", CLOSE_MATCH_SCORE)
    assert {m.record.person_id for m in everyone} == {p.person_id for p in (*exact, flagged)}


def test_a_name_only_match_is_never_certain() -> None:
    only = person("Oluwaseun", "Oyelaran", BORN, person_id=1)
    index = index_with(only, with_crowd=False)
    found = index.search("oluwaseun oyelaran")
    assert found[0].record.person_id == 1
    assert found[0].score == 1.0
    assert not found[0].certain


def test_name_and_exact_date_of_birth_make_a_certain_match() -> None:
    only = person("Oluwaseun", "Oyelaran", BORN, person_id=1)
    index = index_with(only)
    assert index.search("oluwaseun oyelaran 06/03/1985")[0].certain


def test_two_people_with_the_same_name_and_birthday_are_not_certain() -> None:
    twins = [person("Sam", "Okafor", BORN, person_id=i) for i in (1, 2)]
    index = index_with(*twins, with_crowd=False)
    found = index.search("sam okafor 06/03/1985")
    assert len(found) == 2
    assert not any(m.certain for m in found)


def test_common_surnames_count_for_less_than_rare_ones() -> None:
    # Typed: a common forename and a rare surname. The person sharing the rare surname
    # outranks the one sharing the common forename (term-frequency adjustment).
    crowd_of_johns = [person("John", f"Other{i}", None, person_id=100 + i) for i in range(50)]
    rare_surname = person("Kwame", "Oyelaran", None, person_id=1)
    common_forename = person("John", "Taylor", None, person_id=2)
    index = index_with(*crowd_of_johns, rare_surname, common_forename, with_crowd=False)
    scores = {m.record.person_id: m.score for m in index.candidates("john oyelaran", 0.0)}
    assert scores[1] > scores[2]


def test_scores_stay_between_zero_and_one_and_explain_every_typed_part() -> None:
    index = index_with(person("John", "Smith", BORN, postcode="DE1 2AB", tenancy_ref="T1"))
    for m in index.search("jon smyth 06/03/1985 DE1 2AB"):
        assert 0.0 <= m.score <= 1.0
        fields = {c.field for c in m.comparisons}
        assert {"date_of_birth", "postcode"} <= fields


def test_a_flagged_person_with_a_near_date_of_birth_is_added_when_the_name_fits() -> None:
    exact = [person("John", "Smith", BORN, person_id=100 + i) for i in range(25)]
    near = person("John", "Smith", date(1985, 3, 16), person_id=999, flagged=True)
    index = index_with(*exact, near, with_crowd=False)
    found = index.search("john smith 06/03/1985", limit=10)
    assert found[-1].record.person_id == 999
    assert found[-1].shown_because_flagged
    assert "DOB one digit out" in found[-1].reasons


def test_a_date_of_birth_alone_does_not_pull_in_flagged_people_born_on_other_days() -> None:
    exact = [person(f"Person{i}", "Okoro", BORN, person_id=100 + i) for i in range(25)]
    near = person("Grace", "Mensah", date(1985, 3, 16), person_id=999, flagged=True)
    index = index_with(*exact, near, with_crowd=False)
    found = index.search("06/03/1985", limit=10)
    assert len(found) == 10
    assert all(m.record.date_of_birth == BORN for m in found)


def test_when_candidates_must_be_cut_exact_agreements_are_kept() -> None:
    look_alikes = [person("Jon", "Smyth", None, person_id=100 + i) for i in range(40)]
    exact = person("John", "Smith", None, person_id=1)
    index = PersonIndex((*look_alikes, exact), clock=FakeClock(), candidate_cap=10)
    assert index.search("john smith")[0].record.person_id == 1


def test_when_candidates_must_be_cut_a_flagged_close_match_is_kept() -> None:
    exact = [person("John", "Smith", None, person_id=100 + i) for i in range(40)]
    flagged = person("Jon", "Smyth", None, person_id=1, flagged=True)
    index = PersonIndex((*exact, flagged), clock=FakeClock(), candidate_cap=10)
    assert 1 in {m.record.person_id for m in index.search("john smith", limit=5)}
