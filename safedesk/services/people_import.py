"""Importing customer records and markers from CSV files (the housing system's export).

Bad rows are reported with their line numbers and reasons and the good rows are kept, so one
typo never blocks a nightly import. Importing the same file again changes nothing: people are
recognised by tenancy reference (or, without one, by name, date of birth and postcode) and
markers by person, category and instructions.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from safedesk.db import Database
from safedesk.matching.normalise import canonical_postcode
from safedesk.models import Marker, MarkerCategory, MarkerStatus, Person, PersonAlias, Role
from safedesk.services import audit
from safedesk.services.actor import Actor

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


def _rows(
    path: Path, columns: Sequence[str], required: Sequence[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row by lower-case column) for each data row; header names any case."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFileError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path}: cannot read as UTF-8 text: {exc}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
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
            f"{path}: line 1: missing column(s) {', '.join(missing)} "
            f"(expected {','.join(columns)}; header names are not case-sensitive)"
        )
    unknown = [n for n in names if n and n not in columns]
    if unknown:
        raise ImportFileError(
            f"{path}: line 1: unknown column(s) {', '.join(unknown)} (expected {','.join(columns)})"
        )
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFileError(f"{path}: line {start}: {exc}") from None
        line = reader.line_num
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


def _natural_key(
    forenames: str, surname: str, dob: date | None, postcode: str | None
) -> tuple[str, str, date | None, str | None]:
    return (forenames.lower(), surname.lower(), dob, postcode)


def _apply_people(
    session: Session, rows: list[_PersonRow], now: datetime, report: ImportReport
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
        changed = False
        for name in ("forenames", "surname", "date_of_birth", "postcode", "address"):
            value = getattr(row, name)
            if name == "address" and value is None:
                continue  # an export without addresses does not wipe them
            if getattr(person, name) != value:
                setattr(person, name, value)
                changed = True
        have = {a.name for a in person.aliases}
        for alias in row.aliases:
            if alias not in have:
                person.aliases.append(PersonAlias(name=alias))
                changed = True
        if changed:
            person.updated_at = now  # the search index catches up by this
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()


def import_people(db: Database, path: Path, actor: Actor, now: datetime) -> ImportReport:
    """Add or update people from a CSV file; bad rows are reported, good rows kept."""
    report = ImportReport()
    seen_refs: dict[str, int] = {}
    batch: list[_PersonRow] = []
    with db.session() as session:
        for line, raw in _rows(path, PEOPLE_COLUMNS, PEOPLE_REQUIRED):
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
                _apply_people(session, batch, now, report)
                batch = []
        if batch:
            _apply_people(session, batch, now, report)
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
    key = re.sub(r"[^a-z]+", "_", text.strip().lower()).strip("_")
    found = _CATEGORY_WORDS.get(key)
    if found is None:
        known = ", ".join(c.value for c in MarkerCategory)
        raise _BadRow(f"category {text!r} is not one of {known}")
    return found


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


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
                if "__error__" in raw:
                    raise _BadRow(raw["__error__"])
                ref = re.sub(r"\s+", "", raw.get("tenancy_ref", "")).upper()
                if not ref:
                    raise _BadRow("tenancy_ref is empty")
                category = parse_category(raw.get("category", ""))
                instructions = list(
                    dict.fromkeys(
                        i.strip() for i in raw.get("instructions", "").split(";") if i.strip()
                    )
                )
                if not instructions:
                    raise _BadRow("instructions is empty: say what staff must do")
                review_due = (
                    parse_date(raw["review_due"], "review_due")
                    if raw.get("review_due")
                    else _add_months(now.date(), review_months)
                )
                person = session.scalar(select(Person).where(Person.tenancy_ref == ref))
                if person is None:
                    raise _BadRow(f"no person with tenancy_ref {ref} (import the people first)")
            except _BadRow as exc:
                report.problems.append(RowProblem(line, str(exc)))
                continue
            _apply_marker(
                session, actor, now, person, category, instructions, review_due, path, report
            )
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


def _apply_marker(
    session: Session,
    actor: Actor,
    now: datetime,
    person: Person,
    category: MarkerCategory,
    instructions: list[str],
    review_due: date,
    path: Path,
    report: ImportReport,
) -> None:
    existing = session.scalars(
        select(Marker).where(
            Marker.person_id == person.id,
            Marker.category == category,
            Marker.status == MarkerStatus.ACTIVE,
        )
    ).all()
    for marker in existing:
        if set(marker.instructions) == set(instructions):
            if marker.review_due != review_due:
                marker.review_due = review_due
                report.updated += 1
                audit.record(
                    session,
                    actor,
                    "marker_imported",
                    at=now,
                    subject_type="marker",
                    subject_id=marker.id,
                    change="review_due",
                    review_due=review_due.isoformat(),
                )
            else:
                report.unchanged += 1
            return
    restricted = category is MarkerCategory.OFFENDER  # seed 002 5.1: on the restricted register
    marker = Marker(
        person_id=person.id,
        category=category,
        instructions=instructions,
        restricted=restricted,
        contact_role=Role.ASB_MANAGER.value if restricted else None,
        placed_by_id=actor.staff_id,
        placed_at=now,
        review_due=review_due,
        tenant_informed=False,
        not_informed_reason=(
            f"Imported from {path.name}: whether the tenant was told is not in the export; "
            "confirm at the first review."
        ),
        status=MarkerStatus.ACTIVE,
    )
    session.add(marker)
    session.flush()
    report.added += 1
    audit.record(
        session,
        actor,
        "marker_imported",
        at=now,
        subject_type="marker",
        subject_id=marker.id,
        person_id=person.id,
        category=category.value,
        instructions=instructions,
        file=str(path),
    )
