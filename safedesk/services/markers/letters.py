"""The two letters of the marker work: telling a tenant about a marker (seed 002), and the
follow-up after an incident (seed 004, appendix 2). Composed from the records and an editable
template; producing one is audited (seed 004: keep a copy of the communication)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.models import (
    AlarmEvent,
    AppealOutcome,
    Marker,
    MarkerStatus,
    Office,
    Person,
    Staff,
    Visit,
)
from safedesk.services.markers.appeals import lodging_refusal
from safedesk.services.markers.letter_pdf import Letter, long_date
from safedesk.services.markers.letter_templates import fill, load_template
from safedesk.services.markers.review_dates import UK
from safedesk.services.markers.roles import ROLE_TITLES, SENIORITY, is_manager
from safedesk.services.shared import audit
from safedesk.services.shared.acting_staff import acting_staff
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import FieldProblem, NotFound, PermissionRefused, require

NOTIFICATION_TEMPLATE = "marker_notification.md"
FOLLOW_UP_TEMPLATE = "incident_follow_up.md"
APPEAL_DAYS = 28


@dataclass(frozen=True)
class FollowUpDetails:
    """What the manager tailors in appendix 2's wording."""

    staff_member: str  # the colleague the incident happened to
    behaviour: str  # how the colleague described it
    discussion_date: date | None  # when the manager spoke to the person (required first)
    understood: bool  # the person understood the impact (else the "remain concerned" paragraph)
    contact_kind: str = "meeting"
    impact: str = "upset"
    follow_up_kind: str = "met with you"
    language_or_behaviour: str = "language"
    complaints_link: str = ""
    family_wording: str = "you and your family to thrive at home and in the community"
    next_steps: str = ""
    incident_date: date | None = None  # default: the alarm's date


def _signatory(session: Session, actor: Actor, doing: str) -> tuple[Staff, Office]:
    staff = acting_staff(session, actor, doing)
    if not is_manager(staff.role_set):
        raise PermissionRefused(f"{doing} is for managers")
    office = session.get(Office, staff.home_office_id) if staff.home_office_id else None
    office = office or session.scalars(select(Office).order_by(Office.id)).first()
    if office is None:
        raise NotFound("no office is set up: the letter needs a letterhead")
    return staff, office


def _title(staff: Staff) -> str:
    if staff.job_title:
        return staff.job_title
    top = max(staff.role_set, key=lambda r: SENIORITY[r])
    return ROLE_TITLES[top]


def _address(person: Person | None) -> tuple[str, ...]:
    if person is None:
        return ()
    lines = [p.strip() for p in (person.address or "").split(",") if p.strip()]
    if person.postcode and not any(person.postcode in line for line in lines):
        lines.append(person.postcode)
    return tuple(lines)


def _yes(flag: bool) -> str:
    """A template condition: filled in ("yes") when true, empty when not."""
    return "yes" if flag else ""


# How the tenant is told the outcome: "Your appeal was not upheld."
_OUTCOME_WORDS = {
    AppealOutcome.DISMISSED: "not upheld",
    AppealOutcome.UPHELD_AMENDED: "upheld in part",
    AppealOutcome.UPHELD_REMOVED: "upheld",
}


def _appeal_values(session: Session, marker: Marker) -> dict[str, str]:
    """Which appeal paragraph the letter carries: the right to appeal only while an appeal can
    still be lodged (a decided appeal is final, seed 002 section 7), else where it stands."""
    latest = max(marker.appeals, key=lambda a: (a.lodged_at, a.id), default=None)
    available = lodging_refusal(marker) is None
    is_open = latest is not None and latest.outcome is None
    values = {
        "appeal_available": _yes(available),
        "appeal_open": _yes(is_open),
        "appeal_decided": _yes(latest is not None and not is_open and not available),
        "appeal_not_upheld": "",
        "appeal_upheld_in_part": "",
        "appeal_lodged_date": "",
        "appeal_decided_date": "",
        "appeal_decided_by": "",
        "appeal_outcome": "",
    }
    if latest is None or available:
        return values
    values["appeal_lodged_date"] = long_date(latest.lodged_at.astimezone(UK).date())
    if latest.outcome is not None and latest.decided_at is not None:
        decider = session.get(Staff, latest.decided_by_id) if latest.decided_by_id else None
        values["appeal_decided_date"] = long_date(latest.decided_at.astimezone(UK).date())
        values["appeal_decided_by"] = (
            f"{decider.name}, {_title(decider)}" if decider else "a senior manager"
        )
        values["appeal_outcome"] = _OUTCOME_WORDS[latest.outcome]
        values["appeal_not_upheld"] = _yes(latest.outcome is AppealOutcome.DISMISSED)
        values["appeal_upheld_in_part"] = _yes(latest.outcome is AppealOutcome.UPHELD_AMENDED)
    return values


