"""Nicknames and short forms (Bill/William, Peggy/Margaret, Sasha/Alexandra).

Built from the maintained `nicknames` dataset plus the small supplement in
nickname_supplement.py. Two names are related when one is a short form of the other
(direct), or both are short forms of the same name (siblings: Billy and Will).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from nicknames import NickNamer

from safedesk.matching.nickname_supplement import SUPPLEMENT_PAIRS

DIRECT_SCORE = 0.92
SIBLING_SCORE = 0.85


@dataclass(frozen=True, slots=True)
class NicknameLink:
    """How a typed name relates to a stored one, for the reason shown at reception."""

    score: float
    canonical: str  # the name both are forms of, e.g. "william" for Bill and Billy


class NicknameIndex:
    """Answers 'which names could this person also be recorded under?'."""

    def __init__(self, extra_pairs: tuple[tuple[str, str], ...] = SUPPLEMENT_PAIRS) -> None:
        lookup = NickNamer.default_lookup()
        merged: dict[str, set[str]] = {k: set(v) for k, v in lookup.items()}
        for canonical, short in extra_pairs:
            merged.setdefault(canonical, set()).add(short)
        namer = NickNamer(nickname_lookup=merged)
        self._nicknames = namer.nickname_lookup
        self._canonicals = namer.canonical_lookup
        self.related = lru_cache(maxsize=8192)(self._related)

    def _related(self, name: str) -> dict[str, NicknameLink]:
        """Every name related to `name` (folded), with the strongest link to each."""
        links: dict[str, NicknameLink] = {}

        def put(other: str, score: float, canonical: str) -> None:
            if other == name:
                return
            old = links.get(other)
            if old is None or old.score < score:
                links[other] = NicknameLink(score, canonical)

        for short in self._nicknames.get(name, ()):
            put(short, DIRECT_SCORE, name)
        for canonical in self._canonicals.get(name, ()):
            put(canonical, DIRECT_SCORE, canonical)
            for sibling in self._nicknames.get(canonical, ()):
                put(sibling, SIBLING_SCORE, canonical)
        return links
