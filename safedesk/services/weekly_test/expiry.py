"""Closing test windows that saw no press: fail, reason ``no_signal``.

``expire_windows(now)`` is called from a timer; a start on a button whose window closed unpressed
closes it too, so a late timer never blocks the next tester.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safedesk.models import AlarmTest, FailReason, TestResult
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor

log = logging.getLogger(__name__)

# A window is closed as "no signal" this long after it ends, so a press received in the last
# second (its transaction still committing) is never beaten to the row by the timer.
EXPIRY_GRACE_S = 5


def close_no_signal(session: Session, test: AlarmTest, now: datetime, actor: Actor) -> bool:
    """Fail an unpressed test with no_signal, unless a press got there first. True if closed."""
    result = session.execute(
        update(AlarmTest)
        .where(
            AlarmTest.id == test.id,
            AlarmTest.result == TestResult.PENDING,
            AlarmTest.pressed_at.is_(None),
        )
        .values(result=TestResult.FAIL, fail_reason=FailReason.NO_SIGNAL, completed_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    audit.record(
        session,
        actor,
        "weekly_test.no_signal",
        at=now,
        subject_type="alarm_test",
        subject_id=test.id,
        device_pk=test.device_pk,
    )
    log.warning("weekly test %s: no signal from device %s", test.id, test.device_pk)
    session.expire(test)
    return True


def expire_windows(session: Session, now: datetime, actor: Actor | None = None) -> list[int]:
    """Close test windows that ended with no press: fail, reason ``no_signal``. Returns test ids.

    The update re-checks "still pending, still no press" row by row, so a press committed
    meanwhile (PostgreSQL waits for its row lock) keeps its test.
    """
    actor = actor or Actor.system()
    cutoff = now - timedelta(seconds=EXPIRY_GRACE_S)
    candidates = session.scalars(
        select(AlarmTest).where(
            AlarmTest.result == TestResult.PENDING,
            AlarmTest.pressed_at.is_(None),
            AlarmTest.window_ends_at < cutoff,
        )
    ).all()
    expired = [test.id for test in candidates if close_no_signal(session, test, now, actor)]
    session.expire_all()
    return expired
