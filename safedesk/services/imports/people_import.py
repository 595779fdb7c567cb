"""Importing customer records and markers from CSV files (the housing system's export).

Bad rows are reported with their line numbers and reasons and the good rows are kept, so one
typo never blocks a nightly import. Importing the same file again changes nothing: people are
recognised by tenancy reference (or, without one, by name, date of birth and postcode) and
markers by person and category.

An import never changes who a record is, because a marker belongs to the person it was placed on.
A row whose tenancy reference is already held by someone else is rejected by line and nothing of
it is written. "Someone else" (see ``same_identity``), comparing names folded as the search folds
them (case, accents, hyphens, apostrophes and spaces do not count):

- a different date of birth, when both are known, is another person;
- the surname, and the first forename, must be the same; a one-letter spelling fix (one letter
  added, dropped, changed, or two swapped, in a name of four letters or more) is allowed only
  when both sides carry the same date of birth;
- middle names (or their initials) may be added or dropped, not replaced.

A date of birth the record lacks may be filled in; an empty one in the file never wipes it. A real
change of identity goes through ``person_identity.correct_identity`` (managers, audited). Address,
postcode and aliases may change; every changed field is audited with its old and new value.

Quotes must pair up: a row with a quote left open is rejected by line and reading resumes on the
next line, so it can never become a person named "Unclosed,Quote,1960-01-01,...".

Markers follow the placing rules of ``markers`` (seed 002): the first review after today and at
most six months ahead; one active marker per person and category (a second one is refused, a
repeat of the same one is unchanged); categories by code or by their title as shown on screen.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rapidfuzz.distance import OSA
from sqlalchemy import func, inspect, select, tuple_
from sqlalchemy.orm import Session

from safedesk.db import Database
from safedesk.matching.normalise import canonical_postcode, fold, query_name_tokens
from safedesk.models import Marker, MarkerCategory, MarkerStatus, Person, PersonAlias, Role
from safedesk.plural import noun
from safedesk.services.markers.placing import active_marker, review_due_problem
from safedesk.services.markers.review_dates import review_due_from
from safedesk.services.markers.roles import CATEGORY_TITLES, category_from_text
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor

PEOPLE_COLUMNS = (
    "forenames",
    "surname",
    "date_of_birth",
    "postcode",
    "address",
    "tenancy_ref",
    "aliases",
)
PEOPLE_REQUIRED = ("forenames", "surname")
MARKER_COLUMNS = ("tenancy_ref", "category", "instructions", "review_due")
MARKER_REQUIRED = ("tenancy_ref", "category", "instructions")
BATCH = 1000

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

# Words an export may use for a category, folded to the enum value.
_CATEGORY_WORDS = {
    "offender": MarkerCategory.OFFENDER,
    "rpo": MarkerCategory.OFFENDER,
    "criminal_offender": MarkerCategory.OFFENDER,
    "partner_information": MarkerCategory.PARTNER_INFORMATION,
    "partner": MarkerCategory.PARTNER_INFORMATION,
    "mental_health_behaviour": MarkerCategory.MENTAL_HEALTH_BEHAVIOUR,
    "mental_health": MarkerCategory.MENTAL_HEALTH_BEHAVIOUR,
    "complaints_against_staff": MarkerCategory.COMPLAINTS_AGAINST_STAFF,
    "complaints": MarkerCategory.COMPLAINTS_AGAINST_STAFF,
    "near_miss": MarkerCategory.NEAR_MISS,
    "violence_aggression": MarkerCategory.VIOLENCE_AGGRESSION,
    "violence": MarkerCategory.VIOLENCE_AGGRESSION,
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (missing, not CSV, required columns absent)."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.problems)} rows rejected"
        )


class _BadRow(ValueError):
    pass


def parse_date(text: str, column: str) -> date:
    """ISO (1985-03-06) or UK (06/03/1985); nothing else, so 03/06 is never read US-style."""
    value = text.strip()
    found = _ISO.match(value)
    if found is not None:
        year, month, day = (int(g) for g in found.groups())
    else:
        found = _DMY.match(value)
        if found is None:
            raise _BadRow(f"{column} {value!r} is not a date (use 1985-03-06 or 06/03/1985)")
        day, month, year = (int(g) for g in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise _BadRow(f"{column} {value!r} is not a real date") from None


UNPAIRED_QUOTES = (
    'its quotes do not pair up (a " opened and not closed?): the row is not read; '
    "reading goes on from the next line"
)


def _read_lines(path: Path) -> list[str]:
    """The file's physical lines, endings kept (csv needs them inside quoted fields)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFileError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path}: cannot read as UTF-8 text: {exc}") from None
    return io.StringIO(text, newline="").readlines()


