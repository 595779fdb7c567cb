"""Is a recorded address the one being visited? Typos in a flat number must not hide anyone.

Addresses are folded as reception folds names (``matching.normalise``), street words are
expanded ("St" -> street, "Rd" -> road) and compared with a spelling tolerance, and postcodes are
compared with reception's postcode levels. The flat number is compared last and only ever
lowers the level: a different flat in the same building is still shown, because a mistyped flat
number is exactly how a marker gets missed.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from safedesk.matching.normalise import (
    canonical_postcode,
    fold,
    postcode_district,
    postcode_sector,
)
from safedesk.matching.postcode_compare import compare_postcode
from safedesk.matching.query_parse import PostcodeQuery

STREET_WORDS = {
    "st": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "cl": "close",
    "cres": "crescent",
    "cr": "crescent",
    "dr": "drive",
    "ct": "court",
    "gdns": "gardens",
    "gr": "grove",
    "pl": "place",
    "sq": "square",
    "terr": "terrace",
    "ter": "terrace",
    "wy": "way",
    "hse": "house",
    "blk": "block",
}
FLAT_WORDS = frozenset({"flat", "apartment", "apt", "unit", "maisonette", "room"})
_IGNORED = frozenset({"the", "and", "of"})
_POSTCODE = re.compile(r"\b([A-Za-z]{1,2}\d[A-Za-z\d]?)\s*(\d[A-Za-z]{2})\b")
_TOKEN = re.compile(r"[a-z]+|\d+[a-z]?")
_WORD_SIMILAR = 85.0  # rapidfuzz ratio: "abey" ~ "abbey", "stret" ~ "street"


class AddressLevel(enum.IntEnum):
    """How close a recorded address is to the one typed, strongest last."""

    DIFFERENT = 0
    NEAR_NUMBER = 1  # same street and postcode, house number one character out
    SAME_BUILDING = 2  # same building, a different (or no) flat number
    SAME_HOME = 3


@dataclass(frozen=True)
class Address:
    flat: str | None
    numbers: tuple[str, ...]
    words: tuple[str, ...]
    postcode: str | None

    @property
    def street_key(self) -> str:
        """The longest word, used to narrow the database read ("abbey" in "14 abbey street")."""
        plain = [w for w in self.words if w not in STREET_WORDS.values()]
        return max(plain or self.words or ("",), key=len)


def parse_address(text: str, postcode: str | None = None) -> Address:
    """'Flat 3, 14 Abbey St, Derby DE1 2AB' -> flat 3, number 14, words, postcode DE1 2AB."""
    found = _POSTCODE.search(text)
    typed_postcode = canonical_postcode(postcode) if postcode else None
    if found is not None:
        typed_postcode = typed_postcode or canonical_postcode(found.group(0))
        text = text[: found.start()] + " " + text[found.end() :]
    tokens = _TOKEN.findall(fold(text))
    flat: str | None = None
    numbers: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in FLAT_WORDS and i + 1 < len(tokens) and tokens[i + 1][0].isdigit():
            flat = tokens[i + 1]
            i += 2
            continue
        if token[0].isdigit():
            numbers.append(token)
        elif token not in _IGNORED:
            words.append(STREET_WORDS.get(token, token))
        i += 1
    return Address(flat, tuple(numbers), tuple(words), typed_postcode)


def _word_cover(typed: tuple[str, ...], stored: tuple[str, ...]) -> float:
    """Share of the typed words found (allowing a typo) in the stored address."""
    if not typed:
        return 0.0
    hits = sum(1 for w in typed if any(fuzz.ratio(w, s) >= _WORD_SIMILAR for s in stored))
    return hits / len(typed)


def _postcode_agrees(typed: str | None, stored: str | None) -> bool | None:
    """True exact or one out; False clearly different; None when one side has none."""
    if typed is None or stored is None:
        return None
    query = PostcodeQuery(postcode_district(typed), postcode_sector(typed), typed)
    score, _ = compare_postcode(query, canonical_postcode(stored) or stored)
    return score >= 0.8


def _as_flat(address: Address, other: Address) -> Address:
    """Read "12 Rose Court" or "3/14 Abbey St" as flat 12 / flat 3 when the other says "Flat"."""
    if (
        address.flat is None
        and other.flat is not None
        and len(address.numbers) == len(other.numbers) + 1
    ):
        return Address(address.numbers[0], address.numbers[1:], address.words, address.postcode)
    return address


@dataclass(frozen=True)
class AddressMatch:
    level: AddressLevel
    why: str


def compare_address(
    typed: Address, stored_text: str | None, stored_postcode: str | None
) -> AddressMatch:
    """Level of a recorded address against the visit's, with the reason in plain words."""
    if not stored_text:
        return AddressMatch(AddressLevel.DIFFERENT, "no address recorded")
    stored = parse_address(stored_text, stored_postcode)
    typed, stored = _as_flat(typed, stored), _as_flat(stored, typed)
    postcode = _postcode_agrees(typed.postcode, stored.postcode)
    cover = _word_cover(typed.words, stored.words)
    if postcode is False or (postcode is None and cover < 0.75):
        # A different postcode is believed only if the street and number say so too.
        if not (cover == 1.0 and typed.numbers and typed.numbers == stored.numbers):
            return AddressMatch(AddressLevel.DIFFERENT, "different address")
    elif cover < 0.5:
        return AddressMatch(AddressLevel.DIFFERENT, "different street")
    if typed.numbers != stored.numbers:
        near = (
            postcode is True
            and len(typed.numbers) == len(stored.numbers) == 1
            and OSA.distance(typed.numbers[0], stored.numbers[0]) <= 1
        )
        if near:
            return AddressMatch(
                AddressLevel.NEAR_NUMBER,
                f"number {stored.numbers[0]} on record (you typed {typed.numbers[0]})",
            )
        return AddressMatch(AddressLevel.DIFFERENT, "different house number")
    notes = []
    if cover < 0.75:
        notes.append("street name differs")
    if postcode is False:
        notes.append(f"postcode on record {stored.postcode}")
    if typed.flat != stored.flat:
        on_record = f"flat {stored.flat}" if stored.flat else "no flat number"
        typed_flat = f"flat {typed.flat}" if typed.flat else "no flat number"
        why = f"same building: {on_record} on record (you typed {typed_flat})"
        return AddressMatch(AddressLevel.SAME_BUILDING, "; ".join([why, *notes]))
    if cover < 0.75:
        return AddressMatch(
            AddressLevel.NEAR_NUMBER, "same number and postcode; street name differs"
        )
    return AddressMatch(AddressLevel.SAME_HOME, "; ".join(["lives at this address", *notes]))
