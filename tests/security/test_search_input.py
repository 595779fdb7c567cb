"""Issue 13: search input cannot tie up a reception PC. Every pattern is linear (a 30,000
character token took 16 s in the tenancy-reference pattern) and a search line longer than any
real one is refused with a message instead of being searched."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.matching.query_parse import MAX_QUERY_CHARS, parse_query
from safedesk.services.reception.person_search import PersonSearch
from tests.reception.world import build_world


def test_a_huge_token_is_read_at_once() -> None:
    for token in ("A" + "1" * 30_000 + "!", "AB-" + "1" * 30_000 + "x", "1" * 30_000):
        started = time.perf_counter()
        parse_query(token, date(2026, 11, 23))
        assert time.perf_counter() - started < 0.5, token[:10]
    # What the reference pattern is for still reads as a reference.
    assert parse_query("T0001234", date(2026, 11, 23)).tenancy_ref == "T0001234"
    assert parse_query("smith AB-123/4X", date(2026, 11, 23)).tenancy_ref is not None


def test_a_search_longer_than_any_real_one_is_refused_with_a_message(db: Database) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    build_world(db, clock.now())
    search = PersonSearch.load(db, clock)
    pasted = "John Smith " * 3000
    started = time.perf_counter()
    shortlist = search.shortlist(pasted)
    assert time.perf_counter() - started < 1.0
    assert shortlist.entries == ()
    assert shortlist.parsed is not None
    assert shortlist.parsed.date_problem == (
        f"The search is too long ({len(pasted):,} characters): type at most {MAX_QUERY_CHARS}, "
        "for example a name with a date of birth, a postcode or a tenancy reference"
    )
    # A real line, even a long one, is searched as before.
    assert search.shortlist("John Smith").entries