def _records(
    lines: list[str], first: int, multiline: frozenset[int]
) -> Iterator[tuple[int, list[str] | None]]:
    """(first line number, fields) for each record from index ``first``; None for a record
    whose quotes do not pair up.

    A quote left open swallows every following line into one field, so such a record is rejected
    and reading starts again on the line after the one where it began: one bad row costs one
    row. Only the columns in ``multiline`` (an address) may legitimately span lines.
    """
    pos = first
    while pos < len(lines):
        reader = csv.reader(itertools.islice(lines, pos, None), strict=True)
        used = 0
        try:
            for values in reader:
                start = pos + used + 1
                spans = reader.line_num - used > 1
                used = reader.line_num
                if spans and any(
                    "\n" in v or "\r" in v for i, v in enumerate(values) if i not in multiline
                ):
                    yield start, None
                    pos = start
                    break
                yield start, values
            else:
                return
        except csv.Error:
            yield pos + used + 1, None
            pos = pos + used + 1


def _rows(
    path: Path, columns: Sequence[str], required: Sequence[str], multiline: Sequence[str] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row by lower-case column) for each data row; header names any case."""
    lines = _read_lines(path)
    reader = csv.reader(iter(lines), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(f"{path}: the file is empty") from None
    except csv.Error as exc:
        raise ImportFileError(f"{path}: line 1: {exc}") from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in names]
    if missing:
        raise ImportFileError(
            f"{path}: line 1: missing {noun(len(missing), 'column')} {', '.join(missing)} "
            f"(expected {','.join(columns)}; header names are not case-sensitive)"
        )
    unknown = [n for n in names if n and n not in columns]
    if unknown:
        raise ImportFileError(
            f"{path}: line 1: unknown {noun(len(unknown), 'column')} {', '.join(unknown)}"
            f" (expected {','.join(columns)})"
        )
    spanning = frozenset(i for i, n in enumerate(names) if n in multiline)
    for start, values in _records(lines, reader.line_num, spanning):
        if values is None:
            yield start, {"__error__": UNPAIRED_QUOTES}
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(names):
            yield start, {"__error__": f"{len(values)} fields but the header has {len(names)}"}
            continue
        yield (
            start,
            {n: (values[i].strip() if i < len(values) else "") for i, n in enumerate(names)},
        )


# ---------------------------------------------------------------------- people


@dataclass(frozen=True)
class _PersonRow:
    line: int
    forenames: str
    surname: str
    date_of_birth: date | None
    postcode: str | None
    address: str | None
    tenancy_ref: str | None
    aliases: tuple[str, ...]


def _person_row(line: int, raw: dict[str, str], today: date) -> _PersonRow:
    if "__error__" in raw:
        raise _BadRow(raw["__error__"])
    forenames, surname = raw.get("forenames", ""), raw.get("surname", "")
    if not forenames:
        raise _BadRow("forenames is empty")
    if not surname:
        raise _BadRow("surname is empty")
    if len(forenames) > 120 or len(surname) > 120:
        raise _BadRow("a name is longer than 120 characters")
    for column, value in (("forenames", forenames), ("surname", surname)):
        if any(c in value for c in ',"\r\n'):
            # "Unclosed,Quote,1960-01-01": the rest of a row read into one field.
            raise _BadRow(f"{column} {_clip(value)!r} holds a comma or quote: {UNPAIRED_QUOTES}")
    dob = parse_date(raw["date_of_birth"], "date_of_birth") if raw.get("date_of_birth") else None
    if dob is not None and (dob > today or dob.year < 1880):
        raise _BadRow(f"date_of_birth {raw['date_of_birth']!r} is in the future or before 1880")
    postcode: str | None = None
    if raw.get("postcode"):
        postcode = canonical_postcode(raw["postcode"])
        if postcode is None:
            raise _BadRow(f"postcode {raw['postcode']!r} is not a full UK postcode")
    ref = re.sub(r"\s+", "", raw.get("tenancy_ref", "")).upper() or None
    if ref is not None and len(ref) > 40:
        raise _BadRow("tenancy_ref is longer than 40 characters")
    aliases = tuple(
        dict.fromkeys(a.strip() for a in raw.get("aliases", "").split(";") if a.strip())
    )
    if any(len(a) > 240 for a in aliases):
        raise _BadRow("an alias is longer than 240 characters")
    return _PersonRow(
        line, forenames, surname, dob, postcode, raw.get("address") or None, ref, aliases
    )


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# Identity: who a record is (see the module docstring for the rule).


def _spelling_fix(stored: str, given: str) -> bool:
    """One letter added, dropped, changed or two swapped, in a name of four letters or more."""
    return max(len(stored), len(given)) >= 4 and OSA.distance(stored, given) <= 1


def _middle_names_agree(stored: list[str], given: list[str]) -> bool:
    """Middle names may be added or dropped (or given as initials), never replaced."""

    def covered(words: list[str], others: list[str]) -> bool:
        return all(
            word in others or (len(word) == 1 and any(o.startswith(word) for o in others))
            for word in words
        )

    return covered(stored, given) or covered(given, stored)


def same_identity(
    stored: tuple[str, str, date | None], given: tuple[str, str, date | None]
) -> bool:
    """Whether (forenames, surname, date of birth) in a file still describe the stored person."""
    (s_fore, s_sur, s_dob), (g_fore, g_sur, g_dob) = stored, given
    if s_dob is not None and g_dob is not None and s_dob != g_dob:
        return False
    fixes_allowed = s_dob is not None and s_dob == g_dob
    surname = "".join(query_name_tokens(s_sur)), "".join(query_name_tokens(g_sur))
    firsts = query_name_tokens(s_fore), query_name_tokens(g_fore)
    if not (surname[0] and surname[1] and firsts[0] and firsts[1]):
        return fold(s_fore + s_sur) == fold(g_fore + g_sur)
    for old, new in (surname, (firsts[0][0], firsts[1][0])):
        if old != new and not (fixes_allowed and _spelling_fix(old, new)):
            return False
    return _middle_names_agree(firsts[0][1:], firsts[1][1:])


def _who(forenames: str, surname: str, dob: date | None) -> str:
    return (
        f"{forenames} {surname}, {dob:%d/%m/%Y}" if dob else f"{forenames} {surname}, DOB unknown"
    )


def identity_refusal(ref: str, person: Person, row: _PersonRow) -> str:
    """The line reported for a row that would make the record someone else."""
    return (
        f"{ref} is {_who(person.forenames, person.surname, person.date_of_birth)} here; "
        f"the file says {_who(row.forenames, row.surname, row.date_of_birth)}: not changed"
    )


def _natural_key(
    forenames: str, surname: str, dob: date | None, postcode: str | None
) -> tuple[str, str, date | None, str | None]:
    return (forenames.lower(), surname.lower(), dob, postcode)


def _audit_value(value: object) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _update_person(person: Person, row: _PersonRow) -> dict[str, Any]:
    """Apply the row's changes to a person it still describes; {field: {old, new}} of each."""
    changes: dict[str, Any] = {}
    for name in ("forenames", "surname", "date_of_birth", "postcode", "address"):
        value = getattr(row, name)
        if name in ("address", "date_of_birth") and value is None:
            continue  # an export without addresses or dates of birth does not wipe them
        old = getattr(person, name)
        if old != value:
            setattr(person, name, value)
            changes[name] = {"old": _audit_value(old), "new": _audit_value(value)}
    have = {a.name for a in person.aliases}
    added = [a for a in row.aliases if a not in have]
    for alias in added:
        person.aliases.append(PersonAlias(name=alias))
    if added:
        changes["aliases"] = {"old": sorted(have), "new": sorted(have | set(added))}
    return changes


