"""The day's list at reception: visits expected today (high-risk meetings included), arrived
today, or still in the building, by the office's own clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from safedesk.models import Office, Visit
from safedesk.services.reception.visit_view import VisitError, VisitView, staff_names, view_of
from safedesk.services.weekly_test.test_week import office_zone


def day_bounds(office: Office, now: datetime) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the office's local day containing `now`."""
    zone = office_zone(office.time_zone)
    local = now.astimezone(zone).date()
    start = datetime.combine(local, time(0), zone)
    end = datetime.combine(local + timedelta(days=1), time(0), zone)
    return start, end


def todays_visits(session: Session, office_id: int, now: datetime) -> list[VisitView]:
    """Expected today (high-risk meetings included), arrived today, or still in the building."""
    office = session.get(Office, office_id)
    if office is None:
        raise VisitError(f"no office with id {office_id}")
    start, end = day_bounds(office, now)
    visits = session.scalars(
        select(Visit).where(
            Visit.office_id == office_id,
            or_(
                and_(Visit.expected_at >= start, Visit.expected_at < end),
                and_(Visit.arrived_at >= start, Visit.arrived_at < end),
                and_(Visit.arrived_at.is_not(None), Visit.left_at.is_(None)),
                and_(Visit.expected_at.is_(None), Visit.created_at >= start),
            ),
        )
    ).all()
    names = staff_names(session)
    views = [view_of(session, v, names) for v in visits]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(views, key=lambda v: (v.expected_at or v.arrived_at or far, v.id))
