"""Recording a weekly test's result: the tester's findings, and the verdict that follows.

Pass needs a press, heard on a responder screen (or the screen that did not sound named), and
the button's LED changed; anything else is a fail with its reason.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from safedesk.db.write_lock import take_sqlite_write_lock
from safedesk.models import AlarmTest, FailReason, TestResult
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.weekly_test.refusals import WeeklyTestRefused, acting_staff
from safedesk.services.weekly_test.screens import office_screens


def record_result(
    session: Session,
    test_id: int,
    actor: Actor,
    now: datetime,
    *,
    heard_on_responder: bool | None,
    not_heard_screen: str | None = None,
    led_changed: bool = True,
    fail_reason: FailReason | None = None,
    notes: str | None = None,
) -> AlarmTest:
    """Record the tester's findings; the verdict follows from them.

    - no press received -> fail, no_signal (whatever else was ticked)
    - not heard on a responder screen -> fail, not_heard (the silent screen must be named)
    - LED did not change -> fail, led_unchanged
    - ``fail_reason`` given (e.g. OTHER with notes) -> fail with that reason
    - otherwise pass.
    """
    # SQLite: take the write lock before reading, so two results cannot both see "pending"
    # (PostgreSQL: the row lock below).
    take_sqlite_write_lock(session)
    tester = acting_staff(session, actor, "Recording a weekly alarm test result")
    test = session.get(AlarmTest, test_id, with_for_update=True, populate_existing=True)
    if test is None:
        raise WeeklyTestRefused(f"No weekly test with id {test_id}")
    if test.result is not TestResult.PENDING:
        raise WeeklyTestRefused(
            f"This test already has a result ({test.result.value}"
            + (f", {test.fail_reason.value.replace('_', ' ')}" if test.fail_reason else "")
            + "). Start a new test to test the button again."
        )
    notes = (notes or "").strip() or None
    screen = (not_heard_screen or "").strip() or None
    pressed = test.pressed_at is not None
    if pressed and heard_on_responder is None and fail_reason is None:
        raise WeeklyTestRefused(
            "Tick 'heard on a responder screen', or name the screen that did not sound"
        )
    if pressed and heard_on_responder is False and screen is None:
        raise WeeklyTestRefused("Name the responder screen that did not sound")
    if pressed and heard_on_responder is True and fail_reason is None:
        screens = office_screens(session, test.office_id, now, this_pc=actor.workstation)
        if screens.none_can_sound:
            raise WeeklyTestRefused(screens.refusal())
    if fail_reason is FailReason.OTHER and notes is None:
        raise WeeklyTestRefused("Say what went wrong in the notes")
    if fail_reason is FailReason.DEVICE_OFFLINE:
        raise WeeklyTestRefused("'Device offline' is recorded by SafeDesk when a test starts")
    if not pressed and test.window_ends_at > now and fail_reason is None:
        raise WeeklyTestRefused(
            "No press received from this button yet: press it while the window is open, "
            "or record a fail"
        )

    reason: FailReason | None
    if not pressed:
        reason = FailReason.NO_SIGNAL
    elif fail_reason is not None:
        reason = fail_reason
    elif heard_on_responder is False:
        reason = FailReason.NOT_HEARD
    elif not led_changed:
        reason = FailReason.LED_UNCHANGED
    else:
        reason = None
    test.result = TestResult.PASS if reason is None else TestResult.FAIL
    test.fail_reason = reason
    test.heard_on_responder = heard_on_responder if pressed else None
    test.not_heard_screen = screen if heard_on_responder is False else None
    test.notes = "\n".join(n for n in (test.notes, notes) if n) or None
    test.completed_at = now
    if test.tester_id != tester.id:
        test.notes = "\n".join(n for n in (test.notes, f"Result recorded by {tester.name}.") if n)
    audit.record(
        session,
        actor,
        "weekly_test.result",
        at=now,
        subject_type="alarm_test",
        subject_id=test.id,
        result=test.result.value,
        fail_reason=reason.value if reason else None,
        latency_ms=test.latency_ms,
    )
    session.flush()
    return test
