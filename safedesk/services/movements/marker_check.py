"""Before an officer leaves: everyone recorded at the address, and every marker that applies.

Seed 001: officers went "into visits blind" and learned afterwards it was "meant to be a
two-person job. There are violence markers there". So the check looks at the whole household,
not just the name typed:

- people recorded at the address (the same home, the same building with another flat number,
  or a house number one character out), read from the postcode district and the street;
- the person being seen, matched by reception's matcher (``PersonIndex`` over those people,
  the same close-match score), so "Jon Smyth" still finds Jonathan Smith;
- the record picked from the list, if one was.

Instructions come from ``marker_warnings.visible_instructions``: restricted reasons stay
restricted and "contact the ASB Manager before visiting" is shown as the instruction it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from safedesk.matching.person_index import PersonIndex
from safedesk.matching.records import PersonRecord
from safedesk.matching.scoring import CLOSE_MATCH_SCORE
from safedesk.models import Marker, MarkerStatus, Person, PersonAlias
from safedesk.services.markers.warnings import warnings_for_people
from safedesk.services.movements.address_match import (
    Address,
    AddressLevel,
    compare_address,
    parse_address,
)
from safedesk.services.reception.person_search import visitor_query

POOL_LIMIT = 5000  # people read around the address; a postcode district is a few thousand
_PAIRS_WORDS = re.compile(
    r"\b(pairs?|two (officers|people|staff|members of staff)|2 officers|double[- ]crewed|"
    r"accompanied|not alone|never alone|lone)\b",
    re.IGNORECASE,
)


def mentions_pairs(instructions: Iterable[str]) -> bool:
    """Instructions that ask for two people ("Visit in pairs", "Two officers present ...")."""
    return any(_PAIRS_WORDS.search(i) for i in instructions)


@dataclass(frozen=True)
class MatchedPerson:
    """One person the visit may meet, why they were matched, and what staff must do."""

    person_id: int
    name: str
    date_of_birth: date | None
    address: str | None
    postcode: str | None
    why: str
    instructions: tuple[str, ...]
    marker_ids: tuple[int, ...]
    visits_in_pairs: bool  # a marker here carries the structured "visits in pairs" flag
    pairs_in_words: bool  # the instructions ask for pairs (flagged or not)
    restricted: bool

    @property
    def flagged(self) -> bool:
        return bool(self.marker_ids)


@dataclass(frozen=True)
class MarkerCheck:
    """The result shown before leaving: flagged people first, then everyone else found."""

    address: str
    postcode: str | None
    people: tuple[MatchedPerson, ...]

    @property
    def flagged(self) -> tuple[MatchedPerson, ...]:
        return tuple(p for p in self.people if p.flagged)

    @property
    def marker_ids(self) -> tuple[int, ...]:
        return tuple(sorted({m for p in self.people for m in p.marker_ids}))

    @property
    def pairs_required(self) -> bool:
        return any(p.visits_in_pairs for p in self.people)


def _pool(session: Session, address: Address) -> list[Person]:
    conditions = []
    if address.postcode:
        district = address.postcode.split(" ", 1)[0]
        conditions.append(Person.postcode.like(f"{district} %"))
    key = address.street_key
    if len(key) >= 3:
        pattern = f"%{address.numbers[0]}%{key}%" if address.numbers else f"%{key}%"
        conditions.append(func.lower(Person.address).like(pattern))
        if not address.postcode:
            # No postcode to lean on: a misspelt street still finds its first letters.
            conditions.append(func.lower(Person.address).like(f"%{key[:4]}%"))
    if not conditions:
        return []
    return list(
        session.scalars(
            select(Person).where(or_(*conditions)).order_by(Person.id).limit(POOL_LIMIT)
        )
    )


def _records(session: Session, people: list[Person]) -> list[PersonRecord]:
    aliases: dict[int, list[str]] = {}
    ids = [p.id for p in people]
    for start in range(0, len(ids), 500):
        for pid, name in session.execute(
            select(PersonAlias.person_id, PersonAlias.name).where(
                PersonAlias.person_id.in_(ids[start : start + 500])
            )
        ):
            aliases.setdefault(pid, []).append(name)
    return [
        PersonRecord(
            person_id=p.id,
            forenames=p.forenames,
            surname=p.surname,
            aliases=tuple(aliases.get(p.id, ())),
            date_of_birth=p.date_of_birth,
            postcode=p.postcode,
            tenancy_ref=p.tenancy_ref,
        )
        for p in people
    ]


def _name_matches(
    session: Session, people: list[Person], name: str, postcode: str | None
) -> dict[int, str]:
    """person id -> why, for close matches of the typed name among the people around."""
    if not name.strip() or not people:
        return {}
    index = PersonIndex(_records(session, people))
    found: dict[int, str] = {}
    for match in index.candidates(visitor_query(name, None, postcode), CLOSE_MATCH_SCORE):
        found[match.record.person_id] = "name matches: " + ", ".join(match.reasons)
    return found


def check_visit(
    session: Session,
    *,
    address: str,
    postcode: str | None,
    person_id: int | None,
    person_name: str,
    today: date,
) -> MarkerCheck:
    """Everyone the visit may meet with the marker instructions staff may see."""
    parsed = parse_address(address, postcode)
    pool = _pool(session, parsed)
    picked = session.get(Person, person_id) if person_id is not None else None
    if picked is not None and picked not in pool:
        pool.append(picked)
    why: dict[int, tuple[int, str]] = {}  # person id -> (strongest, reasons joined)

    def note(pid: int, strength: int, reason: str) -> None:
        best, reasons = why.get(pid, (0, ""))
        why[pid] = (max(best, strength), f"{reason}; {reasons}" if reasons else reason)

    for person in pool:
        match = compare_address(parsed, person.address, person.postcode)
        if match.level is not AddressLevel.DIFFERENT:
            note(person.id, int(match.level), match.why)
    for pid, reason in _name_matches(session, pool, person_name, parsed.postcode).items():
        note(pid, 5, reason)
    if picked is not None:
        note(picked.id, 9, "the person you are visiting (picked from the records)")
    by_id = {p.id: p for p in pool}
    warnings = warnings_for_people(session, why, today)
    flags = dict(
        session.execute(
            select(Marker.id, Marker.visits_in_pairs).where(
                Marker.person_id.in_(list(why)), Marker.status == MarkerStatus.ACTIVE
            )
        ).all()
    )
    people = []
    for pid, (_strength, reason) in why.items():
        person = by_id[pid]
        marks = warnings.get(pid, [])
        instructions = tuple(dict.fromkeys(i for w in marks for i in w.instructions))
        people.append(
            MatchedPerson(
                person_id=pid,
                name=person.full_name,
                date_of_birth=person.date_of_birth,
                address=person.address,
                postcode=person.postcode,
                why=reason,
                instructions=instructions,
                marker_ids=tuple(w.marker_id for w in marks),
                visits_in_pairs=any(flags.get(w.marker_id, False) for w in marks),
                pairs_in_words=mentions_pairs(instructions),
                restricted=any(w.restricted for w in marks),
            )
        )
    people.sort(key=lambda p: (not p.flagged, -why[p.person_id][0], p.name))
    return MarkerCheck(address=address.strip(), postcode=parsed.postcode, people=tuple(people))
