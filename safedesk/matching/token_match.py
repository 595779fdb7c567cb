"""How one typed name word compares with one stored name word: the comparison levels.

Levels follow Splink's name comparison: exact, then short forms, close typos and
transpositions (Damerau-Levenshtein/OSA), sound-alikes (Double Metaphone), then
Jaro-Winkler bands. Each level has a similarity in 0..1 used by the scorer and a
label shown to the receptionist so a match can be explained.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class NameLevel(Enum):
    """Comparison levels for one name word, strongest first."""

    EXACT = ("exact", 1.0)
    NICKNAME = ("nickname", 0.92)
    TYPO = ("one letter out", 0.9)
    TRANSPOSITION = ("letters swapped", 0.9)
    PHONETIC = ("sounds alike", 0.86)
    JARO_WINKLER_HIGH = ("similar spelling", 0.85)
    PREFIX = ("starts with", 0.8)
    PHONETIC_ALTERNATIVE = ("may sound alike", 0.75)
    JARO_WINKLER_MID = ("partly similar", 0.72)
    TWO_EDITS = ("two letters out", 0.68)
    SHORT_PREFIX = ("starts with", 0.6)
    INITIAL = ("initial", 0.5)

    def __init__(self, label: str, similarity: float) -> None:
        self.label = label
        self.similarity = similarity


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """A stored vocabulary word that a typed word may stand for."""

    similarity: float
    level: NameLevel
    stored: str  # the stored (folded) word
    note: str = ""  # e.g. the nickname link "bill→william"