def notification_letter(
    session: Session,
    actor: Actor,
    marker_id: int,
    *,
    explanation: str,
    now: datetime,
    extra: str = "",
    template_dir: Path | None = None,
) -> Letter:
    """The tenant's letter: what changes, why, the review date and the right of appeal."""
    staff, office = _signatory(session, actor, "Writing to a tenant about a marker")
    marker = session.get(Marker, marker_id)
    if marker is None:
        raise NotFound(f"no marker with id {marker_id}")
    if marker.status is not MarkerStatus.ACTIVE:
        raise PermissionRefused("this marker has been removed")
    if not marker.tenant_informed:
        raise PermissionRefused(
            "the risk assessment records that the tenant is not to be told about this marker; "
            "change that at a review before writing to them"
        )
    require(
        []
        if explanation.strip()
        else [FieldProblem("explanation", "explain to the tenant why we are doing this")]
    )
    person = session.get(Person, marker.person_id)
    assert person is not None
    today = now.astimezone(UK).date()
    arrangements = [*marker.instructions]
    if marker.instructions_note:
        arrangements.append(marker.instructions_note)
    placed_on = marker.placed_at.astimezone(UK).date()
    values = {
        "tenant_name": person.full_name,
        "tenant_salutation": person.full_name,
        "marker_ref": f"M-{marker.id:06d}",
        "placed_date": long_date(placed_on),
        "placed_earlier": _yes(placed_on < today),
        "arrangements": "\n".join(f"- {a}" for a in arrangements),
        "explanation": explanation.strip(),
        "review_date": long_date(marker.review_due),
        "review_overdue": _yes(marker.review_due < today),
        "appeal_deadline": long_date(today + timedelta(days=APPEAL_DAYS)),
        "signatory_name": staff.name,
        "signatory_title": _title(staff),
        "office_name": office.name,
        "office_phone": office.phone or "our main number",
        "extra": extra.strip(),
        **_appeal_values(session, marker),
    }
    body = fill(
        load_template(NOTIFICATION_TEMPLATE, template_dir), values, source=NOTIFICATION_TEMPLATE
    )
    audit.record(
        session,
        actor,
        "marker.letter_produced",
        at=now,
        subject_type="marker",
        subject_id=marker.id,
        letter="tenant_notification",
        text=body,  # seed 004: keep a copy of the communication
    )
    return Letter(
        office_name=office.name,
        office_address=office.address or "",
        office_phone=office.phone,
        sent_on=today,
        reference=values["marker_ref"],
        recipient_name=person.full_name,
        recipient_address=_address(person),
        body=body,
        signatory_name=staff.name,
        signatory_title=_title(staff),
    )


def follow_up_letter(
    session: Session,
    actor: Actor,
    alarm_id: int,
    details: FollowUpDetails,
    *,
    now: datetime,
    template_dir: Path | None = None,
) -> Letter:
    """Seed 004 appendix 2: the letter summarising the manager's discussion after an incident."""
    staff, office = _signatory(session, actor, "Writing a follow-up letter")
    alarm = session.get(AlarmEvent, alarm_id)
    if alarm is None:
        raise NotFound(f"no alarm with id {alarm_id}")
    visit = session.get(Visit, alarm.visit_id) if alarm.visit_id else None
    person = session.get(Person, visit.person_id) if visit and visit.person_id else None
    recipient = person.full_name if person else (visit.walk_in_name if visit else None)
    incident_date = details.incident_date or alarm.raised_at.astimezone(UK).date()
    problems: list[FieldProblem] = []
    if not recipient:
        problems.append(FieldProblem("recipient", "nobody is recorded as in the room"))
    if details.discussion_date is None:
        problems.append(
            FieldProblem("discussion_date", "speak to the person before writing to them")
        )
    elif details.discussion_date < incident_date:
        problems.append(FieldProblem("discussion_date", "the discussion came before the incident"))
    for name in ("staff_member", "behaviour"):
        if not str(getattr(details, name)).strip():
            problems.append(FieldProblem(name, "required for the letter"))
    require(problems)
    assert recipient is not None and details.discussion_date is not None
    values = {
        "recipient_salutation": recipient,
        "staff_member": details.staff_member,
        "incident_date": long_date(incident_date),
        "contact_kind": details.contact_kind,
        "impact": details.impact,
        "behaviour": details.behaviour,
        "follow_up_kind": details.follow_up_kind,
        "discussion_date": long_date(details.discussion_date),
        "language_or_behaviour": details.language_or_behaviour,
        "complaints_link": details.complaints_link,
        "family_wording": details.family_wording,
        "understood": "yes" if details.understood else "",
        "next_steps": details.next_steps,
    }
    body = fill(load_template(FOLLOW_UP_TEMPLATE, template_dir), values, source=FOLLOW_UP_TEMPLATE)
    audit.record(
        session,
        actor,
        "incident.letter_produced",
        at=now,
        subject_type="alarm",
        subject_id=alarm.id,
        letter="incident_follow_up",
        text=body,
        understood=details.understood,
    )
    return Letter(
        office_name=office.name,
        office_address=office.address or "",
        office_phone=office.phone,
        sent_on=now.astimezone(UK).date(),
        reference=f"INC-{alarm.id:06d}",
        recipient_name=recipient,
        recipient_address=_address(person),
        body=body,
        signatory_name=staff.name,
        signatory_title=_title(staff),
    )
