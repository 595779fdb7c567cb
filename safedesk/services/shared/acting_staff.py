"""The member of staff behind an Actor, loaded fresh so a role removed a minute ago counts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from safedesk.models import Staff
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import PermissionRefused


def acting_staff(session: Session, actor: Actor, doing: str) -> Staff:
    """The signed-in person; refuses SafeDesk itself and disabled accounts, naming the act."""
    if actor.staff_id is None:
        raise PermissionRefused(f"{doing} needs a signed-in member of staff")
    staff = session.get(Staff, actor.staff_id)
    if staff is None or not staff.active:
        raise PermissionRefused(f"{doing}: the account {actor.login!r} is not active")
    return staff
