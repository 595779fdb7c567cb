"""PersonIndex: the in-memory person search behind reception's as-you-type box.

Holds every customer record in compact columns (about a million at a large council) with
blocking indexes: name words (with their phonetic codes, short forms and spellings),
dates of birth, postcodes and tenancy references. A search turns the typed line into
query parts, gathers a bounded candidate set from those indexes (people agreeing with
most parts first, flagged people first when it has to cut), scores each candidate field
by field and returns the ranked matches with the reasons.

Safety rules it keeps:
- a flagged close match is never hidden by unflagged ones: ties rank flagged first, and
  flagged close matches beyond `limit` are appended (`Match.shown_because_flagged`);
- a name-only match is never `certain`;
- every call is thread-safe (one lock), so a marker placed on another PC can flip a flag
  with `set_flagged` while reception is typing.
"""

from __future__ import annotations

import bisect
import heapq
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import combinations

from safedesk.clock import Clock, SystemClock
from safedesk.matching import dob_compare, postcode_compare
from safedesk.matching.columns import InternTable, RowMap, StringColumn
from safedesk.matching.name_vocabulary import NameVocabulary
from safedesk.matching.nicknames_index import NicknameIndex
from safedesk.matching.normalise import (
    canonical_postcode,
    canonical_reference,
    fold,
    postcode_district,
    postcode_sector,
    record_name_tokens,
)
from safedesk.matching.postings import Postings
from safedesk.matching.query_parse import ParsedQuery, parse_query
from safedesk.matching.records import PersonRecord
from safedesk.matching.scoring import (
    CERTAIN_NAME_SIMILARITY,
    CLOSE_MATCH_SCORE,
    DOB_DAY_MONTH_WEIGHT,
    DOB_PART_WEIGHT,
    DOB_WEIGHT,
    DOB_YEAR_WEIGHT,
    INITIAL_WEIGHT,
    POSTCODE_DISTRICT_WEIGHT,
    POSTCODE_FULL_WEIGHT,
    POSTCODE_SECTOR_WEIGHT,
    SWAPPED_FACTOR,
    TENANCY_PREFIX_WEIGHT,
    TENANCY_WEIGHT,
    UNKNOWN_NAME_BITS,
    FieldComparison,
    Match,
    name_weight,
)
from safedesk.matching.token_match import NameLevel, TokenMatch

DEFAULT_CANDIDATE_CAP = 2500
"""At most this many people are scored per search; enough for every realistic query."""

_ONE_PART_ROOM = 300  # weak candidates (agreeing with one part of several) scored
_SINGLE_PART_ROOM = 1000  # candidates scored for a one-part query, best postings first
_MAX_TIERED_PARTS = 5
_CUT_ORDER = (1.0, 0.9, 0.8)  # agreement levels kept first when the cap cuts a tier
_REF_MERGE = 1024
_FORENAME, _SURNAME = 0, 1
_NO_DOB = 0
_Variant = tuple[tuple[int, ...], tuple[int, ...]]  # forename word ids, surname word ids
_Pick = tuple[int, int]  # what one typed name word matched: (word id, role), or (-1, -1)


@dataclass
class _NameTerm:
    """One typed name word and the stored words it may stand for."""

    typed: str
    weight: float
    matches: dict[int, TokenMatch]
    similarity: dict[int, float]  # as a forename: every level, nicknames included
    surname_similarity: dict[int, float] = field(default_factory=dict)  # no nicknames
    initial: bool = False


@dataclass
class _Part:
    """A query part that selects candidates: a name word, the DOB, the postcode or the ref."""

    label: str
    ordered: list[Sequence[int]] = field(default_factory=list)  # best postings first
    similarity: list[float] = field(default_factory=list)  # of each posting; [] = all exact
    _rows: dict[float, set[int]] = field(default_factory=dict)

    def rows(self, at_least: float = 0.0) -> set[int]:
        """Rows whose agreement with this part is at least `at_least`."""
        found = self._rows.get(at_least)
        if found is None:
            found = set()
            for i, posting in enumerate(self.ordered):
                if self.similarity and self.similarity[i] < at_least:
                    break
                found.update(posting)
            self._rows[at_least] = found
        return found

    def in_order(self) -> Iterator[int]:
        for posting in self.ordered:
            yield from posting


