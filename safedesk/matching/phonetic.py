"""Double Metaphone codes, so Smyth finds Smith and Mohamed finds Muhammad."""

from __future__ import annotations

from functools import lru_cache

from doublemetaphone import doublemetaphone


@lru_cache(maxsize=65536)
def phonetic_codes(token: str) -> tuple[str, str]:
    """(primary, alternative) Double Metaphone codes of a folded token; '' when none."""
    primary, alternative = doublemetaphone(token)
    return primary, alternative or primary