def _apply_people(
    session: Session,
    rows: list[_PersonRow],
    now: datetime,
    report: ImportReport,
    actor: Actor,
    path: Path,
) -> None:
    refs = [r.tenancy_ref for r in rows if r.tenancy_ref]
    by_ref: dict[str, Person] = {}
    if refs:
        for found in session.scalars(select(Person).where(Person.tenancy_ref.in_(refs))):
            assert found.tenancy_ref is not None
            by_ref[found.tenancy_ref] = found
    unreferenced = [r for r in rows if not r.tenancy_ref]
    by_key: dict[tuple[str, str, date | None, str | None], Person] = {}
    if unreferenced:
        pairs = {(r.surname.lower(), r.forenames.lower()) for r in unreferenced}
        query = select(Person).where(
            tuple_(func.lower(Person.surname), func.lower(Person.forenames)).in_(list(pairs))
        )
        for found in session.scalars(query):
            key = _natural_key(found.forenames, found.surname, found.date_of_birth, found.postcode)
            by_key.setdefault(key, found)
    for row in rows:
        person: Person | None
        if row.tenancy_ref:
            person = by_ref.get(row.tenancy_ref)
        else:
            person = by_key.get(
                _natural_key(row.forenames, row.surname, row.date_of_birth, row.postcode)
            )
        if person is None:
            person = Person(
                forenames=row.forenames,
                surname=row.surname,
                date_of_birth=row.date_of_birth,
                postcode=row.postcode,
                address=row.address,
                tenancy_ref=row.tenancy_ref,
                source="import",
                created_at=now,
                updated_at=now,
                aliases=[PersonAlias(name=a) for a in row.aliases],
            )
            session.add(person)
            if row.tenancy_ref:
                by_ref[row.tenancy_ref] = person
            else:
                by_key[
                    _natural_key(row.forenames, row.surname, row.date_of_birth, row.postcode)
                ] = person
            report.added += 1
            continue
        if row.tenancy_ref and not same_identity(
            (person.forenames, person.surname, person.date_of_birth),
            (row.forenames, row.surname, row.date_of_birth),
        ):
            _refuse_identity(session, actor, now, path, person, row, report)
            continue
        changes = _update_person(person, row)
        if changes:
            person.updated_at = now  # the search index catches up by this
            report.updated += 1
            if inspect(person).pending:
                session.flush()  # added earlier in this file: the audit entry needs its id
            audit.record(
                session,
                actor,
                "person_updated_by_import",
                at=now,
                subject_type="person",
                subject_id=person.id,
                file=str(path),
                line=row.line,
                tenancy_ref=person.tenancy_ref,
                changes=changes,
            )
        else:
            report.unchanged += 1
    session.flush()


