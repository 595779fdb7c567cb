"""Reading one line typed at reception into names, date of birth, postcode and reference.

Receptionists type whatever the visitor says, in any order: "jon smyth 06/03/1985",
"smith DE1 2AB", "6 March 1985", "T0001234". The parser pulls out what it recognises and
leaves the rest as name words. It never guesses silently across fields: a token is a
date only if it reads as one, a postcode only if it has the postcode shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from safedesk.matching.normalise import (
    POSTCODE_FULL,
    POSTCODE_INWARD_PART,
    POSTCODE_OUTWARD,
    canonical_reference,
    fold,
    query_name_tokens,
)

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})(?:[/.\-](\d{0,4}))?$")
_PARTIAL_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{0,2})$")
_ORDINAL_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?,?$")
_YEAR = re.compile(r"^(\d{4}|\d{2}),?$")
# Linear: "\d{3,}[A-Z\d/-]*" matched the same tokens but backtracked over every split of a
# long run of digits (one 30,000-character token took 16 s); exactly three digits, then the
# class (which takes further digits), is the same language with one way to match it.
_TENANCY = re.compile(r"^[A-Z]{1,3}[\-/]?\d{3}[A-Z\d/\-]*$")
_SPLIT = re.compile(r"[\s,;]+")
# Longer than any name, date of birth, postcode and reference typed together: refused with a
# message (the search is not run), so a pasted page never ties up the reception PC.
MAX_QUERY_CHARS = 300


@dataclass(frozen=True, slots=True)
class DateQuery:
    """A date of birth as typed: complete, or only the parts typed so far.

    year_from..year_to covers a two-digit or half-typed year ("198" is 1980-1989).
    """

    day: int | None = None
    month: int | None = None
    year_from: int | None = None
    year_to: int | None = None

    @property
    def exact(self) -> date | None:
        """The full date, when day, month and a single year were all given."""
        if self.day and self.month and self.year_from and self.year_from == self.year_to:
            try:
                return date(self.year_from, self.month, self.day)
            except ValueError:
                return None
        return None

    def describe(self) -> str:
        if self.exact:
            return self.exact.strftime("%d/%m/%Y")
        parts = [
            f"{self.day:02d}" if self.day else "??",
            f"{self.month:02d}" if self.month else "??",
        ]
        if self.year_from is None:
            parts.append("????")
        elif self.year_from == self.year_to:
            parts.append(str(self.year_from))
        else:
            parts.append(f"{self.year_from}-{self.year_to}")
        return "/".join(parts)


@dataclass(frozen=True, slots=True)
class PostcodeQuery:
    """A postcode as typed: full ("DE1 2AB"), sector ("DE1 2") or district ("DE1")."""

    district: str
    sector: str | None = None
    full: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """What one search line holds. `typing_last` marks the last name word as unfinished."""

    names: tuple[str, ...] = ()
    date_of_birth: DateQuery | None = None
    postcode: PostcodeQuery | None = None
    tenancy_ref: str | None = None
    typing_last: bool = False
    ignored: tuple[str, ...] = field(default=())
    # What was typed as a date of birth but cannot be one, in words for the screen:
    # "31/02/1975 is not a date", "01/01/2099 is in the future: not a date of birth";
    # and a search line too long to be searched (MAX_QUERY_CHARS).
    date_problems: tuple[str, ...] = field(default=())

    @property
    def date_problem(self) -> str | None:
        return self.date_problems[0] if self.date_problems else None

    @property
    def is_empty(self) -> bool:
        return not (self.names or self.date_of_birth or self.postcode or self.tenancy_ref)


def _month(word: str) -> int | None:
    folded = fold(word).strip(".,")
    if len(folded) < 3:
        return None
    for number, prefix in enumerate(MONTHS, start=1):
        if folded.startswith(prefix) and (
            len(folded) == 3 or _full_month(number).startswith(folded)
        ):
            return number
    return None


def _full_month(number: int) -> str:
    return date(2000, number, 1).strftime("%B").lower()


def _year(text: str, today: date, typing: bool) -> tuple[int, int] | None:
    """Year range for a typed year: '1985', '85', '198' (typing: 1980-1989)."""
    if len(text) == 4:
        return int(text), int(text)
    if len(text) == 2:
        if typing and text in {"19", "20"}:
            return None  # the start of a four-digit year, not 2019/2020
        value = int(text)
        century = 2000 if value <= today.year % 100 else 1900
        return century + value, century + value
    if len(text) == 3 and typing and text[:2] in {"19", "20"}:
        decade = int(text) * 10
        return decade, decade + 9
    return None


def _numeric_date(token: str, today: date, typing: bool) -> DateQuery | None:
    found = _NUMERIC_DATE.match(token)
    if found is not None:
        first, second, third = found.group(1), found.group(2), found.group(3)
        if len(first) == 4:  # ISO 1985-03-06
            if third is None or not third:
                return None
            year, month, day = int(first), int(second), int(third)
            return _checked(day, month, (year, year))
        if len(first) > 2:
            return None
        day, month = int(first), int(second)
        if not third:
            return _checked(day, month, None)
        years = _year(third, today, typing)
        if years is None and not typing:
            return None
        return _checked(day, month, years)
    if token.isdigit() and len(token) in (6, 8):
        day, month = int(token[:2]), int(token[2:4])
        years = _year(token[4:], today, typing=False)
        return _checked(day, month, years) if years else None
    return None


_FULL_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_FULL_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FULL_DIGITS = re.compile(r"^\d{6}$|^\d{8}$")


def _full_date_parts(token: str, today: date) -> tuple[int, int, int] | None:
    """Day, month and year of a token shaped like a whole date, whether or not it is one."""
    found = _FULL_NUMERIC.match(token)
    if found is not None:
        years = _year(found.group(3), today, typing=False)
        assert years is not None  # two or four digits
        return int(found.group(1)), int(found.group(2)), years[0]
    found = _FULL_ISO.match(token)
    if found is not None:
        return int(found.group(3)), int(found.group(2)), int(found.group(1))
    if _FULL_DIGITS.match(token):
        years = _year(token[4:], today, typing=False)
        assert years is not None
        return int(token[:2]), int(token[2:4]), years[0]
    return None


def date_of_birth_problem(day: int, month: int, year: int, today: date, typed: str) -> str | None:
    """Why a whole date cannot be a date of birth (None: it can)."""
    try:
        when = date(year, month, day)
    except ValueError:
        return f"{typed} is not a date"
    if when > today:
        return f"{typed} is in the future: not a date of birth"
    return None


def _whole_date_problem(token: str, today: date) -> str | None:
    parts = _full_date_parts(token, today)
    if parts is None:
        return None
    return date_of_birth_problem(*parts, today, token)


def _checked(day: int, month: int, years: tuple[int, int] | None) -> DateQuery | None:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        if 1 <= day <= 31 and month == 0:
            return DateQuery(day=day)  # "06/0" while typing
        return None
    if years is None:
        return DateQuery(day=day, month=month)
    if years[0] == years[1]:
        try:
            date(years[0], month, day)
        except ValueError:
            return None
    return DateQuery(day=day, month=month, year_from=years[0], year_to=years[1])


def too_long_problem(text: str) -> str:
    return (
        f"The search is too long ({len(text):,} characters): type at most {MAX_QUERY_CHARS}, "
        "for example a name with a date of birth, a postcode or a tenancy reference"
    )


def parse_query(text: str, today: date) -> ParsedQuery:
    """Split a search line into its parts; `today` decides the century of 'd/m/yy'."""
    if len(text) > MAX_QUERY_CHARS:
        return ParsedQuery(date_problems=(too_long_problem(text),))
    typing = bool(text) and not text[-1].isspace()
    raw = [t for t in _SPLIT.split(text.strip()) if t]
    names: list[str] = []
    ignored: list[str] = []
    dob: DateQuery | None = None
    postcode: PostcodeQuery | None = None
    ref: str | None = None
    problems: list[str] = []
    last = len(raw) - 1
    i = 0
    while i < len(raw):
        token = raw[i]
        upper = token.upper()
        is_last = i == last and typing

        # Written dates: "6 March 1985", "6th of mar 85", "March 6 1985".
        written = _written_date(raw, i, today, typing)
        if written is not None:
            found, used, problem = written
            if problem is not None:
                problems.append(problem)
            else:
                dob = dob or found
            i += used
            continue
        if any(ch.isdigit() for ch in token):
            problem = _whole_date_problem(token, today)
            if problem is not None:
                # Said, so it must be answered: never dropped without a word, never a name.
                problems.append(problem)
                i += 1
                continue
            numeric = _numeric_date(token, today, is_last)
            if numeric is not None:
                dob = dob or numeric
                i += 1
                continue
            full = POSTCODE_FULL.match(upper)
            if full is not None:
                postcode = PostcodeQuery(
                    district=full.group(1),
                    sector=f"{full.group(1)} {full.group(2)[0]}",
                    full=f"{full.group(1)} {full.group(2)}",
                )
                i += 1
                continue
            if POSTCODE_OUTWARD.match(upper) and not _TENANCY.match(upper):
                nxt = raw[i + 1].upper() if i + 1 < len(raw) else ""
                if nxt and POSTCODE_INWARD_PART.match(nxt):
                    if len(nxt) == 3:
                        postcode = PostcodeQuery(upper, f"{upper} {nxt[0]}", f"{upper} {nxt}")
                    else:
                        postcode = PostcodeQuery(upper, f"{upper} {nxt[0]}")
                    i += 2
                    continue
                postcode = PostcodeQuery(upper)
                i += 1
                continue
            if _TENANCY.match(upper):
                ref = canonical_reference(upper)
                i += 1
                continue
            year = _YEAR.match(token)
            if (
                year is not None
                and len(year.group(1)) == 4
                and 1900 <= int(year.group(1)) <= today.year
            ):
                value = int(year.group(1))
                dob = dob or DateQuery(year_from=value, year_to=value)
                i += 1
                continue
            if (
                year is not None
                and len(year.group(1)) == 4
                and today.year < int(year.group(1)) <= 2999
                and not is_last
            ):
                problems.append(f"{year.group(1)} is in the future: not a year of birth")
                i += 1
                continue
            partial = _PARTIAL_DATE.match(token)
            if partial is not None and is_last:
                found_partial = _checked(int(partial.group(1)), int(partial.group(2) or 0), None)
                if found_partial is not None:
                    dob = dob or found_partial
                    i += 1
                    continue
            ignored.append(token)
            i += 1
            continue
        names.extend(query_name_tokens(token))
        i += 1
    return ParsedQuery(
        names=tuple(names),
        date_of_birth=dob,
        postcode=postcode,
        tenancy_ref=ref,
        typing_last=typing and bool(raw) and not any(ch.isdigit() for ch in raw[-1]),
        ignored=tuple(ignored),
        date_problems=tuple(problems),
    )


def _written_date(
    raw: list[str], i: int, today: date, typing: bool
) -> tuple[DateQuery | None, int, str | None] | None:
    """A date with the month in words starting at raw[i]: (date, tokens used, None), or
    (None, tokens used, why) for a whole date that cannot be a date of birth."""
    day_match = _ORDINAL_DAY.match(raw[i])
    j = i
    day: int | None = None
    if day_match is not None:
        day = int(day_match.group(1))
        j += 1
        if j < len(raw) and raw[j].lower() == "of":
            j += 1
    if j >= len(raw):
        return None
    month = _month(raw[j])
    if month is None:
        return None
    j += 1
    month_first = day is None
    if month_first and j < len(raw):  # "March 6 1985"
        after = _ORDINAL_DAY.match(raw[j])
        if after is not None and j + 1 < len(raw) and _YEAR.match(raw[j + 1]):
            day = int(after.group(1))
            j += 1
    years: tuple[int, int] | None = None
    if j < len(raw):
        year_match = _YEAR.match(raw[j])
        # After a bare month word only a four-digit year counts: "may 12" is a name and a day.
        if year_match is not None and (len(year_match.group(1)) == 4 or not month_first):
            is_last = j == len(raw) - 1 and typing
            years = _year(year_match.group(1), today, is_last)
            j += 1
    if day is None and years is None:
        return None  # a lone "May" is a name, not a date
    if day is not None and not 1 <= day <= 31:
        return None
    if years is not None and day is not None and years[0] == years[1]:
        typed = " ".join(raw[i:j]).strip(",")
        problem = date_of_birth_problem(day, month, years[0], today, typed)
        if problem is not None:
            return None, j - i, problem
    query = DateQuery(
        day=day,
        month=month,
        year_from=years[0] if years else None,
        year_to=years[1] if years else None,
    )
    return query, j - i, None
