"""Who gets the full OVERDUE alert on their screen, and who a smaller notice: the panic alarm's rule.

As for a panic alarm (``rota.alert_level``): the responders on duty get the full alert, and
everyone does when nobody is on the rota. Then, if nobody takes it: the managers (any manager
signed in at the office's PCs: the manager on duty is whoever of them is there), then everyone.
An officer still out when the office closes (or overdue outside office hours) is everyone's at
once: whoever is still signed in, and the managers.
"""

from __future__ import annotations

from collections.abc import Collection

from safedesk.models import Role
from safedesk.models.movements import OverdueReason
from safedesk.services.alarms.incidents import MANAGER_ROLES
from safedesk.services.alarms.rota import AlertLevel
from safedesk.services.movements.overdue_rules import OfficeHours
from safedesk.services.movements.overdue_view import OverdueView


def everyone_at_once(view: OverdueView, hours: OfficeHours) -> bool:
    """End of day, or raised while the office is closed: nobody else is there to notice."""
    return view.reason is OverdueReason.END_OF_DAY or not hours.is_open(view.raised_at)


def overdue_level(
    view: OverdueView,
    *,
    staff_id: int | None,
    roles: Collection[Role],
    on_duty_ids: Collection[int],
    hours: OfficeHours,
) -> AlertLevel:
    """The full alert or the notice, for the person signed in at this PC."""
    if view.escalated_all_at is not None or everyone_at_once(view, hours):
        return AlertLevel.FULL_SCREEN
    if not on_duty_ids:
        return AlertLevel.FULL_SCREEN
    if staff_id is not None and staff_id in on_duty_ids:
        return AlertLevel.FULL_SCREEN
    if view.escalated_managers_at is not None and set(roles) & MANAGER_ROLES:
        return AlertLevel.FULL_SCREEN
    return AlertLevel.NOTICE
