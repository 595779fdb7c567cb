"""Importing customer records from CSV (the housing system's export) without ever changing who a
record is, because a marker belongs to the person it was placed on.

People are recognised by tenancy reference (or, without one, by name, date of birth and
postcode), so importing the same file again changes nothing. A row whose tenancy reference is
already held by someone else is rejected by line and nothing of it is written. "Someone else"
(see ``same_identity``), comparing names folded as the search folds them (case, accents,
hyphens, apostrophes and spaces do not count):

- a different date of birth, when both are known, is another person;
- the surname, and the first forename, must be the same; a one-letter spelling fix (one letter
  added, dropped, changed, or two swapped, in a name of four letters or more) is allowed only
  when both sides carry the same date of birth;
- middle names (or their initials) may be added or dropped, not replaced.

A date of birth the record lacks may be filled in; an empty one in the file never wipes it. A real
change of identity goes through ``person_identity.correct_identity`` (managers, audited). Address,
postcode and aliases may change; every changed field is audited with its old and new value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rapidfuzz.distance import OSA
from sqlalchemy import func, inspect, select, tuple_
from sqlalchemy.orm import Session

from safedesk.db import Database
from safedesk.matching.normalise import canonical_postcode, fold, query_name_tokens
from safedesk.models import Person, PersonAlias
from safedesk.services.imports.csv_rows import UNPAIRED_QUOTES, BadRow, parse_date, read_rows
from safedesk.services.imports.report import ImportReport, RowProblem
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
BATCH = 1000


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
        raise BadRow(raw["__error__"])
    forenames, surname = raw.get("forenames", ""), raw.get("surname", "")
    if not forenames:
        raise BadRow("forenames is empty")
    if not surname:
        raise BadRow("surname is empty")
    if len(forenames) > 120 or len(surname) > 120:
        raise BadRow("a name is longer than 120 characters")
    for column, value in (("forenames", forenames), ("surname", surname)):
        if any(c in value for c in ',"\r\n'):
            # "Unclosed,Quote,1960-01-01": the rest of a row read into one field.
            raise BadRow(f"{column} {_clip(value)!r} holds a comma or quote: {UNPAIRED_QUOTES}")
    dob = parse_date(raw["date_of_birth"], "date_of_birth") if raw.get("date_of_birth") else None
    if dob is not None and (dob > today or dob.year < 1880):
        raise BadRow(f"date_of_birth {raw['date_of_birth']!r} is in the future or before 1880")
    postcode: str | None = None
    if raw.get("postcode"):
        postcode = canonical_postcode(raw["postcode"])
        if postcode is None:
            raise BadRow(f"postcode {raw['postcode']!r} is not a full UK postcode")
    ref = re.sub(r"\s+", "", raw.get("tenancy_ref", "")).upper() or None
    if ref is not None and len(ref) > 40:
        raise BadRow("tenancy_ref is longer than 40 characters")
    aliases = tuple(
        dict.fromkeys(a.strip() for a in raw.get("aliases", "").split(";") if a.strip())
    )
    if any(len(a) > 240 for a in aliases):
        raise BadRow("an alias is longer than 240 characters")
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
        for line, raw in read_rows(path, PEOPLE_COLUMNS, PEOPLE_REQUIRED, multiline=("address",)):
            try:
                row = _person_row(line, raw, now.date())
            except BadRow as exc:
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
