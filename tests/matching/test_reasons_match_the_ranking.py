"""Reception shows each match as "84% - same surname, first name sounds like Jon, ...": the
percentage is the ranking's score, the reasons come from the matcher's explanation. Both must
describe the same comparison, so the reasons, weighed as the matcher weighs each typed part,
add up to the percentage shown for every person in every list."""

from __future__ import annotations

from safedesk.matching import Match, PersonIndex, PersonRecord
from safedesk.matching.scoring import SWAPPED_FACTOR
from tests.matching.people import crowd, index_with

# The bench's reception queries (bench/search_load.py), then lines typed about crowd people.
RECEPTION_LINES = (
    "jon smyth 06/03/1985",
    "smith DE1 2AB",
    "margaret jones",
    "peggy o'brien 1960",
    "bill",
    "mohammed",
    "sasha 1990",
    "davies DE23",
    "o brien siobhan",
)


def typed_about(person: PersonRecord) -> list[str]:
    """How a receptionist might type this person: right, wrong order, initials, a typo, an alias."""
    forename = person.forenames.split()[0]
    surname = person.surname
    dob = person.date_of_birth.strftime("%d/%m/%Y") if person.date_of_birth else ""
    typo = surname[:-2] + surname[-1] + surname[-2] if len(surname) > 3 else surname
    lines = [
        f"{forename} {surname}",
        f"{surname} {forename}",
        f"{forename[0]} {surname} {dob}",
        f"{forename} {typo} {person.postcode or ''}",
        f"{person.forenames} {surname} {dob[-4:]}",
        f"{forename} {forename} {surname}",
        f"{surname} {forename[:3]}",
    ]
    lines += [f"{alias} {dob}" for alias in person.aliases]
    lines += [f"{forename} {alias.split()[-1]}" for alias in person.aliases]
    return lines


def score_from_reasons(index: PersonIndex, line: str, match: Match) -> float:
    """Weigh each reason as the matcher weighs the part it is about (the query's plan)."""
    plan = index._plan(index.parse(line))  # the weights are the matcher's own
    assert plan is not None
    by_field = {c.field: c for c in match.comparisons}
    per_name = [c for c in match.comparisons if c.field not in {"date_of_birth", "postcode",
                "tenancy_ref", "alias"} and c.level != "forename/surname swapped"]  # fmt: skip
    assert len(per_name) == len(plan.names)  # one reason for each typed name word
    names = sum(term.weight * c.similarity for term, c in zip(plan.names, per_name, strict=True))
    if any(c.level == "forename/surname swapped" for c in match.comparisons):
        names *= SWAPPED_FACTOR
    total = names
    if plan.dob_weight:
        total += plan.dob_weight * by_field["date_of_birth"].similarity
    if plan.postcode_weight:
        total += plan.postcode_weight * by_field["postcode"].similarity
    if plan.tenancy_weight:
        total += plan.tenancy_weight * by_field["tenancy_ref"].similarity
    return round(min(1.0, total / plan.total_weight), 4)


def test_every_match_shown_at_reception_scores_what_its_reasons_say() -> None:
    index = index_with()
    people = crowd()[::60]  # fifty people, aliases among them
    assert any(p.aliases for p in people)
    lines = [*RECEPTION_LINES, *(line for p in people for line in typed_about(p))]
    checked = 0
    for line in lines:
        for match in index.search(line, limit=10):
            assert score_from_reasons(index, line, match) == match.score, (line, match)
            checked += 1
    assert checked > 2000
