"""The demo population: deterministic, realistic and well-formed."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from safedesk.demo.people import generate_people
from safedesk.matching.normalise import canonical_postcode


def test_the_same_seed_gives_the_same_people_and_sizes_share_a_prefix() -> None:
    small = list(generate_people(500))
    assert small == list(generate_people(500))
    assert list(generate_people(5000))[:500] == small
    assert list(generate_people(500, seed=1)) != small


def test_people_look_like_a_uk_council_population() -> None:
    people = list(generate_people(20_000))
    refs = [p.tenancy_ref for p in people]
    assert len(set(refs)) == len(refs)
    assert all(re.fullmatch(r"T\d{7}", r) for r in refs)
    assert all(canonical_postcode(p.postcode) == p.postcode for p in people)
    dobs = [p.date_of_birth for p in people if p.date_of_birth]
    assert min(dobs) >= date(1935, 1, 1) and max(dobs) <= date(2007, 12, 31)
    surnames = Counter(p.surname for p in people)
    assert surnames.most_common(1)[0][0] in {"Smith", "Jones", "Williams", "Taylor", "Brown"}
    assert sum(1 for s in surnames if "-" in s) > 50  # hyphenated and double-barrelled
    assert any(not p.forenames.isascii() for p in people)  # Zoë, Siân, Seán, Łukasz...
    assert any(not p.surname.isascii() for p in people)  # Ó Briain, Wiśniewski...
    with_aliases = sum(1 for p in people if p.aliases)
    assert 0.03 < with_aliases / len(people) < 0.2
    households = Counter(p.postcode for p in people)
    assert households.most_common(1)[0][1] > 1


def test_zero_people_is_an_empty_population() -> None:
    assert list(generate_people(0)) == []
