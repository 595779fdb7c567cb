"""A realistic crowd for matching tests: demo people plus the few each test is about."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from safedesk.clock import FakeClock
from safedesk.demo.people import generate_people
from safedesk.matching import PersonIndex, PersonRecord

CROWD_SIZE = 3000
FIRST_OWN_ID = 1_000_000  # ids of the people a test adds, clear of the crowd's


@lru_cache(maxsize=1)
def crowd() -> tuple[PersonRecord, ...]:
    """Demo people (none flagged), so a test's person must be found among look-alikes."""
    return tuple(
        PersonRecord(
            person_id=n,
            forenames=p.forenames,
            surname=p.surname,
            aliases=p.aliases,
            date_of_birth=p.date_of_birth,
            postcode=p.postcode,
            tenancy_ref=p.tenancy_ref,
        )
        for n, p in enumerate(generate_people(CROWD_SIZE), start=1)
    )


def person(
    forenames: str,
    surname: str,
    dob: date | None = None,
    *,
    person_id: int = FIRST_OWN_ID,
    aliases: tuple[str, ...] = (),
    postcode: str | None = None,
    tenancy_ref: str | None = None,
    flagged: bool = False,
) -> PersonRecord:
    return PersonRecord(
        person_id=person_id,
        forenames=forenames,
        surname=surname,
        aliases=aliases,
        date_of_birth=dob,
        postcode=postcode,
        tenancy_ref=tenancy_ref,
        flagged=flagged,
    )


def index_with(*records: PersonRecord, with_crowd: bool = True) -> PersonIndex:
    everyone = (*crowd(), *records) if with_crowd else records
    return PersonIndex(everyone, clock=FakeClock())


def top_ids(index: PersonIndex, query: str, n: int = 5) -> list[int]:
    return [m.record.person_id for m in index.search(query, limit=20)[:n]]
