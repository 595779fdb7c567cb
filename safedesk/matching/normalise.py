"""Folding names, postcodes and references to the comparable forms the index stores.

Everything typed at reception goes through the same folding as the records, so case,
accents (Zoë, Siân, Ó Briain, Łukasz) and punctuation (O'Brien, Smith-Jones) never
decide whether a person is found.
"""

from __future__ import annotations

import re

from unidecode import unidecode

# Name particles that belong to the following word: "O'Brien", "Ó Briain", "da Silva",
# "ap Rhys". The particle alone identifies nobody, so it is glued to the next word.
PARTICLES = frozenset(
    {"o", "mc", "mac", "ni", "nic", "ap", "ab", "da", "de", "di", "du", "van", "von",
     "der", "den", "le", "la", "st", "d"}
)  # fmt: skip

_NOT_NAME = re.compile(r"[^a-z']+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})

POSTCODE_FULL = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
POSTCODE_OUTWARD = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
POSTCODE_INWARD_PART = re.compile(r"^\d[A-Z]{0,2}$")


def fold(text: str) -> str:
    """Lower-case ASCII with accents transliterated: 'Zoë Ó Briain' -> 'zoe o briain'."""
    return unidecode(text.translate(_APOSTROPHES)).lower()


def _pieces(text: str) -> list[str]:
    """Words of a folded name, split on spaces, hyphens, apostrophes and other punctuation."""
    return [p for p in _NOT_NAME.sub(" ", fold(text)).replace("'", " ").split() if p]


def query_name_tokens(text: str) -> list[str]:
    """Words of a typed name with particles glued on: "o brien" -> ["obrien"]."""
    pieces = _pieces(text)
    tokens: list[str] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if piece in PARTICLES and i + 1 < len(pieces):
            tokens.append(piece + pieces[i + 1])
            i += 2
            continue
        tokens.append(piece)
        i += 1
    return tokens


def record_name_tokens(text: str, *, join_words: bool = True) -> tuple[str, ...]:
    """Every token under which a stored name should be found.

    "Brown-Smith" gives brown, smith and brownsmith (either part, or both run together);
    "O'Brien" gives obrien and brien; "Ó Briain" gives obriain and briain. Separate words
    ("Lloyd Webber") are also run together when `join_words`, which suits surnames but
    not forenames, where "Jack William" is two names, not one.
    """
    tokens: list[str] = []
    words = [w for w in fold(text).split() if w]
    for word in words:
        pieces = _pieces(word)
        i = 0
        while i < len(pieces):
            piece = pieces[i]
            if piece in PARTICLES and i + 1 < len(pieces):
                tokens.append(piece + pieces[i + 1])
            else:
                tokens.append(piece)
            i += 1
        if len(pieces) > 1:
            tokens.append("".join(pieces))
    if join_words and len(words) > 1:
        pieces = _pieces(text)
        # "Ó Briain", "da Silva": a particle word belongs to the next word.
        for i, piece in enumerate(pieces[:-1]):
            if piece in PARTICLES:
                tokens.append(piece + pieces[i + 1])
        tokens.append("".join(pieces))
    return tuple(dict.fromkeys(t for t in tokens if t and t not in PARTICLES))


def canonical_postcode(text: str | None) -> str | None:
    """'de12ab', 'DE1  2AB' -> 'DE1 2AB'; None when it is not a well-formed full postcode."""
    if not text:
        return None
    compact = re.sub(r"[^A-Za-z0-9]", "", text).upper()
    found = POSTCODE_FULL.match(compact)
    if found is None:
        return None
    return f"{found.group(1)} {found.group(2)}"


def postcode_sector(postcode: str) -> str:
    """'DE1 2AB' -> 'DE1 2': about a few thousand addresses."""
    return postcode[:-2]


def postcode_district(postcode: str) -> str:
    """'DE1 2AB' -> 'DE1'."""
    return postcode.split(" ", 1)[0]


def postcode_area(postcode: str) -> str:
    """'DE1 2AB' -> 'DE'."""
    return re.sub(r"\d.*$", "", postcode)


def canonical_reference(text: str | None) -> str | None:
    """Tenancy references compare upper-case without spaces: 't000 0001' -> 'T0000001'."""
    if not text:
        return None
    compact = "".join(text.split()).upper()
    return compact or None
