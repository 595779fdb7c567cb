"""Letters: the tenant's notification of a marker and the incident follow-up (seed 004 appendix 2),
from the editable templates, rendered to PDF and checked as pictures and as text."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from safedesk.clock import FakeClock
from safedesk.models import AuditEntry
from safedesk.services.markers.letter_pdf import render_pdf
from safedesk.services.markers.letter_templates import fill, load_template
from safedesk.services.markers.letters import FollowUpDetails, follow_up_letter, notification_letter
from safedesk.services.markers.placing import create_marker
from safedesk.services.shared.refusals import InvalidInput, PermissionRefused
from tests.markers.office_world import World, add_resolved_alarm

# Where the rendered pages are kept for a person to look at (CI artefact; default: tmp_path).
LOOK_DIR = os.environ.get("SAFEDESK_LETTER_PNG_DIR")


def _render(pdf: bytes, tmp_path: Path, name: str) -> tuple[list[Path], str]:
    """PDF -> PNG pages (pdftoppm) and text (pdftotext), as a person and a screen reader see it."""
    assert shutil.which("pdftoppm"), "poppler-utils is needed (system-packages.txt)"
    out_dir = Path(LOOK_DIR) if LOOK_DIR else tmp_path
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf_path = out_dir / f"{name}.pdf"
    pdf_path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path), str(out_dir / name)], check=True)
    pages = sorted(out_dir.glob(f"{name}*.png"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return pages, " ".join(text.split())


def _marker(world: World, clock: FakeClock, **changes: object) -> int:
    with world.db.session() as s:
        return create_marker(
            s, world.actor("asb"), world.assessment(**changes), now=clock.now(), config=world.config
        ).id


def test_the_tenant_notification_letter_renders_with_the_arrangements_review_and_appeal(
    world: World, clock: FakeClock, tmp_path: Path
) -> None:
    marker_id = _marker(world, clock)
    with world.db.session() as s:
        letter = notification_letter(
            s,
            world.actor("asb"),
            marker_id,
            explanation="On 2 November 2026 a bottle was thrown towards the counter screen at "
            "the Derby Central office, and a member of staff was frightened.",
            now=clock.now(),
        )
    pages, text = _render(render_pdf(letter), tmp_path, "marker_notification")
    assert len(pages) >= 1 and all(p.stat().st_size > 5000 for p in pages)
    for expected in (
        "Derby Central Housing Office",
        "Jonathan Smith",
        "14 Abbey Street",
        "DE1 2AB",
        f"M-{marker_id:06d}",
        "23 November 2026",
        "Visit in pairs",
        "No lone interviews",
        "a bottle was thrown",
        "23 May 2027",  # the review date
        "right to appeal",
        "21 December 2026",  # the appeal deadline, 28 days on
        "more senior than the manager",
        "Steve Barker",
    ):
        assert expected in text, expected
    assert "Threatened an officer" not in text  # the restricted reason is not in the letter
    assert "{{" not in text and "[[" not in text
    with world.db.session() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "marker.letter_produced")
        ).one()
        assert entry.actor == "asb" and entry.subject_id == marker_id
        assert "right to appeal" in entry.detail["text"]  # a copy is kept with the record


def test_no_letter_goes_to_a_tenant_recorded_as_not_to_be_told(
    world: World, clock: FakeClock
) -> None:
    marker_id = _marker(world, clock, tenant_informed=False, not_informed_reason="Risk of violence")
    with pytest.raises(PermissionRefused, match="not to be told"), world.db.session() as s:
        notification_letter(s, world.actor("asb"), marker_id, explanation="x", now=clock.now())


def test_the_letter_needs_an_explanation_and_a_manager(world: World, clock: FakeClock) -> None:
    marker_id = _marker(world, clock)
    with pytest.raises(InvalidInput, match="explanation"), world.db.session() as s:
        notification_letter(s, world.actor("asb"), marker_id, explanation=" ", now=clock.now())
    with pytest.raises(PermissionRefused, match="for managers"), world.db.session() as s:
        notification_letter(
            s, world.actor("reception"), marker_id, explanation="x", now=clock.now()
        )


@pytest.mark.parametrize("understood", [True, False])
def test_the_incident_follow_up_letter_uses_appendix_2_wording(
    world: World, clock: FakeClock, tmp_path: Path, understood: bool
) -> None:
    alarm_id = add_resolved_alarm(world, clock.now())
    details = FollowUpDetails(
        staff_member="Tom Whitfield",
        behaviour="shouting, swearing and throwing a chair",
        discussion_date=date(2026, 11, 25),
        understood=understood,
        contact_kind="meeting",
        impact="frightened",
        follow_up_kind="telephoned you",
        complaints_link="derby.gov.uk/complaints",
        next_steps="Your repair request has been passed to the repairs team, who will call you this week.",
    )
    with world.db.session() as s:
        letter = follow_up_letter(s, world.actor("manager"), alarm_id, details, now=clock.now())
    pages, text = _render(render_pdf(letter), tmp_path, f"incident_follow_up_{understood}")
    assert pages
    for expected in (
        "Dear Jonathan Smith",
        "I am writing to you following the meeting that you had with a member of my team, Tom Whitfield, on 23 November 2026",
        "was frightened by some of the language",
        "shouting, swearing and throwing a chair",
        "I telephoned you on 25 November 2026",
        "derby.gov.uk/complaints",
        "right to work in a safe environment",
        "repairs team",
        "Helen Marsh",
        f"INC-{alarm_id:06d}",
    ):
        assert expected in text, expected
    assert ("I am confident that you now understand" in text) is understood
    assert ("may well constitute a hate crime" in text) is not understood


def test_the_follow_up_letter_comes_after_speaking_to_the_person(
    world: World, clock: FakeClock
) -> None:
    alarm_id = add_resolved_alarm(world, clock.now())
    details = FollowUpDetails(staff_member="", behaviour="", discussion_date=None, understood=True)
    with pytest.raises(InvalidInput) as refused, world.db.session() as s:
        follow_up_letter(s, world.actor("manager"), alarm_id, details, now=clock.now())
    assert refused.value.fields == ["discussion_date", "staff_member", "behaviour"]


def test_templates_are_editable_and_a_missing_value_is_named(tmp_path: Path) -> None:
    edited = "Dear {{tenant_name}},\n[[if extra]]\nNote: {{extra}}\n[[end]]\nBye {{signatory}}\n"
    with pytest.raises(InvalidInput) as refused:
        fill(edited, {"tenant_name": "Jo"})
    assert refused.value.fields == ["signatory"]
    assert fill(edited, {"tenant_name": "Jo", "signatory": "Kim"}) == "Dear Jo,\nBye Kim\n"
    assert "Note: hi" in fill(edited, {"tenant_name": "Jo", "signatory": "Kim", "extra": "hi"})
    # The shipped templates parse (every block closed).
    for name in ("marker_notification.md", "incident_follow_up.md"):
        with pytest.raises(InvalidInput):  # values missing, but no TemplateError
            fill(load_template(name), {})


def test_an_office_can_use_its_own_edited_templates(
    world: World, clock: FakeClock, tmp_path: Path
) -> None:
    import dataclasses

    from safedesk.services.markers.desk import MarkerDesk
    from safedesk.services.markers.letter_templates import templates_dir

    own = tmp_path / "our_letters"
    own.mkdir()
    for name in ("marker_notification.md", "incident_follow_up.md"):
        text = (templates_dir() / name).read_text(encoding="utf-8")
        own.joinpath(name).write_text(
            text.replace("Yours sincerely,", "With kind regards from the Derby Homes team,"),
            encoding="utf-8",
        )
    config = dataclasses.replace(world.config, letter_templates_dir=str(own))
    marker_id = _marker(world, clock)
    pdf = MarkerDesk(world.db, clock, config).notification_pdf(
        world.actor("asb"), marker_id, "A bottle was thrown at the counter."
    )
    _, text = _render(pdf, tmp_path, "own_template")
    assert "With kind regards from the Derby Homes team," in text
    assert "Yours sincerely" not in text


def test_while_an_appeal_waits_the_letter_says_so_instead_of_offering_another(
    world: World, clock: FakeClock
) -> None:
    from safedesk.services.markers.appeals import lodge_appeal

    marker_id = _marker(world, clock)
    clock.advance(days=3)
    with world.db.session() as s:
        lodge_appeal(
            s,
            world.actor("reception"),
            marker_id,
            grounds="It was an accident",
            lodged_at=clock.now(),
            now=clock.now(),
        )
    clock.advance(days=1)
    with world.db.session() as s:
        letter = notification_letter(
            s, world.actor("asb"), marker_id, explanation="A bottle was thrown.", now=clock.now()
        )
    text = " ".join(letter.body.split())
    assert "We received your appeal on 26 November 2026" in text
    assert "right to appeal" not in text.lower()
    assert "the changes we made on 23 November 2026" in text  # four days ago: past tense
