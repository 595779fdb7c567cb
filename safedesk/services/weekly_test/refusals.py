"""Why a weekly test action is refused, and the check every action starts with: a signed-in,
active member of staff. The messages are written for the person at the screen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from safedesk.models import Staff
from safedesk.services.shared.actor import Actor
from safedesk.services.weekly_test.test_week import office_zone


class WeeklyTestRefused(Exception):
    """The test action cannot be done; the message is written for the person at the screen."""


class TestHeld(WeeklyTestRefused):
    """Someone else already holds this button's test."""

    __test__ = False  # not a pytest test class

    def __init__(
        self, room_name: str, holder_name: str, started_at: datetime, zone_name: str = "UTC"
    ) -> None:
        self.room_name = room_name
        self.holder_name = holder_name
        self.started_at = started_at
        local = started_at.astimezone(office_zone(zone_name))
        super().__init__(
            f"The button in {room_name} is already being tested by {holder_name} "
            f"(started {local:%H:%M:%S}). Wait for their result."
        )


def acting_staff(session: Session, actor: Actor, doing: str) -> Staff:
    if actor.staff_id is None:
        raise WeeklyTestRefused(f"{doing} needs a signed-in member of staff")
    staff = session.get(Staff, actor.staff_id)
    if staff is None or not staff.active:
        raise WeeklyTestRefused(f"{doing}: the account {actor.login!r} is not active")
    return staff
