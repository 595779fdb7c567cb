"""Reception's person search: the matcher's index loaded from the database and kept current.

One PC holds the whole population in memory (a million people is a few hundred MB and a
few tens of seconds to load) because as-you-type search must answer in tens of
milliseconds. The index is loaded once by streaming rows, then caught up by a cheap delta:

- people added or changed: rows with an id above the highest seen, or an ``updated_at`` no
  older than OVERLAP before both the newest change seen and the last look. The overlap covers
  transactions that commit out of order and clock skew between PCs up to OVERLAP; rows
  re-read in the window are compared by (id, updated_at) first, so they cost one narrow read.
  Whoever changes a person (or their aliases) must bump ``people.updated_at``.
- people removed (rare: a purge): noticed when the row count differs, then found by id.
- markers placed or removed: the set of flagged people (a few per cent of records) is
  re-read every time and compared, so a new marker flips the flag at the next refresh.

The flag in the index only orders and labels the shortlist. Whether a visitor warns is
always decided from the database (``marker_warnings``) for every close candidate, so a
marker placed a second ago still warns even before the next refresh.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from safedesk.clock import Clock
from safedesk.db import Database
from safedesk.matching.person_index import PersonIndex
from safedesk.matching.query_parse import ParsedQuery
from safedesk.matching.records import PersonRecord
from safedesk.matching.scoring import CLOSE_MATCH_SCORE, Match
from safedesk.models import Person, PersonAlias
from safedesk.services.markers.warnings import (
    MarkerWarning,
    flagged_person_ids,
    warnings_for_people,
)

log = logging.getLogger(__name__)

STREAM_BATCH = 20_000
BULK_STAMP = 1000
"""More rows than this with one updated_at are a bulk write; they are remembered by timestamp."""
OVERLAP = timedelta(minutes=2)
"""Changes up to this long before the newest one seen are read again on every refresh."""


@dataclass(frozen=True)
class LoadReport:
    people: int
    aliases: int
    flagged: int
    seconds: float


@dataclass(frozen=True)
class RefreshReport:
    changed: int
    removed: int
    flags_changed: int
    seconds: float


@dataclass(frozen=True)
class ShortlistEntry:
    """One candidate as reception shows it: the record, why it matched, its warnings."""

    match: Match
    warnings: tuple[MarkerWarning, ...]

    @property
    def record(self) -> PersonRecord:
        return self.match.record

    @property
    def flagged(self) -> bool:
        """Flagged by the database now (the index's flag may be a refresh behind)."""
        return bool(self.warnings) or self.match.record.flagged

    @property
    def close(self) -> bool:
        return self.match.score >= CLOSE_MATCH_SCORE or self.match.certain

    @property
    def instructions(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for warning in self.warnings:
            for line in warning.instructions:
                seen.setdefault(line, None)
        return tuple(seen)


@dataclass(frozen=True)
class Shortlist:
    """The search result reception shows: every candidate, and whether the warning must fire."""

    query: str
    parsed: ParsedQuery | None
    entries: tuple[ShortlistEntry, ...] = field(default=())

    @property
    def flagged_close(self) -> tuple[ShortlistEntry, ...]:
        """Close candidates with an active marker: if any, the warning fires."""
        return tuple(e for e in self.entries if e.close and e.flagged)


def visitor_query(name: str, date_of_birth: date | None, postcode: str | None) -> str:
    """The search line for what a visitor told reception (a walk-in, or a booked record)."""
    parts = [name.strip()]
    if date_of_birth is not None:
        parts.append(date_of_birth.strftime("%d/%m/%Y"))
    if postcode:
        parts.append(postcode.strip())
    # A trailing space: the line is finished, the last word is not a prefix being typed.
    return " ".join(p for p in parts if p) + " "


def _records(
    rows: Iterable[Sequence[object]], aliases: dict[int, list[str]], flagged: set[int]
) -> Iterator[PersonRecord]:
    for pid, forenames, surname, dob, postcode, ref, *_ in rows:
        person_id = int(pid)  # type: ignore[call-overload]
        yield PersonRecord(
            person_id=person_id,
            forenames=str(forenames or ""),
            surname=str(surname or ""),
            aliases=tuple(aliases.get(person_id, ())),
            date_of_birth=_as_date(dob),
            postcode=str(postcode) if postcode else None,
            tenancy_ref=str(ref) if ref else None,
            flagged=person_id in flagged,
        )


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return None


_PERSON_COLUMNS = (
    Person.id,
    Person.forenames,
    Person.surname,
    Person.date_of_birth,
    Person.postcode,
    Person.tenancy_ref,
    Person.updated_at,
)


class PersonSearch:
    """The loaded index plus the watermarks that let it catch up cheaply.

    Thread-safe: searches may run on a worker thread while `refresh` runs on another.
    """

    def __init__(self, db: Database, clock: Clock, index: PersonIndex) -> None:
        self.db = db
        self.clock = clock
        self.index = index
        self._refresh_lock = threading.Lock()
        self._max_id = 0
        self._newest_change: datetime | None = None
        # Rows already applied that the overlap window would read again: id -> updated_at.
        self._recent: dict[int, datetime] = {}
        self._last_look = clock.now()  # when the database was last read (load or refresh)
        # Timestamps of bulk writes already loaded (rows up to _max_id with them are known).
        self._bulk_stamps: set[datetime] = set()
        self._flagged: set[int] = set()
        self.load_report: LoadReport | None = None

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(
        cls,
        db: Database,
        clock: Clock,
        *,
        progress: Callable[[str], None] = lambda _m: None,
    ) -> PersonSearch:
        """Build the index from every person, streaming rows (a million fit; a list would not)."""
        started = time.perf_counter()
        looked = clock.now()
        with db.session() as session:
            flagged = flagged_person_ids(session)
            aliases: dict[int, list[str]] = {}
            alias_count = 0
            for pid, name in session.execute(
                select(PersonAlias.person_id, PersonAlias.name).execution_options(
                    yield_per=STREAM_BATCH
                )
            ):
                aliases.setdefault(pid, []).append(name)
                alias_count += 1
            progress(f"{alias_count:,} aliases read")
            newest: datetime | None = session.scalar(select(func.max(Person.updated_at)))
            max_id = session.scalar(select(func.max(Person.id))) or 0
            recent: dict[int, datetime] = {}
            bulk: set[datetime] = set()
            if newest is not None:
                window = (Person.updated_at >= newest - OVERLAP, Person.id <= max_id)
                for changed, count in session.execute(
                    select(Person.updated_at, func.count())
                    .where(*window)
                    .group_by(Person.updated_at)
                ):
                    if count > BULK_STAMP:
                        bulk.add(changed)  # one import or seed: remembered by its timestamp
                for pid, changed in session.execute(
                    select(Person.id, Person.updated_at).where(*window)
                ):
                    if changed not in bulk:
                        recent[int(pid)] = changed
            # Plain SQL with no type processing: streaming a million rows through the ORM's
            # column types takes four times longer. Only the date needs converting (SQLite).
            rows = session.execute(
                text(
                    "SELECT id, forenames, surname, date_of_birth, postcode, tenancy_ref "
                    "FROM people WHERE id <= :max_id ORDER BY id"
                ).bindparams(max_id=max_id),
                execution_options={"yield_per": STREAM_BATCH},
            )
            index = PersonIndex(_records(rows, aliases, flagged), clock=clock)
        search = cls(db, clock, index)
        search._recent = recent
        search._bulk_stamps = bulk
        search._last_look = looked
        search._max_id = int(max_id)
        search._newest_change = newest
        search._flagged = flagged
        search.load_report = LoadReport(
            people=len(index),
            aliases=alias_count,
            flagged=len(flagged),
            seconds=time.perf_counter() - started,
        )
        progress(
            f"search index: {len(index):,} people loaded in {search.load_report.seconds:.1f} s"
        )
        log.debug("person search loaded: %s", search.load_report)
        return search

    # ------------------------------------------------------------------ catching up

    def refresh(self) -> RefreshReport:
        """Apply people and markers changed since the last load or refresh."""
        with self._refresh_lock:
            started = time.perf_counter()
            with self.db.session() as session:
                changed = self._apply_changed_people(session)
                removed = self._apply_removed_people(session)
                flags = self._apply_flags(session)
            report = RefreshReport(changed, removed, flags, time.perf_counter() - started)
            if changed or removed or flags:
                log.info("person search refreshed: %s", report)
            return report

    def _apply_changed_people(self, session: Session) -> int:
        condition = Person.id > self._max_id
        since = self._newest_change - OVERLAP if self._newest_change is not None else None
        if since is not None:
            # Only what changed since just before the last look can still be arriving late; the
            # bound keeps a bulk import (a million rows with one timestamp) from being re-read
            # on every refresh once it is older than the overlap.
            since = max(since, self._last_look - OVERLAP)
            condition = or_(condition, Person.updated_at >= since)
        self._last_look = self.clock.now()
        # Narrow first: (id, updated_at) only, so re-reading the overlap window stays cheap.
        stamps = session.execute(select(Person.id, Person.updated_at).where(condition)).all()
        known_up_to = self._max_id
        fresh = [
            int(pid)
            for pid, changed in stamps
            if self._recent.get(pid) != changed
            and not (changed in self._bulk_stamps and pid <= known_up_to)
        ]
        if stamps:
            newest = max(changed for _, changed in stamps)
            if self._newest_change is None or newest > self._newest_change:
                self._newest_change = newest
            self._max_id = max(self._max_id, *(int(pid) for pid, _ in stamps))
        self._recent = {
            int(pid): changed
            for pid, changed in stamps
            if (since is None or changed >= since) and changed not in self._bulk_stamps
        }
        changed_count = 0
        for start in range(0, len(fresh), 500):
            ids = fresh[start : start + 500]
            rows = session.execute(select(*_PERSON_COLUMNS).where(Person.id.in_(ids))).all()
            aliases: dict[int, list[str]] = {}
            for pid, name in session.execute(
                select(PersonAlias.person_id, PersonAlias.name)
                .where(PersonAlias.person_id.in_(ids))
                .order_by(PersonAlias.id)
            ):
                aliases.setdefault(pid, []).append(name)
            for record in _records(rows, aliases, self._flagged):
                if self.index.get(record.person_id) != record:
                    self.index.update(record)
                    changed_count += 1
        return changed_count

    def _apply_removed_people(self, session: Session) -> int:
        count = session.scalar(select(func.count()).select_from(Person)) or 0
        if count == len(self.index):
            return 0
        present = set(session.scalars(select(Person.id)))
        gone = [pid for pid in self._indexed_ids() if pid not in present]
        for pid in gone:
            self.index.remove(pid)
        return len(gone)

    def _indexed_ids(self) -> list[int]:
        return [pid for pid in range(1, self._max_id + 1) if pid in self.index]

    def _apply_flags(self, session: Session) -> int:
        now_flagged = flagged_person_ids(session)
        changes = 0
        for pid in now_flagged ^ self._flagged:
            if pid in self.index:
                self.index.set_flagged(pid, pid in now_flagged)
                changes += 1
        self._flagged = now_flagged
        return changes

    # ------------------------------------------------------------------ searching

    def search(self, query: str, limit: int = 20) -> list[Match]:
        """The matcher's ranked matches for a typed line (every flagged close match included)."""
        return self.index.search(query, limit)

    def close_candidates(self, query: str) -> list[Match]:
        """Every candidate at or above the close-match score, for the warning check."""
        return self.index.candidates(query, CLOSE_MATCH_SCORE)

    def shortlist(self, query: str, limit: int = 20) -> Shortlist:
        """Matches joined with their marker warnings, read from the database now."""
        matches = self.search(query, limit)
        parsed = self.index.parse(query) if query.strip() else None
        if not matches:
            return Shortlist(query, parsed)
        with self.db.session() as session:
            warnings = warnings_for_people(
                session, (m.record.person_id for m in matches), self.today()
            )
        entries = tuple(
            ShortlistEntry(m, tuple(warnings.get(m.record.person_id, ()))) for m in matches
        )
        return Shortlist(query, parsed, entries)

    def today(self) -> date:
        return self.clock.now().date()
