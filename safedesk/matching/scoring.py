"""Turning per-field comparison levels into one score, and the Match the UI shows.

The score is a weighted average of field similarities over the parts the receptionist
typed. Weights are the evidence each part carries (in bits, as in Fellegi-Sunter/Splink):
a date of birth narrows a million people to about forty, so it weighs more than a
surname; a rare surname weighs more than "Smith" (term-frequency adjustment), so
"Oyelaran" agreeing counts for more than "Smith" agreeing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from safedesk.matching.records import PersonRecord

DOB_WEIGHT = 14.0  # log2(days in ~70 years of birth dates)
DOB_DAY_MONTH_WEIGHT = 8.0
DOB_YEAR_WEIGHT = 5.0
DOB_PART_WEIGHT = 3.0
POSTCODE_FULL_WEIGHT = 13.0
POSTCODE_SECTOR_WEIGHT = 8.0
POSTCODE_DISTRICT_WEIGHT = 5.0
TENANCY_WEIGHT = 20.0
TENANCY_PREFIX_WEIGHT = 8.0
INITIAL_WEIGHT = 2.0
NAME_MIN_BITS = 3.0
NAME_MAX_BITS = 16.0
UNKNOWN_NAME_BITS = 10.0
SWAPPED_FACTOR = 0.97

CLOSE_MATCH_SCORE = 0.7
"""Matches at or above this are close: a flagged close match is always shown."""

CERTAIN_NAME_SIMILARITY = 0.85
"""Each typed name word must agree at least this well for a match to count as certain."""


def name_weight(frequency: int, population: int) -> float:
    """Evidence in bits carried by agreeing on a name word held by `frequency` people."""
    if population <= 0:
        return UNKNOWN_NAME_BITS
    share = max(frequency, 1) / max(population, 1)
    return min(NAME_MAX_BITS, max(NAME_MIN_BITS, -math.log2(share)))


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """How one part of the query compared with the record: what the UI explains."""

    field: str  # "forename", "surname", "alias", "date_of_birth", "postcode", "tenancy_ref"
    level: str  # e.g. "exact", "sounds alike", "nickname", "DOB day/month swapped"
    similarity: float
    detail: str = ""  # e.g. "Bill→William", "Smyth~Smith"

    def describe(self) -> str:
        text = (
            self.level
            if self.field in {"date_of_birth", "postcode"}
            else f"{self.field} {self.level}"
        )
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True, slots=True)
class Match:
    """One candidate person for a search, with the evidence for it.

    `certain` is never true for a name-only match: it needs an exact date of birth (with
    every typed name word agreeing) or an exact tenancy reference, and no other candidate
    may qualify. `shown_because_flagged` marks a flagged close match that ranked below the
    requested limit and was added so that it cannot be hidden.
    """

    record: PersonRecord
    score: float
    comparisons: tuple[FieldComparison, ...]
    certain: bool = False
    shown_because_flagged: bool = False

    @property
    def reasons(self) -> tuple[str, ...]:
        """Short human-readable reasons: 'DOB exact', 'surname sounds alike (smyth~smith)'."""
        return tuple(c.describe() for c in self.comparisons)

    @property
    def close(self) -> bool:
        return self.score >= CLOSE_MATCH_SCORE