@dataclass
class _Plan:
    """Everything about one query that does not depend on the candidate."""

    parsed: ParsedQuery
    names: list[_NameTerm]
    parts: list[_Part]
    must: list[int]
    total_weight: float
    dob_near: dict[int, tuple[float, str]] | None = None
    dob_weight: float = 0.0
    postcode_weight: float = 0.0
    tenancy_rows: frozenset[int] = frozenset()
    tenancy_exact: bool = False
    tenancy_weight: float = 0.0

    @property
    def identifying(self) -> bool:
        """Whether the query says enough for its close matches to be about one person.

        Two name words, a name word with a DOB or postcode, a DOB with a postcode, or a
        tenancy reference. A DOB alone fits ~40 people in a million, so its one-digit-out
        neighbours are not "close matches" of anyone in particular.
        """
        p = self.parsed
        full_names = sum(1 for t in self.names if not t.initial)
        full_dob = p.date_of_birth is not None and p.date_of_birth.exact is not None
        full_postcode = p.postcode is not None and p.postcode.full is not None
        return bool(
            full_names >= 2
            or (full_names >= 1 and (full_dob or p.postcode is not None))
            or (full_dob and full_postcode)
            or p.tenancy_ref
        )


class PersonIndex:
    """Search a population of PersonRecords by name, DOB, postcode and tenancy reference.

    Build it once from every record (`PersonIndex(records)`), keep it current with
    `add`, `update`, `remove` and `set_flagged`, and call `search(line)` as the user types.
    """

    def __init__(
        self,
        records: Iterable[PersonRecord] = (),
        *,
        clock: Clock | None = None,
        nicknames: NicknameIndex | None = None,
        candidate_cap: int = DEFAULT_CANDIDATE_CAP,
    ) -> None:
        self._clock = clock or SystemClock()
        self._lock = threading.RLock()
        self._cap = candidate_cap
        self._vocab = NameVocabulary(nicknames or NicknameIndex())
        # Columns, one entry per row; a removed or replaced row is only marked dead.
        self._person_id: array[int] = array("q")
        self._forenames: array[int] = array("I")  # ids into the tables below
        self._surname: array[int] = array("I")
        self._aliases: array[int] = array("I")
        self._dob: array[int] = array("i")
        self._postcode: array[int] = array("I")
        self._tenancy = StringColumn()
        self._flagged = bytearray()
        self._alive = bytearray()
        self._row_of = RowMap()
        self._flagged_rows: set[int] = set()
        self._live = 0
        # Name strings are shared between rows; each distinct one is tokenised once.
        self._forename_texts: InternTable[str] = InternTable()
        self._forename_words: list[tuple[int, ...]] = [()]
        self._surname_texts: InternTable[str] = InternTable()
        self._surname_words: list[tuple[int, ...]] = [()]
        self._alias_sets: InternTable[tuple[str, ...]] = InternTable(())
        self._alias_variants: list[tuple[_Variant, ...]] = [()]
        self._postcodes: InternTable[str] = InternTable()
        self._postcode_cache: dict[str, int] = {}  # as stored -> id of the canonical form
        # Blocking indexes.
        self._by_dob: Postings[int] = Postings()  # date ordinal -> rows
        self._by_postcode: Postings[str] = Postings()
        self._by_sector: Postings[str] = Postings()
        self._by_district: Postings[str] = Postings()
        # Canonical tenancy refs, sorted (a tuple, which the garbage collector skips), with
        # their rows; refs added since the last merge wait, unsorted, in a short list.
        self._refs: tuple[str, ...] = ()
        self._ref_rows: array[int] = array("I")
        self._pending_refs: list[tuple[str, int]] = []
        self._term_cache: OrderedDict[tuple[str, bool], _NameTerm] = OrderedDict()
        for record in records:
            self._append(record)
        self.compact()

    # ----------------------------------------------------------------- maintenance

    def compact(self) -> None:
        """Pack rows added since the build into the compact lists (after a big import)."""
        with self._lock:
            self._flush_refs(force=True)
            for postings in (self._vocab.postings, self._by_dob, self._by_postcode,
                             self._by_sector, self._by_district):  # fmt: skip
                postings.compact()

    def __len__(self) -> int:
        return self._live

    def __contains__(self, person_id: object) -> bool:
        return person_id in self._row_of

    def get(self, person_id: int) -> PersonRecord | None:
        with self._lock:
            row = self._row_of.get(person_id)
            return None if row is None else self._record(row)

    def add(self, record: PersonRecord) -> None:
        """Index a new person (a walk-in saved as a record, an imported row)."""
        with self._lock:
            if record.person_id in self._row_of:
                raise ValueError(f"person {record.person_id} is already indexed; use update()")
            self._append(record)
            self._flush_refs()
            self._term_cache.clear()

    def update(self, record: PersonRecord) -> None:
        """Replace a person's indexed details (or add them if new)."""
        with self._lock:
            row = self._row_of.get(record.person_id)
            if row is not None and self._same_identity(row, record):
                self.set_flagged(record.person_id, record.flagged)
                return
            if row is not None:
                self._kill(row)
            self._append(record)
            self._flush_refs()
            self._term_cache.clear()

    def remove(self, person_id: int) -> bool:
        """Forget a person; returns False when they were not indexed."""
        with self._lock:
            row = self._row_of.get(person_id)
            if row is None:
                return False
            self._kill(row)
            return True

    def set_flagged(self, person_id: int, flagged: bool) -> None:
        """A marker was placed or removed: change the flag in place, at once."""
        with self._lock:
            row = self._row_of.get(person_id)
            if row is None:
                raise KeyError(f"person {person_id} is not indexed")
            self._flagged[row] = 1 if flagged else 0
            if flagged:
                self._flagged_rows.add(row)
            else:
                self._flagged_rows.discard(row)

    def _same_identity(self, row: int, record: PersonRecord) -> bool:
        """Same person details as indexed (postcode compared in its canonical form)."""
        old = self._record(row)
        postcode = canonical_postcode(record.postcode) if record.postcode else None
        return old == replace(record, flagged=old.flagged, postcode=postcode)

    def _kill(self, row: int) -> None:
        self._alive[row] = 0
        self._flagged_rows.discard(row)
        self._row_of.delete(self._person_id[row])
        self._live -= 1

    def _append(self, record: PersonRecord) -> None:
        row = len(self._person_id)
        vocab = self._vocab
        forenames = self._text_id(
            self._forename_texts, self._forename_words, record.forenames, join=False
        )
        surname = self._text_id(self._surname_texts, self._surname_words, record.surname, join=True)
        word_ids: Iterable[int] = self._forename_words[forenames] + self._surname_words[surname]
        aliases = 0
        if record.aliases:
            aliases, new = self._alias_sets.intern(tuple(record.aliases))
            if new:
                self._alias_variants.append(
                    tuple(self._alias_variant(alias, record.surname) for alias in record.aliases)
                )
            every = set(word_ids)
            for fore_ids, sur_ids in self._alias_variants[aliases]:
                every.update(fore_ids)
                every.update(sur_ids)
            word_ids = every
        vocab.post(word_ids, row)

        dob = record.date_of_birth.toordinal() if record.date_of_birth else _NO_DOB
        if dob:
            self._by_dob.add(dob, row)
        postcode_id = 0
        if record.postcode:
            postcode_id = self._postcode_id(record.postcode)
            if postcode_id:
                postcode = self._postcodes.values[postcode_id] or ""
                self._by_postcode.add(postcode, row)
                self._by_sector.add(postcode_sector(postcode), row)
                self._by_district.add(postcode_district(postcode), row)
        ref = canonical_reference(record.tenancy_ref)
        if ref is not None and ref == record.tenancy_ref:
            ref = record.tenancy_ref  # one string object for both the row and the sorted refs
        if ref is not None:
            self._pending_refs.append((ref, row))

        self._person_id.append(record.person_id)
        self._forenames.append(forenames)
        self._surname.append(surname)
        self._aliases.append(aliases)
        self._dob.append(dob)
        self._postcode.append(postcode_id)
        self._tenancy.append(record.tenancy_ref)
        self._flagged.append(1 if record.flagged else 0)
        self._alive.append(1)
        if record.flagged:
            self._flagged_rows.add(row)
        self._row_of.set(record.person_id, row)
        self._live += 1

    def _postcode_id(self, raw: str) -> int:
        """Id of a stored postcode's canonical form; 0 when it is not a valid postcode."""
        found = self._postcode_cache.get(raw)
        if found is None:
            postcode = canonical_postcode(raw)
            found = 0 if postcode is None else self._postcodes.intern(postcode)[0]
            self._postcode_cache[raw] = found
        return found

    def _text_id(
        self, table: InternTable[str], words: list[tuple[int, ...]], text: str, *, join: bool
    ) -> int:
        text_id, new = table.intern(text)
        if new:
            tokens = record_name_tokens(text, join_words=join)
            words.append(tuple(self._vocab.intern(w) for w in tokens))
        return text_id

    def _alias_variant(self, alias: str, surname: str) -> _Variant:
        folded_alias, folded_surname = fold(alias).strip(), fold(surname).strip()
        if folded_surname and folded_alias.endswith(" " + folded_surname):
            cut = len(alias) - len(surname)
            fore_text, sur_text = alias[:cut], alias[cut:]
        elif " " in alias.strip():
            fore_text, _, sur_text = alias.strip().rpartition(" ")
        else:
            fore_text, sur_text = alias, ""
        return (
            tuple(self._vocab.intern(w) for w in record_name_tokens(fore_text, join_words=False)),
            tuple(self._vocab.intern(w) for w in record_name_tokens(sur_text)),
        )

    def _flush_refs(self, force: bool = False) -> None:
        """Merge waiting refs into the sorted ones once there are enough to be worth it."""
        if not self._pending_refs or (len(self._pending_refs) < _REF_MERGE and not force):
            return
        pairs = sorted(self._pending_refs)
        merged = list(heapq.merge(zip(self._refs, self._ref_rows, strict=True), pairs))
        self._refs = tuple(p[0] for p in merged)
        self._ref_rows = array("I", (p[1] for p in merged))
        self._pending_refs = []

    def _record(self, row: int) -> PersonRecord:
        dob = self._dob[row]
        return PersonRecord(
            person_id=self._person_id[row],
            forenames=self._forename_texts.values[self._forenames[row]] or "",
            surname=self._surname_texts.values[self._surname[row]] or "",
            aliases=self._alias_sets.values[self._aliases[row]] or (),
            date_of_birth=date.fromordinal(dob) if dob else None,
            postcode=self._postcodes.values[self._postcode[row]],
            tenancy_ref=self._tenancy[row],
            flagged=bool(self._flagged[row]),
        )

    # ----------------------------------------------------------------- searching

    def parse(self, query: str) -> ParsedQuery:
        """How a line will be read (for showing 'searching for: ...' under the box)."""
        return parse_query(query, self._clock.now().date())

    def search(self, query: str, limit: int = 20) -> list[Match]:
        """The best `limit` matches for a typed line, plus every flagged close match.

        Ranked by score; scores within 0.02 of each other count as a tie and flagged
        people rank first among ties. When the query identifies someone (two name words,
        a full DOB, a full postcode or a tenancy ref), flagged matches with a score of at
        least CLOSE_MATCH_SCORE that fell below `limit` are appended with
        `shown_because_flagged=True`: the list can therefore be longer than `limit`.
        """
        with self._lock:
            plan = self._plan(self.parse(query))
            if plan is None:
                return []
            ranked = self._rank(plan)
            top = ranked[:limit]
            extra: list[tuple[float, int]] = []
            if plan.identifying:
                extra = [
                    (score, row)
                    for score, row in ranked[limit:]
                    if score >= CLOSE_MATCH_SCORE and self._flagged[row]
                ]
            return self._explain(plan, top, extra, ranked)

    def candidates(self, query: str, min_score: float = CLOSE_MATCH_SCORE) -> list[Match]:
        """Every candidate scoring at least `min_score`, best first (flagged first on ties).

        The reception layer uses this to check a walk-in, or the chosen person, against
        all close matches for markers.
        """
        with self._lock:
            plan = self._plan(self.parse(query))
            if plan is None:
                return []
            ranked = [(s, r) for s, r in self._rank(plan) if s >= min_score]
            return self._explain(plan, ranked, [], ranked)

    def _rank(self, plan: _Plan) -> list[tuple[float, int]]:
        rows = self._gather(plan)
        scored = [(self._score(plan, row), row) for row in rows]
        flagged = self._flagged
        scored.sort(key=lambda sr: (-round(sr[0] * 50), -flagged[sr[1]], -sr[0], sr[1]))
        return scored

    def _plan(self, parsed: ParsedQuery) -> _Plan | None:
        if parsed.is_empty:
            return None
        population = max(self._live, 1)
        names: list[_NameTerm] = []
        parts: list[_Part] = []
        must: list[int] = []
        total = 0.0
        for position, typed in enumerate(parsed.names):
            typing = parsed.typing_last and position == len(parsed.names) - 1
            term = self._name_term(typed, typing, population)
            names.append(term)
            total += term.weight
            if not term.initial:
                ordered = sorted(term.matches.items(), key=lambda kv: -kv[1].similarity)
                pieces: list[Sequence[int]] = []
                sims: list[float] = []
                for wid, match in ordered:
                    for piece in self._vocab.postings.rows(wid):
                        pieces.append(piece)
                        sims.append(match.similarity)
                parts.append(_Part(f"name:{typed}", pieces, sims))
        only_initials = bool(names) and all(t.initial for t in names)
        if only_initials and not (parsed.date_of_birth or parsed.postcode or parsed.tenancy_ref):
            return None  # a lone initial selects nobody in particular

        plan = _Plan(parsed, names, parts, must, total)
        self._plan_dob(plan)
        self._plan_postcode(plan)
        self._plan_tenancy(plan)
        if not plan.parts and not plan.must:
            return None
        return plan

    def _name_term(self, typed: str, typing: bool, population: int) -> _NameTerm:
        key = (typed, typing)
        cached = self._term_cache.get(key)
        if cached is not None:
            self._term_cache.move_to_end(key)
            return cached
        if len(typed) == 1:
            term = _NameTerm(typed, INITIAL_WEIGHT, {}, {}, initial=True)
        else:
            matches = self._vocab.similar(typed, typing)
            exact = self._vocab.word_id.get(typed)
            if exact is not None:
                weight = name_weight(self._vocab.frequency(exact), population)
            elif matches:
                best = max(matches, key=lambda wid: matches[wid].similarity)
                weight = name_weight(self._vocab.frequency(best), population)
            else:
                weight = UNKNOWN_NAME_BITS
            similarity = {wid: m.similarity for wid, m in matches.items()}
            # Short forms are forename forms: "Sasha" says nothing about a surname Alexander.
            as_surname = {
                wid: m.similarity for wid, m in matches.items() if m.level is not NameLevel.NICKNAME
            }
            term = _NameTerm(typed, weight, matches, similarity, as_surname)
        self._term_cache[key] = term
        if len(self._term_cache) > 256:
            self._term_cache.popitem(last=False)
        return term

    def _plan_dob(self, plan: _Plan) -> None:
        typed = plan.parsed.date_of_birth
        if typed is None:
            return
        exact = typed.exact
        if exact is not None:
            near = dob_compare.near_dates(exact)
            plan.dob_near = near
            plan.dob_weight = DOB_WEIGHT
            ordered = sorted(near.items(), key=lambda kv: -kv[1][0])
            pieces: list[Sequence[int]] = []
            sims: list[float] = []
            for ordinal, (similarity, _) in ordered:
                for piece in self._by_dob.rows(ordinal):
                    pieces.append(piece)
                    sims.append(similarity)
            plan.must.extend(self._by_dob.iter_rows(exact.toordinal()))
            plan.parts.append(_Part("dob", pieces, sims))
        else:
            if typed.day is not None and typed.month is not None:
                plan.dob_weight = DOB_DAY_MONTH_WEIGHT
                if typed.year_from is not None:
                    plan.dob_weight += DOB_PART_WEIGHT
            elif typed.year_from is not None:
                plan.dob_weight = DOB_YEAR_WEIGHT
            else:
                plan.dob_weight = DOB_PART_WEIGHT
            dates = dob_compare.dates_for_partial(typed)
            pieces = [piece for d in dates for piece in self._by_dob.rows(d.toordinal())]
            if pieces:
                plan.parts.append(_Part("dob", pieces))
        plan.total_weight += plan.dob_weight

    def _plan_postcode(self, plan: _Plan) -> None:
        typed = plan.parsed.postcode
        if typed is None:
            return
        postings: list[Sequence[int]] = []
        if typed.full is not None:
            plan.postcode_weight = POSTCODE_FULL_WEIGHT
            exact = self._by_postcode.rows(typed.full)
            postings.extend(exact)
            for piece in exact:
                plan.must.extend(piece)
        elif typed.sector is not None:
            plan.postcode_weight = POSTCODE_SECTOR_WEIGHT
        else:
            plan.postcode_weight = POSTCODE_DISTRICT_WEIGHT
        if typed.sector is not None:
            postings.extend(self._by_sector.rows(typed.sector))
        postings.extend(self._by_district.rows(typed.district))
        plan.total_weight += plan.postcode_weight
        if postings:
            plan.parts.append(_Part("postcode", postings))

    def _plan_tenancy(self, plan: _Plan) -> None:
        ref = plan.parsed.tenancy_ref
        if ref is None:
            return
        at = bisect.bisect_left(self._refs, ref)
        found: list[tuple[str, int]] = []
        for i in range(at, min(at + 1000, len(self._refs))):
            if not self._refs[i].startswith(ref):
                break
            found.append((self._refs[i], self._ref_rows[i]))
        found += [(r, row) for r, row in self._pending_refs if r.startswith(ref)]
        found = [(r, row) for r, row in found if self._alive[row]]
        exact_rows = [row for r, row in found if r == ref]
        # A complete reference selects its person only; a partial one, everyone it begins.
        rows = exact_rows or [row for _, row in found]
        exact = bool(exact_rows)
        plan.tenancy_exact = exact
        plan.tenancy_weight = TENANCY_WEIGHT if exact or not rows else TENANCY_PREFIX_WEIGHT
        plan.total_weight += plan.tenancy_weight
        plan.tenancy_rows = frozenset(rows)
        if rows:
            plan.must.extend(rows)
            plan.parts.append(_Part("tenancy", [array("I", rows)]))

    def _gather(self, plan: _Plan) -> list[int]:
        """A bounded candidate list: people agreeing with the most query parts first.

        Where the cap cuts a group, flagged people in that group are kept first.
        """
        cap = self._cap
        alive = self._alive
        chosen: dict[int, None] = {}
        for row in plan.must:
            if alive[row]:
                chosen[row] = None
        # Tiers intersect every combination of parts, so a pasted paragraph would be slow:
        # the most selective few parts choose candidates, the rest still count in scoring.
        parts = sorted(plan.parts, key=lambda p: sum(len(piece) for piece in p.ordered))
        parts = parts[:_MAX_TIERED_PARTS]
        k = len(parts)
        for agreeing in range(k, 1, -1):
            if len(chosen) >= cap:
                break
            tier = self._tier(parts, agreeing, 0.0)
            if len(chosen) + len(tier) > cap:
                # The cap will cut this tier: flagged strong agreements first, then exact
                # agreements, then strong ones (flagged first within each).
                self._take_flagged(self._tier(parts, agreeing, _CUT_ORDER[-1]), chosen, cap)
                for at_least in _CUT_ORDER:
                    self._take(self._tier(parts, agreeing, at_least), chosen, cap)
            self._take(tier, chosen, cap)
        if len(chosen) < cap and k:
            if k == 1:
                self._take_flagged(parts[0].rows(), chosen, cap)
            # People agreeing with one part only: best postings of each part in turn. With
            # several parts typed these are weak candidates, so only a few are kept.
            room = min(cap, len(chosen) + (_SINGLE_PART_ROOM if k == 1 else _ONE_PART_ROOM))
            iterators = [p.in_order() for p in parts]
            while iterators and len(chosen) < room:
                for it in list(iterators):
                    for row in it:
                        if alive[row] and row not in chosen:
                            chosen[row] = None
                            break
                    else:
                        iterators.remove(it)
                    if len(chosen) >= room:
                        break
        return list(chosen)

    @staticmethod
    def _tier(parts: list[_Part], agreeing: int, at_least: float) -> set[int]:
        """Rows agreeing (at least that well) with at least `agreeing` of the parts."""
        tier: set[int] = set()
        for group in combinations(parts, agreeing):
            sets = sorted((p.rows(at_least) for p in group), key=len)
            tier |= sets[0].intersection(*sets[1:])
        return tier

    def _take(self, tier: set[int], chosen: dict[int, None], cap: int) -> None:
        alive = self._alive
        if len(chosen) + len(tier) > cap:
            self._take_flagged(tier, chosen, cap)
        for row in tier:
            if len(chosen) >= cap:
                break
            if alive[row]:
                chosen[row] = None

    def _take_flagged(self, rows: set[int], chosen: dict[int, None], cap: int) -> None:
        if not rows:
            return
        for row in rows & self._flagged_rows:
            if len(chosen) >= cap:
                break
            chosen[row] = None

    # ----------------------------------------------------------------- scoring

    def _name_agreement(
        self, names: list[_NameTerm], row: int, picks: list[_Pick] | None = None
    ) -> tuple[float, int]:
        """(weighted name agreement, variant): the best of the row's name and its aliases.

        Variant 0 is the name, n the nth alias; on a tie the earlier one. The one scoring path
        for both the ranking and the reasons: with ``picks``, it is filled with what each typed
        word matched in that variant, which is what reception is shown.
        """
        words = self._vocab.words
        fore = self._forename_words[self._forenames[row]]
        sur = self._surname_words[self._surname[row]]
        best = _variant_total(names, fore, sur, words, picks)
        best_variant = 0
        alias_id = self._aliases[row]
        if alias_id:
            for variant, (fore, sur) in enumerate(self._alias_variants[alias_id], start=1):
                alias_picks: list[_Pick] | None = None if picks is None else []
                total = _variant_total(names, fore, sur, words, alias_picks)
                if total > best:
                    best, best_variant = total, variant
                    if picks is not None and alias_picks is not None:
                        picks[:] = alias_picks
        return best, best_variant

    def _score(self, plan: _Plan, row: int) -> float:
        total = 0.0
        if plan.names:
            total += self._name_agreement(plan.names, row)[0]
        if plan.dob_weight:
            total += plan.dob_weight * self._dob_level(plan, row)[0]
        if plan.postcode_weight:
            total += plan.postcode_weight * self._postcode_level(plan, row)[0]
        if plan.tenancy_weight and row in plan.tenancy_rows:
            total += plan.tenancy_weight
        return total / plan.total_weight if plan.total_weight else 0.0

    def _dob_level(self, plan: _Plan, row: int) -> tuple[float, str]:
        stored = self._dob[row]
        if not stored:
            return dob_compare.UNKNOWN
        if plan.dob_near is not None:
            return plan.dob_near.get(stored, dob_compare.DIFFERENT)
        typed = plan.parsed.date_of_birth
        assert typed is not None
        return dob_compare.compare_partial(typed, date.fromordinal(stored))

    def _postcode_level(self, plan: _Plan, row: int) -> tuple[float, str]:
        typed = plan.parsed.postcode
        assert typed is not None
        return postcode_compare.compare_postcode(typed, self._postcodes.values[self._postcode[row]])

    def _explain(
        self,
        plan: _Plan,
        shown: list[tuple[float, int]],
        extra: list[tuple[float, int]],
        ranked: list[tuple[float, int]],
    ) -> list[Match]:
        certain_rows = [row for _, row in ranked[:50] if self._is_certain(plan, row)]
        certain = certain_rows[0] if len(certain_rows) == 1 else None
        matches = [
            Match(
                record=self._record(row),
                score=round(min(1.0, score), 4),
                comparisons=self._comparisons(plan, row),
                certain=row == certain,
            )
            for score, row in shown
        ]
        matches += [
            Match(
                record=self._record(row),
                score=round(min(1.0, score), 4),
                comparisons=self._comparisons(plan, row),
                certain=row == certain,
                shown_because_flagged=True,
            )
            for score, row in extra
        ]
        return matches

    def _is_certain(self, plan: _Plan, row: int) -> bool:
        if plan.tenancy_exact and row in plan.tenancy_rows:
            if not plan.names:
                return True
            return self._names_agree(plan, row)
        typed = plan.parsed.date_of_birth
        if typed is None or typed.exact is None or self._dob[row] != typed.exact.toordinal():
            return False
        if sum(1 for t in plan.names if not t.initial) < 2:
            return False
        return self._names_agree(plan, row)

    def _names_agree(self, plan: _Plan, row: int) -> bool:
        picks: list[_Pick] = []
        self._name_agreement(plan.names, row, picks)
        roles = set()
        for term, (wid, role) in zip(plan.names, picks, strict=True):
            if term.initial:
                continue
            sims = term.similarity if role == _FORENAME else term.surname_similarity
            if wid < 0 or sims.get(wid, 0.0) < CERTAIN_NAME_SIMILARITY:
                return False
            roles.add(role)
        return roles == {_FORENAME, _SURNAME}

    def _comparisons(self, plan: _Plan, row: int) -> tuple[FieldComparison, ...]:
        found: list[FieldComparison] = []
        if plan.names:
            picks: list[_Pick] = []
            _, variant = self._name_agreement(plan.names, row, picks)
            aliases = self._alias_sets.values[self._aliases[row]] or ()
            alias = aliases[variant - 1] if variant else ""
            for term, (wid, role) in zip(plan.names, picks, strict=True):
                field_name = "forename" if role == _FORENAME else "surname"
                if alias:
                    field_name = f"alias {field_name}"
                if wid < 0:
                    found.append(FieldComparison("name", "not found", 0.0, term.typed))
                    continue
                stored = self._vocab.words[wid]
                if term.initial:
                    found.append(
                        FieldComparison(
                            field_name,
                            NameLevel.INITIAL.label,
                            NameLevel.INITIAL.similarity,
                            f"{term.typed}. {stored}",
                        )
                    )
                    continue
                match = term.matches[wid]
                detail = match.note or (
                    "" if match.level is NameLevel.EXACT else f"{term.typed}~{stored}"
                )
                found.append(
                    FieldComparison(field_name, match.level.label, match.similarity, detail)
                )
            if alias:
                found.append(FieldComparison("alias", "matched an alias", 1.0, alias))
            if _swapped(len(picks), picks[0][1], picks[-1][1]):
                found.append(FieldComparison("name", "forename/surname swapped", SWAPPED_FACTOR))
        if plan.dob_weight:
            similarity, label = self._dob_level(plan, row)
            found.append(FieldComparison("date_of_birth", label, similarity))
        if plan.postcode_weight:
            similarity, label = self._postcode_level(plan, row)
            found.append(FieldComparison("postcode", label, similarity))
        if plan.tenancy_weight:
            if row in plan.tenancy_rows:
                level = "exact" if plan.tenancy_exact else "starts with"
                found.append(FieldComparison("tenancy_ref", level, 1.0))
            else:
                found.append(FieldComparison("tenancy_ref", "different", 0.0))
        return tuple(found)


