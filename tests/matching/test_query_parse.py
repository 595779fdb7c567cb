"""Reading the one-line search box: names, dates of birth, postcodes and references."""

from __future__ import annotations

from datetime import date

import pytest

from safedesk.matching import parse_query

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    "typed",
    ["06/03/1985", "6/3/85", "1985-03-06", "6 March 1985", "6th of Mar 1985", "06.03.1985",
     "March 6 1985", "06031985", "6-3-1985"],
)  # fmt: skip
def test_every_common_way_of_writing_a_date_of_birth_is_read(typed: str) -> None:
    parsed = parse_query(typed, TODAY)
    assert parsed.date_of_birth is not None
    assert parsed.date_of_birth.exact == date(1985, 3, 6)
    assert parsed.names == ()


def test_names_and_date_together_as_reception_types_them() -> None:
    parsed = parse_query("jon smyth 06/03/1985", TODAY)
    assert parsed.names == ("jon", "smyth")
    assert parsed.date_of_birth is not None and parsed.date_of_birth.exact == date(1985, 3, 6)


def test_two_digit_years_belong_to_the_last_hundred_years() -> None:
    older = parse_query("1/2/30", TODAY).date_of_birth
    younger = parse_query("1/2/05", TODAY).date_of_birth
    assert older is not None and older.exact == date(1930, 2, 1)
    assert younger is not None and younger.exact == date(2005, 2, 1)


def test_a_half_typed_year_is_not_read_as_this_century() -> None:
    parsed = parse_query("smith 06/03/19", TODAY)
    assert parsed.date_of_birth is not None
    assert parsed.date_of_birth.exact is None
    assert (parsed.date_of_birth.day, parsed.date_of_birth.month) == (6, 3)
    decade = parse_query("smith 06/03/198", TODAY).date_of_birth
    assert decade is not None and (decade.year_from, decade.year_to) == (1980, 1989)


@pytest.mark.parametrize(
    ("typed", "full", "sector", "district"),
    [
        ("smith DE1 2AB", "DE1 2AB", "DE1 2", "DE1"),
        ("smith de12ab", "DE1 2AB", "DE1 2", "DE1"),
        ("smith NG7 1", None, "NG7 1", "NG7"),
        ("smith NG7", None, None, "NG7"),
    ],
)
def test_postcodes_full_sector_or_district(
    typed: str, full: str | None, sector: str | None, district: str
) -> None:
    parsed = parse_query(typed, TODAY)
    assert parsed.names == ("smith",)
    assert parsed.postcode is not None
    assert (parsed.postcode.full, parsed.postcode.sector, parsed.postcode.district) == (
        full,
        sector,
        district,
    )


def test_a_tenancy_reference_is_recognised_in_any_case() -> None:
    assert parse_query("t0001234", TODAY).tenancy_ref == "T0001234"
    assert parse_query("T0001234 smith", TODAY).names == ("smith",)


def test_a_month_word_alone_is_a_name_not_a_date() -> None:
    parsed = parse_query("May Smith", TODAY)
    assert parsed.names == ("may", "smith")
    assert parsed.date_of_birth is None
    both = parse_query("sarah may 12 may 1960", TODAY)
    assert both.names == ("sarah", "may")
    assert both.date_of_birth is not None and both.date_of_birth.exact == date(1960, 5, 12)


def test_accents_case_and_punctuation_are_folded() -> None:
    assert parse_query("ZOË Ó'Briain", TODAY).names == ("zoe", "obriain")
    assert parse_query("Siân Smith-Jones", TODAY).names == ("sian", "smith", "jones")


def test_the_word_still_being_typed_is_marked() -> None:
    assert parse_query("jon smi", TODAY).typing_last
    assert not parse_query("jon smi ", TODAY).typing_last
