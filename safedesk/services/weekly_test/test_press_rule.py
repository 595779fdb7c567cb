"""Which weekly test a press may complete: the one button a tester is at, and only its first press.

A test window makes a button's press a TEST instead of an alarm, so every open window is a room
where a real emergency could be filed away. The rule keeps that to one button per tester:

- a tester stands at one button at a time, so of their open, unpressed windows only the first
  started (lowest id: "Start all" opens them in checklist order) is *armed*; the others wait
  their turn, and a press on any of them is a real alarm;
- the first press on the armed button completes its test; it stops being armed at once, so a
  second press of that button (a real emergency, or the tester's double press) is a real alarm,
  shown as one, with the LED saying help is coming. A real alarm is the safe side.

Plain SQL expressions, evaluated on the database with the server-side row state, so two PCs
pressing at once agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, and_, exists, select
from sqlalchemy.orm import Session, aliased

from safedesk.models import AlarmTest, TestResult


def _waiting_for_a_press(test: type[AlarmTest], received: datetime) -> ColumnElement[bool]:
    """The test's window is open and nothing has completed it yet."""
    return and_(
        test.result == TestResult.PENDING,
        test.pressed_at.is_(None),
        test.window_ends_at >= received,
    )


def _is_armed(received: datetime) -> ColumnElement[bool]:
    """No earlier window of the same tester is still waiting: this is the button they are at."""
    earlier = aliased(AlarmTest)
    return ~exists().where(
        earlier.tester_id == AlarmTest.tester_id,
        earlier.id < AlarmTest.id,
        _waiting_for_a_press(earlier, received),
    )


def armed_test_for(
    device_pk: int | None, pressed_at: datetime, received: datetime
) -> ScalarSelect[int | None]:
    """The test this press completes (None: the press is a real alarm)."""
    return (
        select(AlarmTest.id)
        .where(
            AlarmTest.device_pk == (device_pk if device_pk is not None else -1),
            AlarmTest.started_at <= pressed_at,
            _waiting_for_a_press(AlarmTest, received),
            _is_armed(received),
        )
        .order_by(AlarmTest.id)
        .limit(1)
        .scalar_subquery()
    )


def armed_test_ids(session: Session, test_ids: Iterable[int], now: datetime) -> set[int]:
    """Of these tests, the ones a press would complete now (for the checklist's "press now")."""
    ids = list(test_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(AlarmTest.id).where(
                AlarmTest.id.in_(ids), _waiting_for_a_press(AlarmTest, now), _is_armed(now)
            )
        )
    )