def _variant_total(
    names: list[_NameTerm],
    fore: tuple[int, ...],
    sur: tuple[int, ...],
    words: list[str],
    picks: list[_Pick] | None = None,
) -> float:
    """Weighted agreement of the typed name words with one stored name.

    Each typed word takes the stored word it agrees with best that no earlier typed word took
    (an initial: the first forename, else surname, word it begins); a surname word never counts
    as a short form. ``picks`` (when given) receives each typed word's (word id, role), or -1s.
    """
    total = 0.0
    used: list[int] = []
    first_role = last_role = -1
    for position, term in enumerate(names):
        best_sim, best_wid, best_role = 0.0, -1, -1
        if term.initial:
            for role, wids in ((_FORENAME, fore), (_SURNAME, sur)):
                for wid in wids:
                    if wid not in used and words[wid][0] == term.typed:
                        best_sim, best_wid, best_role = NameLevel.INITIAL.similarity, wid, role
                        break
                if best_wid >= 0:
                    break
        else:
            sims = term.similarity
            for wid in fore:
                sim = sims.get(wid, 0.0)
                if sim > best_sim and wid not in used:
                    best_sim, best_wid, best_role = sim, wid, _FORENAME
            sims = term.surname_similarity
            for wid in sur:
                sim = sims.get(wid, 0.0)
                if sim > best_sim and wid not in used:
                    best_sim, best_wid, best_role = sim, wid, _SURNAME
        if best_wid >= 0:
            used.append(best_wid)
        total += term.weight * best_sim
        if picks is not None:
            picks.append((best_wid, best_role))
        if position == 0:
            first_role = best_role
        last_role = best_role
    if _swapped(len(names), first_role, last_role):
        total *= SWAPPED_FACTOR
    return total


def _swapped(typed_words: int, first_role: int, last_role: int) -> bool:
    """A surname typed first and a forename last: scored a little lower, and said so."""
    return typed_words >= 2 and first_role == _SURNAME and last_role == _FORENAME
