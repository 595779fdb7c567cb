"""Build bench/search_queries.csv: variant queries for people in the demo data.

Each row is a line a receptionist might type for one real demo person (misspelt, a
nickname, names swapped, one half of a double-barrelled surname, accents left off, a date
of birth or postcode with part of a name...) and that person's tenancy reference.

Every query is checked to be answerable: the true information behind it (for example the
person's forename, surname and date of birth) must fit at most MAX_TWINS people among the
whole population, otherwise no matcher could put the right one in the top five. The
population is the same 1,000,000 demo people the benchmark indexes; because the demo
sequence is stable, a smaller --people run uses the queries whose person it contains.

Run: python bench/make_search_queries.py [--people 1000000] [--out bench/search_queries.csv]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from doublemetaphone import doublemetaphone
from nicknames import NickNamer
from unidecode import unidecode

from safedesk.demo.people import DemoPerson, generate_people

SEED = 20261124
PER_KIND = 24
MAX_TWINS = 1  # the true facts behind a query fit only the true person
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def fold(text: str) -> str:
    return unidecode(text).lower().replace("-", " ").replace("'", "")


def first_forename(p: DemoPerson) -> str:
    return p.forenames.split()[0]


def name_starts(p: DemoPerson) -> set[str]:
    """The first three letters of every word of every name the person is known by."""
    words = fold(" ".join((p.forenames, p.surname, *p.aliases))).split()
    return {w[:3] for w in words} | {fold(p.surname).replace(" ", "")[:3]}


def dob_text(d: date, rng: random.Random) -> str:
    """The date of birth in one of the ways people write it."""
    style = rng.randrange(6)
    if style == 0:
        return d.strftime("%d/%m/%Y")
    if style == 1:
        return f"{d.day}/{d.month}/{d.year % 100:02d}"
    if style == 2:
        return d.isoformat()
    if style == 3:
        return f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"
    if style == 4:
        return d.strftime("%d.%m.%Y")
    return f"{d.day} {MONTH_NAMES[d.month - 1][:3]} {d.year}"


def typo(word: str, rng: random.Random) -> str:
    """One slip of the keyboard: a wrong, missing or doubled letter (not the first)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    lower = word.lower()
    pos = rng.randrange(1, len(lower))
    kind = rng.randrange(3)
    if kind == 0:
        wrong = rng.choice([c for c in letters if c != lower[pos]])
        return lower[:pos] + wrong + lower[pos + 1 :]
    if kind == 1 and len(lower) > 4:
        return lower[:pos] + lower[pos + 1 :]
    return lower[:pos] + lower[pos] + lower[pos:]


def transpose(word: str, rng: random.Random) -> str | None:
    lower = word.lower()
    spots = [i for i in range(1, len(lower) - 1) if lower[i] != lower[i + 1]]
    if not spots:
        return None
    i = rng.choice(spots)
    return lower[:i] + lower[i + 1] + lower[i] + lower[i + 2 :]


_SOUND_RULES = (
    ("ph", "f"), ("ck", "k"), ("ie", "y"), ("i", "y"), ("y", "i"), ("th", "t"), ("ll", "l"),
    ("mm", "m"), ("nn", "n"), ("ss", "s"), ("tt", "t"), ("rr", "r"), ("ee", "ea"), ("c", "k"),
    ("k", "c"), ("ou", "ow"), ("ai", "ay"), ("er", "a"), ("s", "z"), ("v", "w"),
)  # fmt: skip


def sound_alike(word: str, rng: random.Random) -> str | None:
    """A respelling that Double Metaphone still hears as the same name."""
    lower = fold(word).replace(" ", "")
    code = doublemetaphone(lower)[0]
    rules = list(_SOUND_RULES)
    rng.shuffle(rules)
    for old, new in rules:
        at = lower.find(old, 1)
        if at < 0:
            continue
        respelt = lower[:at] + new + lower[at + len(old) :]
        if respelt != lower and doublemetaphone(respelt)[0] == code:
            return respelt
    return None


def strip_accents(text: str) -> str | None:
    plain = unidecode(text)
    return plain if plain != text else None


