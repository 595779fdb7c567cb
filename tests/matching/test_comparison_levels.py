"""Comparison levels for single fields, as Splink defines them for person records."""

from __future__ import annotations

from datetime import date

import pytest

from safedesk.matching import dob_compare
from safedesk.matching.name_vocabulary import NameVocabulary
from safedesk.matching.nicknames_index import NicknameIndex
from safedesk.matching.postcode_compare import compare_postcode
from safedesk.matching.query_parse import PostcodeQuery
from safedesk.matching.token_match import NameLevel

TYPED_DOB = date(1985, 3, 6)


@pytest.mark.parametrize(
    ("stored", "label"),
    [
        (date(1985, 3, 6), "DOB exact"),
        (date(1985, 6, 3), "DOB day/month swapped"),
        (date(1985, 3, 16), "DOB one digit out"),
        (date(1958, 3, 6), "DOB digits transposed"),
        (date(1985, 3, 29), "DOB within a month"),
    ],
)
def test_date_of_birth_levels(stored: date, label: str) -> None:
    assert dob_compare.near_dates(TYPED_DOB)[stored.toordinal()][1] == label


def test_a_date_of_birth_far_from_the_typed_one_is_not_near() -> None:
    assert date(1972, 10, 19).toordinal() not in dob_compare.near_dates(TYPED_DOB)


@pytest.mark.parametrize(
    ("stored", "label"),
    [
        ("DE1 2AB", "postcode exact"),
        ("DE1 2AD", "postcode one character out"),
        ("DE1 2ZZ", "postcode sector"),
        ("DE1 9ZZ", "postcode district"),
        ("DE22 1AA", "postcode area"),
        ("NG7 1AA", "postcode different"),
        (None, "no postcode on record"),
    ],
)
def test_postcode_levels(stored: str | None, label: str) -> None:
    typed = PostcodeQuery(district="DE1", sector="DE1 2", full="DE1 2AB")
    assert compare_postcode(typed, stored)[1] == label


def test_a_typed_sector_is_matched_in_full_by_any_postcode_in_it() -> None:
    assert compare_postcode(PostcodeQuery("DE1", "DE1 2"), "DE1 2ZZ")[1] == "postcode exact"


@pytest.fixture(scope="module")
def vocabulary() -> NameVocabulary:
    vocab = NameVocabulary(NicknameIndex())
    for word in ("smith", "william", "margaret", "catherine", "stephenson", "johnson"):
        vocab.intern(word)
    return vocab


@pytest.mark.parametrize(
    ("typed", "stored", "level"),
    [
        ("smith", "smith", NameLevel.EXACT),
        ("smitj", "smith", NameLevel.TYPO),
        ("smtih", "smith", NameLevel.TRANSPOSITION),
        ("smyth", "smith", NameLevel.PHONETIC),
        ("bill", "william", NameLevel.NICKNAME),
        ("peggy", "margaret", NameLevel.NICKNAME),
        ("kathryn", "catherine", NameLevel.PHONETIC),
        ("steph", "stephenson", NameLevel.PREFIX),
    ],
)
def test_name_word_levels(
    vocabulary: NameVocabulary, typed: str, stored: str, level: NameLevel
) -> None:
    matches = vocabulary.similar(typed, typing=True)
    found = {m.stored: m.level for m in matches.values()}
    assert found.get(stored) is level


def test_unrelated_names_do_not_match(vocabulary: NameVocabulary) -> None:
    matches = vocabulary.similar("oyelaran", typing=False)
    assert not {m.stored for m in matches.values()} & {"smith", "william", "margaret"}
