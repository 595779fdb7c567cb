"""Today's visits for the demo office, so a newcomer sees reception as it looks mid-morning.

Added only to a demo database with no visits yet today: a high-risk meeting an officer
registered in advance for a person with a marker, an ordinary appointment, and a walk-in
who has arrived.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from safedesk.models import Marker, MarkerStatus, Person, Staff
from safedesk.services.reception.booking import BookingRequest, WalkIn
from safedesk.services.reception.desk import ReceptionDesk
from safedesk.services.shared.actor import Actor


def seed_demo_visits(desk: ReceptionDesk, office_id: int) -> int:
    """Add the demo's visits for today if there are none; returns how many were added."""
    if desk.todays_visits(office_id):
        return 0
    now = desk.clock.now()
    with desk.db.session() as s:
        officer = s.scalar(select(Staff).where(Staff.login == "twhitfield"))
        receptionist = s.scalar(select(Staff).where(Staff.login == "psharma"))
        flagged = s.scalar(
            select(Marker.person_id)
            .where(Marker.status == MarkerStatus.ACTIVE, Marker.restricted.is_(False))
            .order_by(Marker.id)
            .limit(1)
        )
        ordinary = s.scalar(
            select(Person.id)
            .where(Person.id.not_in(select(Marker.person_id)))
            .order_by(Person.id)
            .limit(1)
        )
    if officer is None or receptionist is None or flagged is None or ordinary is None:
        return 0
    by_officer = Actor(officer.id, officer.login, "DEMO")
    desk.register_meeting(
        by_officer,
        office_id=office_id,
        host_officer_id=officer.id,
        expected_at=now + timedelta(hours=1),
        person_id=flagged,
        purpose="Tenancy enforcement: outcome of the ASB hearing",
        high_risk=True,
        risk_notes="Two officers present. Call Tom before letting him through. "
        "Use a room with a working panic alarm.",
    )
    desk.register_meeting(
        by_officer,
        office_id=office_id,
        host_officer_id=officer.id,
        expected_at=now + timedelta(hours=2),
        person_id=ordinary,
        purpose="Repairs: damp in the bedroom",
    )
    desk.book_in(
        Actor(receptionist.id, receptionist.login, "DEMO"),
        BookingRequest(
            office_id=office_id,
            walk_in=WalkIn("Karen Walsh"),
            host_officer_id=officer.id,
            purpose="Housing register enquiry",
        ),
    )
    return 3