class Builder:
    """Picks people for each kind of variant and checks each query is answerable."""

    def __init__(self, people: list[DemoPerson], rng: random.Random) -> None:
        self.people = people
        self.rng = rng
        self.nicknames = NickNamer()
        self.by_name_dob = Counter(
            (fold(first_forename(p)), fold(p.surname), p.date_of_birth) for p in people
        )
        self.by_name_pc = Counter(
            (fold(first_forename(p)), fold(p.surname), p.postcode) for p in people
        )
        self.by_name = Counter((fold(first_forename(p)), fold(p.surname)) for p in people)
        # Any name word (forenames, surname, aliases) starting with three letters, with
        # the DOB: "07.09.1945 wil" could be a Wilson or a William born that day.
        self.by_dob_start3 = Counter(
            (p.date_of_birth, start) for p in people for start in name_starts(p)
        )
        self.by_pc_fore = Counter((p.postcode, fold(first_forename(p))) for p in people)
        self.by_postcode = Counter(p.postcode for p in people)
        self.rows: list[tuple[str, str, str]] = []
        self.used: set[str] = set()

    def unique_with_dob(self, p: DemoPerson) -> bool:
        key = (fold(first_forename(p)), fold(p.surname), p.date_of_birth)
        return p.date_of_birth is not None and self.by_name_dob[key] <= MAX_TWINS

    def unique_with_postcode(self, p: DemoPerson) -> bool:
        key = (fold(first_forename(p)), fold(p.surname), p.postcode)
        return self.by_name_pc[key] <= MAX_TWINS

    def context(self, p: DemoPerson) -> str | None:
        """A date of birth (mostly) or a postcode that, with the name, identifies p."""
        if self.unique_with_dob(p) and (
            self.rng.random() < 0.75 or not self.unique_with_postcode(p)
        ):
            assert p.date_of_birth is not None
            return dob_text(p.date_of_birth, self.rng)
        if self.unique_with_postcode(p):
            return p.postcode if self.rng.random() < 0.7 else p.postcode.replace(" ", "").lower()
        return None

    def add(
        self,
        kind: str,
        pick: Callable[[DemoPerson], str | None],
        eligible: Callable[[DemoPerson], bool],
        wanted: int = PER_KIND,
    ) -> None:
        made = 0
        order = list(range(len(self.people)))
        self.rng.shuffle(order)
        for i in order:
            p = self.people[i]
            if p.tenancy_ref in self.used or not eligible(p):
                continue
            query = pick(p)
            if not query:
                continue
            self.rows.append((query, p.tenancy_ref, kind))
            self.used.add(p.tenancy_ref)
            made += 1
            if made == wanted:
                return
        print(f"note: only {made} people fit the {kind!r} variant", file=sys.stderr)

    def with_context(self, p: DemoPerson, name: str | None) -> str | None:
        if name is None:
            return None
        extra = self.context(p)
        if extra is None:
            return None
        return f"{name} {extra}" if self.rng.random() < 0.8 else f"{extra} {name}"


