"""Overdue events per month, beside the incident figures, for the leadership report (seed 004)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.models import Office
from safedesk.models.movements import OverdueAlert
from safedesk.services.alarms.incidents import IncidentStatus
from safedesk.services.movements.follow_up import status_of
from safedesk.services.shared.office_time import local_midnight_utc


@dataclass(frozen=True)
class OverdueMonth:
    month: str  # YYYY-MM, the office's local month
    office: str
    overdue: int
    by_reason: dict[str, int]  # due, amber, end_of_day
    police_called: int
    escalated: int  # nobody took it in time
    awaiting_follow_up: int
    incidents: int = 0  # panic alarm incidents that month (filled beside, from ``incidents``)


def monthly_figures(
    session: Session, year: int, *, office_id: int | None = None, time_zone: str = "Europe/London"
) -> list[OverdueMonth]:
    """OVERDUE events per local month and office (months with none are left out)."""
    start = local_midnight_utc(date(year, 1, 1), time_zone)
    end = local_midnight_utc(date(year, 12, 31) + timedelta(days=1), time_zone)
    query = (
        select(OverdueAlert, Office.name)
        .join(Office, Office.id == OverdueAlert.office_id)
        .where(OverdueAlert.raised_at >= start, OverdueAlert.raised_at < end)
    )
    if office_id is not None:
        query = query.where(OverdueAlert.office_id == office_id)
    zone = ZoneInfo(time_zone)
    table: dict[tuple[str, str], list[OverdueAlert]] = {}
    for alert, office in session.execute(query):
        month = alert.raised_at.astimezone(zone).strftime("%Y-%m")
        table.setdefault((month, office), []).append(alert)
    figures = []
    for (month, office), alerts in sorted(table.items()):
        reasons: dict[str, int] = {}
        for a in alerts:
            reasons[a.reason.value] = reasons.get(a.reason.value, 0) + 1
        figures.append(
            OverdueMonth(
                month=month,
                office=office,
                overdue=len(alerts),
                by_reason=reasons,
                police_called=sum(a.police_called_at is not None for a in alerts),
                escalated=sum(a.escalated_managers_at is not None for a in alerts),
                awaiting_follow_up=sum(status_of(a) is not IncidentStatus.CLOSED for a in alerts),
            )
        )
    return figures
