"""A press whose weekly test was closed ("no signal") while the press was in flight is a real alarm."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.sql import Select

from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.demo.seed import seed_demo
from safedesk.models import AlarmEvent, AlarmTest, FailReason, PanicDevice, Staff, TestResult
from safedesk.services.alarms.alarm_service import AlarmService
from safedesk.services.hub import Services


def test_press_on_a_test_closed_meanwhile_raises_a_real_alarm(
    db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_demo(db, 0, clock.now())
    with db.session() as s:
        device = s.scalars(select(PanicDevice).order_by(PanicDevice.id)).first()
        tester = s.scalars(select(Staff).order_by(Staff.id)).first()
        assert device is not None and tester is not None
        closed = AlarmTest(
            week_start=clock.now().date(),
            device_pk=device.id,
            office_id=device.room.office_id if device.room else 1,
            tester_id=tester.id,
            started_at=clock.now() - timedelta(seconds=60),
            window_ends_at=clock.now() + timedelta(seconds=60),
            result=TestResult.FAIL,
            fail_reason=FailReason.NO_SIGNAL,
            completed_at=clock.now(),
        )
        s.add(closed)
        s.flush()
        test_id, device_id = closed.id, device.device_id

    # The press read the window before expiry committed: it still "sees" the test as open.
    def stale_window(_device: Any, _pressed: datetime, _received: datetime) -> Any:
        query: Select[Any] = select(AlarmTest.id).where(AlarmTest.id == test_id)
        return query.scalar_subquery()

    monkeypatch.setattr(AlarmService, "_open_test_window", staticmethod(stale_window))
    services = Services.build(Config(), db, clock, "TEST-PC")
    try:
        receipt = services.alarms.press(
            ButtonPress(device_id, 1, clock.now(), DeviceKind.SERIAL, boot_id=7)
        )
    finally:
        services.close()
    assert receipt.created and not receipt.is_test
    with db.session() as s:
        alarm = s.get_one(AlarmEvent, receipt.alarm_id)
        assert alarm.is_test is False
        test = s.get_one(AlarmTest, test_id)
        assert test.result is TestResult.FAIL and test.pressed_at is None