def build(people: list[DemoPerson]) -> list[tuple[str, str, str]]:
    rng = random.Random(SEED)
    b = Builder(people, rng)
    nn = b.nicknames
    simple = lambda p: " " not in p.surname and "-" not in p.surname  # noqa: E731
    ascii_name = lambda p: unidecode(p.forenames + p.surname) == p.forenames + p.surname  # noqa: E731

    def misspelt(p: DemoPerson) -> str | None:
        if rng.random() < 0.5:
            return b.with_context(p, f"{first_forename(p)} {typo(p.surname, rng)}")
        return b.with_context(p, f"{typo(first_forename(p), rng)} {p.surname}")

    def transposed(p: DemoPerson) -> str | None:
        swapped = transpose(p.surname, rng)
        return b.with_context(p, f"{first_forename(p)} {swapped}" if swapped else None)

    def phonetic(p: DemoPerson) -> str | None:
        respelt = sound_alike(p.surname, rng)
        return b.with_context(p, f"{first_forename(p)} {respelt}" if respelt else None)

    def nickname(p: DemoPerson) -> str | None:
        options = sorted(nn.nicknames_of(fold(first_forename(p))))
        if not options:
            return None
        return b.with_context(p, f"{rng.choice(options)} {p.surname}")

    def swapped(p: DemoPerson) -> str | None:
        return b.with_context(p, f"{p.surname} {first_forename(p)}")

    def hyphenated(p: DemoPerson) -> str | None:
        parts = p.surname.replace("-", " ").split()
        style = rng.randrange(3)
        if style == 0:
            typed = rng.choice(parts)
        elif style == 1:
            typed = "".join(parts)
        else:
            typed = " ".join(parts)
        return b.with_context(p, f"{first_forename(p)} {typed}")

    def accents(p: DemoPerson) -> str | None:
        plain = strip_accents(f"{first_forename(p)} {p.surname}")
        return b.with_context(p, plain.lower() if plain and rng.random() < 0.5 else plain)

    def alias(p: DemoPerson) -> str | None:
        return b.with_context(p, rng.choice(p.aliases))

    def combined(p: DemoPerson) -> str | None:
        """The classic: a misspelt forename and a sound-alike surname, with the DOB."""
        respelt = sound_alike(p.surname, rng)
        if respelt is None or not b.unique_with_dob(p) or p.date_of_birth is None:
            return None
        return f"{typo(first_forename(p), rng)} {respelt} {dob_text(p.date_of_birth, rng)}"

    def dob_partial_name(p: DemoPerson) -> str | None:
        surname = fold(p.surname).replace(" ", "")
        if p.date_of_birth is None or b.by_dob_start3[(p.date_of_birth, surname[:3])] > MAX_TWINS:
            return None
        return f"{dob_text(p.date_of_birth, rng)} {surname[:3]}"

    def dob_swapped(p: DemoPerson) -> str | None:
        d = p.date_of_birth
        if d is None or d.day > 12 or d.day == d.month or not b.unique_with_dob(p):
            return None
        return f"{first_forename(p)} {p.surname} {d.month:02d}/{d.day:02d}/{d.year}"

    def postcode_forename(p: DemoPerson) -> str | None:
        if b.by_pc_fore[(p.postcode, fold(first_forename(p)))] > MAX_TWINS:
            return None
        return f"{p.postcode} {first_forename(p).lower()}"

    def postcode_surname(p: DemoPerson) -> str | None:
        if not b.unique_with_postcode(p):
            return None
        return f"{p.surname} {p.postcode}"

    def unique_name(p: DemoPerson) -> str | None:
        if b.by_name[(fold(first_forename(p)), fold(p.surname))] > 1:
            return None
        return f"{first_forename(p)} {typo(p.surname, rng)}"

    def tenancy(p: DemoPerson) -> str | None:
        return p.tenancy_ref.lower() if rng.random() < 0.5 else p.tenancy_ref

    b.add("typo", misspelt, lambda p: simple(p) and len(p.surname) >= 4)
    b.add("transposition", transposed, lambda p: simple(p) and len(p.surname) >= 4)
    b.add("phonetic", phonetic, simple)
    b.add("nickname", nickname, lambda p: True)
    b.add("swapped_names", swapped, lambda p: True)
    b.add("hyphenated_surname", hyphenated, lambda p: "-" in p.surname or " " in p.surname)
    b.add("missing_accents", accents, lambda p: not ascii_name(p))
    b.add("alias", alias, lambda p: bool(p.aliases))
    b.add("misspelt_with_dob", combined, simple)
    b.add("dob_with_surname_start", dob_partial_name, lambda p: p.date_of_birth is not None)
    b.add("dob_day_month_swapped", dob_swapped, lambda p: True)
    b.add("postcode_alone", lambda p: p.postcode, lambda p: b.by_postcode[p.postcode] == 1, 8)
    b.add("postcode_with_forename", postcode_forename, lambda p: True)
    b.add("postcode_with_surname", postcode_surname, lambda p: True)
    b.add("unique_name_only", unique_name, lambda p: len(p.surname) >= 5 and simple(p))
    b.add("tenancy_ref", tenancy, lambda p: True)
    return b.rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("search_queries.csv"))
    args = parser.parse_args(argv)
    people = list(generate_people(args.people))
    rows = build(people)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["query", "tenancy_ref", "kind"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} queries to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
