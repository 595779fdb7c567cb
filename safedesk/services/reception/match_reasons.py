"""Why a record came up, in the words a receptionist uses: "surname sounds like Bell".

The matcher explains itself field by field (``FieldComparison``: "surname sounds alike
(bel~bell)", "forename nickname (jon→john)"); those codes suit a log and ``search --json``,
not a reception screen. This module only rewords them: the ranking is the matcher's. Names
are shown as the record spells them ("McDonald-O'Neill"), never as the index folds them.
"""

from __future__ import annotations

import re

from safedesk.matching.normalise import fold, record_name_tokens
from safedesk.matching.records import PersonRecord
from safedesk.matching.scoring import FieldComparison, Match

# What each name comparison level means, said of the record's word.
_NAME_LEVELS = {
    "one letter out": "is one letter different from",
    "letters swapped": "has two letters swapped compared with",
    "sounds alike": "sounds like",
    "similar spelling": "is spelt like",
    "may sound alike": "may sound like",
    "partly similar": "is partly like",
    "two letters out": "is two letters different from",
}

_FIELD_WORDS = {
    "forename": "first name",
    "surname": "surname",
    "alias forename": "other name's first name",
    "alias surname": "other name's surname",
}

_DOB = {
    "DOB exact": "same date of birth",
    "DOB day/month swapped": "date of birth with the day and month the other way round",
    "DOB one digit out": "date of birth one digit different",
    "DOB digits transposed": "date of birth with two digits the other way round",
    "DOB within a month": "date of birth within a month of what was typed",
    "no DOB on record": "no date of birth on the record",
    "DOB different": "different date of birth",
    "DOB matches what was typed": "date of birth agrees with what was typed",
}

_POSTCODE = {
    "postcode exact": "same postcode",
    "postcode one character out": "postcode one character different",
    "postcode sector": "postcode in the same sector",
    "postcode district": "postcode in the same district",
    "postcode area": "postcode in the same area",
    "no postcode on record": "no postcode on the record",
    "postcode different": "different postcode",
}

_TENANCY = {
    "exact": "same tenancy reference",
    "starts with": "tenancy reference starts with what was typed",
    "different": "different tenancy reference",
}

_WORD = re.compile(r"[^\s]+")
_PART = re.compile(r"[^\s\-]+")


def _spelled(record: PersonRecord, folded: str) -> str:
    """The record's own spelling of a folded index word ("mcdonaldoneill" -> McDonald-O'Neill)."""
    names = [record.forenames, record.surname, *record.aliases]
    for pattern in (_PART, _WORD):
        for name in names:
            for word in pattern.findall(name):
                if fold(word) == folded or folded in record_name_tokens(word):
                    return word
    for name in names:
        if folded in record_name_tokens(name):
            return name
    return folded.capitalize()


def _typed(word: str) -> str:
    return word.capitalize()


def _split(detail: str, mark: str) -> tuple[str, str]:
    typed, _, stored = detail.partition(mark)
    return typed, stored


def _name_reason(comparison: FieldComparison, record: PersonRecord) -> str:
    field = _FIELD_WORDS.get(comparison.field, comparison.field)
    level = comparison.level
    if level == "exact":
        return f"same {field}"
    if level == "nickname" and "→" in comparison.detail:
        typed, stored = _split(comparison.detail, "→")
        shown, said = _spelled(record, stored), _typed(typed)
        if len(said) < len(shown):
            return f"{said} is a short form of {shown}"
        if len(said) > len(shown):
            return f"{shown} is a short form of {said}"
        return f"{said} is another form of {shown}"
    if level == "initial":
        typed, _, stored = comparison.detail.partition(". ")
        return f"{field} starts with {typed.upper()} ({_spelled(record, stored)})"
    if level == "starts with":
        stored = comparison.detail.partition("~")[2] if "~" in comparison.detail else ""
        word = _spelled(record, stored) if stored else "the record's"
        return f"{field} {word} starts with what was typed"
    phrase = _NAME_LEVELS.get(level)
    if phrase is not None and "~" in comparison.detail:
        typed, stored = _split(comparison.detail, "~")
        if level in {"sounds alike", "may sound alike", "similar spelling", "partly similar"}:
            return f"{field} {phrase} {_spelled(record, stored)}"
        return f"{field} {_spelled(record, stored)} {phrase} {_typed(typed)}"
    return f"{field}: {level}"


def plain_reason(comparison: FieldComparison, record: PersonRecord) -> str:
    """One comparison in plain words, naming the record's own spelling."""
    field = comparison.field
    if field == "date_of_birth":
        return _DOB.get(comparison.level, comparison.level.replace("DOB", "date of birth"))
    if field == "postcode":
        return _POSTCODE.get(comparison.level, comparison.level)
    if field == "tenancy_ref":
        return _TENANCY.get(comparison.level, f"tenancy reference {comparison.level}")
    if field == "alias":
        return f"matches their other name, {comparison.detail}"
    if field == "name":
        if comparison.level == "not found":
            return f"no name like {_typed(comparison.detail)}"
        if comparison.level == "forename/surname swapped":
            return "first name and surname typed the other way round"
        return comparison.level
    return _name_reason(comparison, record)


def plain_reasons(match: Match) -> tuple[str, ...]:
    """Every reason of one match in plain words, in the matcher's order."""
    said: dict[str, None] = {}
    for comparison in match.comparisons:
        said.setdefault(plain_reason(comparison, match.record), None)
    return tuple(said)
