"""Before leaving: a misspelt name, a mistyped flat number or a housemate never hides a marker."""

from __future__ import annotations

import time

from tests.movements.world import DiaryWorld


def test_a_misspelt_name_at_the_address_still_finds_the_marker(world: DiaryWorld) -> None:
    check = world.desk.check(address="14 Abey St", postcode="DE1 2AB", person_name="Jon Smyth")
    flagged = {p.person_id: p for p in check.flagged}
    assert world.people["jonathan"] in flagged
    assert "Visit in pairs" in flagged[world.people["jonathan"]].instructions
    assert check.pairs_required


def test_a_misspelt_name_with_no_address_match_is_found_by_the_matcher(world: DiaryWorld) -> None:
    # The house number is wrong by two digits, so only the name ties the visit to Jonathan.
    check = world.desk.check(
        address="99 Abbey Street", postcode="DE1 2AB", person_name="Jonathon Smith"
    )
    found = {p.person_id: p for p in check.flagged}
    assert world.people["jonathan"] in found
    assert "name matches" in found[world.people["jonathan"]].why


def test_visiting_one_person_shows_the_marker_of_someone_else_at_the_address(
    world: DiaryWorld,
) -> None:
    check = world.desk.check(
        address="14 Abbey Street, Derby", postcode="DE1 2AB", person_name="Margaret Smith"
    )
    flagged = {p.person_id for p in check.flagged}
    assert flagged == {world.people["jonathan"]}
    everyone = {p.person_id for p in check.people}
    assert world.people["margaret"] in everyone
    # Jonathan Smith of Leeds is a different person: same name, far away, not shown.
    assert world.people["elsewhere"] not in everyone


def test_a_mistyped_flat_number_still_shows_the_building_s_markers(world: DiaryWorld) -> None:
    # Kevin is in flat 4; the officer typed flat 5 (the person they see lives in flat 3).
    check = world.desk.check(
        address="Flat 5, 22 Oak Rd", postcode="DE22 1QX", person_name="Lisa Hart"
    )
    kevin = next(p for p in check.flagged if p.person_id == world.people["kevin"])
    assert "same building" in kevin.why and "flat 4" in kevin.why


def test_restricted_reason_stays_restricted_and_the_contact_instruction_shows(
    world: DiaryWorld,
) -> None:
    check = world.desk.check(address="Flat 4, 22 Oak Road", postcode="DE22 1QX", person_name="")
    kevin = next(p for p in check.flagged if p.person_id == world.people["kevin"])
    assert kevin.restricted
    assert kevin.instructions[0] == "Contact the ASB Manager before visiting or meeting"
    assert not any("Scheduled offence" in line for line in kevin.instructions)


def test_a_record_picked_from_the_list_is_always_checked(world: DiaryWorld) -> None:
    check = world.desk.check(
        address="somewhere else entirely", person_id=world.people["elsewhere"], person_name=""
    )
    assert [p.person_id for p in check.flagged] == [world.people["elsewhere"]]
    assert check.flagged[0].instructions == ("Telephone contact only",)


def test_an_address_with_no_markers_says_so(world: DiaryWorld) -> None:
    started = time.perf_counter()
    check = world.desk.check(address="9 Elm Close", postcode="DE3 4RT", person_name="Brian Quiet")
    assert check.flagged == ()
    assert [p.person_id for p in check.people] == [world.people["quiet"]]
    assert time.perf_counter() - started < 5