def _refuse_identity(
    session: Session,
    actor: Actor,
    now: datetime,
    path: Path,
    person: Person,
    row: _PersonRow,
    report: ImportReport,
) -> None:
    """Report the row by line, and keep on the person's record that a file disagreed."""
    assert row.tenancy_ref is not None
    message = identity_refusal(row.tenancy_ref, person, row)
    report.problems.append(RowProblem(row.line, message))
    audit.record(
        session,
        actor,
        "person_import_refused",
        at=now,
        subject_type="person",
        subject_id=person.id,
        file=str(path),
        line=row.line,
        tenancy_ref=row.tenancy_ref,
        stored={
            "forenames": person.forenames,
            "surname": person.surname,
            "date_of_birth": _audit_value(person.date_of_birth),
        },
        file_says={
            "forenames": row.forenames,
            "surname": row.surname,
            "date_of_birth": _audit_value(row.date_of_birth),
        },
    )


def import_people(db: Database, path: Path, actor: Actor, now: datetime) -> ImportReport:
    """Add or update people from a CSV file; bad rows are reported, good rows kept."""
    report = ImportReport()
    seen_refs: dict[str, int] = {}
    batch: list[_PersonRow] = []
    with db.session() as session:
        for line, raw in _rows(path, PEOPLE_COLUMNS, PEOPLE_REQUIRED, multiline=("address",)):
            try:
                row = _person_row(line, raw, now.date())
            except _BadRow as exc:
                report.problems.append(RowProblem(line, str(exc)))
                continue
            if row.tenancy_ref:
                first = seen_refs.setdefault(row.tenancy_ref, line)
                if first != line:
                    report.problems.append(
                        RowProblem(
                            line, f"tenancy_ref {row.tenancy_ref} already used on line {first}"
                        )
                    )
                    continue
            batch.append(row)
            if len(batch) >= BATCH:
                _apply_people(session, batch, now, report, actor, path)
                batch = []
        if batch:
            _apply_people(session, batch, now, report, actor, path)
        report.problems.sort(key=lambda p: p.line)
        audit.record(
            session,
            actor,
            "people_imported",
            at=now,
            file=str(path),
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=len(report.problems),
        )
    return report


# ---------------------------------------------------------------------- markers


def parse_category(text: str) -> MarkerCategory:
    """A code ("violence_aggression"), a title as on screen ("Violence and aggression
    incident"), or a word an export uses ("violence", "rpo")."""
    found = category_from_text(text)
    if found is None:
        found = _CATEGORY_WORDS.get(re.sub(r"[^a-z]+", "_", fold(text).strip()).strip("_"))
    if found is None:
        known = "; ".join(f"{c.value} ({CATEGORY_TITLES[c]})" for c in MarkerCategory)
        raise _BadRow(f"category {text!r} is not one of: {known}")
    return found


