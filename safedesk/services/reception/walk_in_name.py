"""A walk-in's name as the visitor spells it: kept as typed, folded only for matching.

"Zoë Ní Bhriain", "Łukasz" and "Mary-Kate McDonald-O'Neill" are stored exactly so; the
matcher folds them to find records, but the visit, the list and the host's notice show the
name the visitor gave. A name too long to be one (a paste gone wrong) is refused with a
message instead of being stored and pushing reception's columns off the screen.
"""

from __future__ import annotations

import re

from safedesk.matching.normalise import fold, query_name_tokens

MAX_NAME_LENGTH = 100
"""Characters. The longest names in UK registers are well under this; more is a mistake."""

MAX_PURPOSE_LENGTH = 200
"""Characters: the visits.purpose column."""

_SPLIT = re.compile(r"[\s,;]+")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _has_digit(token: str) -> bool:
    return any(ch.isdigit() for ch in token)


def _is_month(token: str) -> bool:
    word = fold(token).strip(".,")
    return len(word) >= 3 and any(word.startswith(m) for m in _MONTHS)


def typed_name(query: str) -> str:
    """The name words of a search line as typed, without its date of birth, postcode or ref.

    "Zoë Ní Bhriain 06/03/1985 DE1 2AB" -> "Zoë Ní Bhriain"; "łukasz nowak 6 march 1985" ->
    "łukasz nowak". Nothing is re-cased or transliterated.
    """
    tokens = [t for t in _SPLIT.split(query.strip()) if t]
    kept: list[str] = []
    for i, token in enumerate(tokens):
        if _has_digit(token) or not query_name_tokens(token):
            continue
        before = tokens[i - 1] if i > 0 else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if _is_month(token) and (_has_digit(before) or _has_digit(after)):
            continue  # "6 March 1985": part of a written date of birth
        if token.lower() == "of" and _has_digit(before) and _is_month(after):
            continue  # "6th of March"
        kept.append(token)
    return " ".join(kept)


def tidy_name(name: str) -> str:
    """The name as typed, with stray spaces taken out (nothing else changes)."""
    return " ".join(name.split())


def name_problem(name: str) -> str | None:
    """Why this cannot be stored as a visitor's name, in words for the receptionist; or None."""
    tidy = tidy_name(name)
    if len(tidy) > MAX_NAME_LENGTH:
        return (
            f"That name is {len(tidy)} characters long; a visitor's name can be at most "
            f"{MAX_NAME_LENGTH}. Check what was typed or pasted, and type the name again."
        )
    if len(query_name_tokens(tidy)) < 2:
        # One word ("Smith") matches thousands of records, flagged ones among them: no one
        # could read that warning. Forename and surname narrow it to the person.
        return "Type the visitor's forename and surname."
    return None


def purpose_problem(purpose: str | None) -> str | None:
    if purpose is not None and len(purpose.strip()) > MAX_PURPOSE_LENGTH:
        return (
            f"The purpose is {len(purpose.strip())} characters long; keep it to "
            f"{MAX_PURPOSE_LENGTH} (the officer reads it on their screen)."
        )
    return None
