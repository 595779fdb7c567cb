"""Date-of-birth comparison levels: exact, day/month swapped, one digit out, within a month.

A visitor's date of birth is the strongest single identifier at reception, and the one
most often mistyped: 06/03 for 03/06, 1958 for 1985, 16 for 06. Each plausible slip of a
typed date is listed once per query, so comparing a candidate is a dictionary look-up.
"""

from __future__ import annotations

from datetime import date, timedelta

from safedesk.matching.query_parse import DateQuery

EXACT = (1.0, "DOB exact")
SWAPPED = (0.8, "DOB day/month swapped")
ONE_DIGIT = (0.7, "DOB one digit out")
TRANSPOSED = (0.7, "DOB digits transposed")
WITHIN_MONTH = (0.55, "DOB within a month")
UNKNOWN = (0.3, "no DOB on record")
DIFFERENT = (0.0, "DOB different")
PARTIAL = (1.0, "DOB matches what was typed")
PARTIAL_SWAPPED = (0.7, "DOB day/month swapped")


def _parse_digits(digits: str) -> date | None:
    try:
        return date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return None


def near_dates(typed: date) -> dict[int, tuple[float, str]]:
    """Every date the typed one could be a slip for, by ordinal, with its level."""
    found: dict[int, tuple[float, str]] = {}

    def put(candidate: date | None, level: tuple[float, str]) -> None:
        if candidate is None or candidate.year < 1880:
            return
        key = candidate.toordinal()
        if key not in found or found[key][0] < level[0]:
            found[key] = level

    for offset in range(-31, 32):
        put(typed + timedelta(days=offset), WITHIN_MONTH)
    digits = typed.strftime("%d%m%Y")
    for pos in range(8):
        for digit in "0123456789":
            if digit != digits[pos]:
                put(_parse_digits(digits[:pos] + digit + digits[pos + 1 :]), ONE_DIGIT)
        if pos < 7 and digits[pos] != digits[pos + 1]:
            swapped = digits[:pos] + digits[pos + 1] + digits[pos] + digits[pos + 2 :]
            put(_parse_digits(swapped), TRANSPOSED)
    if typed.day <= 12 and typed.day != typed.month:
        put(
            date(typed.year, typed.day, typed.month)
            if _valid(typed.year, typed.day, typed.month)
            else None,
            SWAPPED,
        )
    put(typed, EXACT)
    return found


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def dates_for_partial(typed: DateQuery, limit: int = 80) -> list[date]:
    """The dates a partly typed DOB can mean, or [] when there are too many to list."""
    if typed.day is None or typed.month is None:
        return []
    if typed.year_from is None or typed.year_to is None:
        years = range(1900, 2030)
    else:
        years = range(typed.year_from, typed.year_to + 1)
    if len(years) > limit:
        years = range(1920, 2020)
    found = [date(y, typed.month, typed.day) for y in years if _valid(y, typed.month, typed.day)]
    if typed.day <= 12 and typed.day != typed.month:
        found += [
            date(y, typed.day, typed.month) for y in years if _valid(y, typed.day, typed.month)
        ]
    return found


def compare_partial(typed: DateQuery, stored: date) -> tuple[float, str]:
    """Level for a partly typed DOB: every typed part must agree."""

    def agrees(day: int, month: int) -> bool:
        if typed.day is not None and typed.day != day:
            return False
        if typed.month is not None and typed.month != month:
            return False
        if typed.year_from is not None and typed.year_to is not None:
            return typed.year_from <= stored.year <= typed.year_to
        return True

    if agrees(stored.day, stored.month):
        return PARTIAL
    if typed.day is not None and typed.month is not None and agrees(stored.month, stored.day):
        return PARTIAL_SWAPPED
    return DIFFERENT