@dataclass(frozen=True)
class _MarkerRow:
    line: int
    tenancy_ref: str
    category: MarkerCategory
    instructions: tuple[str, ...]
    review_due: date | None  # None: not given, seed 002's six months from placing


def _marker_row(line: int, raw: dict[str, str]) -> _MarkerRow:
    if "__error__" in raw:
        raise _BadRow(raw["__error__"])
    ref = re.sub(r"\s+", "", raw.get("tenancy_ref", "")).upper()
    if not ref:
        raise _BadRow("tenancy_ref is empty")
    category = parse_category(raw.get("category", ""))
    instructions = tuple(
        dict.fromkeys(i.strip() for i in raw.get("instructions", "").split(";") if i.strip())
    )
    if not instructions:
        raise _BadRow("instructions is empty: say what staff must do")
    review_due = parse_date(raw["review_due"], "review_due") if raw.get("review_due") else None
    return _MarkerRow(line, ref, category, instructions, review_due)


def import_markers(
    db: Database,
    path: Path,
    actor: Actor,
    now: datetime,
    *,
    review_months: int = 6,
) -> ImportReport:
    """Place markers from a CSV file (tenancy_ref, category, instructions, review_due).

    Instructions are separated by ';'. An empty review_due means the seed-002 six months.
    Imported markers record that informing the tenant is still to be confirmed: the export
    does not say, and the first review must decide it.
    """
    report = ImportReport()
    with db.session() as session:
        for line, raw in _rows(path, MARKER_COLUMNS, MARKER_REQUIRED):
            try:
                row = _marker_row(line, raw)
                person = session.scalar(select(Person).where(Person.tenancy_ref == row.tenancy_ref))
                if person is None:
                    raise _BadRow(
                        f"no person with tenancy_ref {row.tenancy_ref} (import the people first)"
                    )
                existing = active_marker(session, person.id, row.category)
                if existing is not None:
                    _check_same_marker(existing, row)
                    report.unchanged += 1
                    continue
                if row.review_due is not None:
                    problem = review_due_problem(
                        row.review_due, placed_at=now, months=review_months
                    )
                    if problem:
                        raise _BadRow(f"review_due {row.review_due:%d/%m/%Y}: {problem}")
            except _BadRow as exc:
                report.problems.append(RowProblem(line, str(exc)))
                continue
            _add_marker(session, actor, now, person, row, review_months, path)
            report.added += 1
        audit.record(
            session,
            actor,
            "markers_imported",
            at=now,
            file=str(path),
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=len(report.problems),
        )
    return report


def _check_same_marker(existing: Marker, row: _MarkerRow) -> None:
    """A row for a person and category that already has an active marker: the same marker
    again is unchanged; anything else would be a second marker, and is refused."""
    same_instructions = set(existing.instructions) == set(row.instructions)
    same_review = row.review_due is None or row.review_due == existing.review_due
    if same_instructions and same_review:
        return
    differs = "instructions" if not same_instructions else "review date"
    raise _BadRow(
        f"{row.tenancy_ref} already has an active {CATEGORY_TITLES[row.category]} marker "
        f"(review due {existing.review_due:%d/%m/%Y}) and the file gives other {differs}: "
        "not added; change a marker at its review"
    )


def _add_marker(
    session: Session,
    actor: Actor,
    now: datetime,
    person: Person,
    row: _MarkerRow,
    review_months: int,
    path: Path,
) -> None:
    restricted = row.category is MarkerCategory.OFFENDER  # seed 002 5.1: restricted register
    marker = Marker(
        person_id=person.id,
        category=row.category,
        instructions=list(row.instructions),
        restricted=restricted,
        contact_role=Role.ASB_MANAGER.value if restricted else None,
        placed_by_id=actor.staff_id,
        placed_at=now,
        review_due=row.review_due or review_due_from(now, review_months),
        tenant_informed=False,
        not_informed_reason=(
            f"Imported from {path.name}: whether the tenant was told is not in the export; "
            "confirm at the first review."
        ),
        status=MarkerStatus.ACTIVE,
    )
    session.add(marker)
    session.flush()
    audit.record(
        session,
        actor,
        "marker_imported",
        at=now,
        subject_type="marker",
        subject_id=marker.id,
        person_id=person.id,
        tenancy_ref=row.tenancy_ref,
        category=row.category.value,
        instructions=list(row.instructions),
        review_due=marker.review_due.isoformat(),
        file=str(path),
        line=row.line,
    )
