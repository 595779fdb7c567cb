"""Counted words in plain English: "1 button", "2 buttons", "1 room needs attention".

Screens and commands say counts to people, so "1 incident(s)" or "1 need attention" read as
a program talking. One small rule set, in the core so the CLI and every screen share it.
"""

from __future__ import annotations

_VOWELS = frozenset("aeiou")


def noun(count: int, singular: str, plural_form: str | None = None) -> str:
    """The word for ``count`` things: noun(1, "week") -> "week", noun(2, "week") -> "weeks".

    Regular English endings are made here (box -> boxes, entry -> entries); pass
    ``plural_form`` for the others ("person", "people").
    """
    if count == 1:
        return singular
    if plural_form is not None:
        return plural_form
    lower = singular.lower()
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return singular + "es"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in _VOWELS:
        return singular[:-1] + "ies"
    return singular + "s"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The count and its word: plural(1, "incident") -> "1 incident", 1,200 people."""
    return f"{count:,} {noun(count, singular, plural_form)}"


def verb(count: int, singular: str, plural_form: str) -> str:
    """The verb agreeing with ``count`` subjects: verb(1, "needs", "need") -> "needs"."""
    return singular if count == 1 else plural_form
