"""Weekly panic alarm tests (seed 000: alarms tested at the beginning of each week)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from safedesk.models.base import Base, enum_column


class TestResult(enum.StrEnum):
    __test__ = False  # not a pytest test class

    PENDING = "pending"  # window open, waiting for the press
    PASS = "pass"
    FAIL = "fail"


class FailReason(enum.StrEnum):
    NO_SIGNAL = "no_signal"
    NOT_HEARD = "not_heard"
    LED_UNCHANGED = "led_unchanged"
    DEVICE_OFFLINE = "device_offline"
    OTHER = "other"


class AlarmTest(Base):
    __tablename__ = "alarm_tests"
    __table_args__ = (
        Index("ix_alarm_tests_week_device", "week_start", "device_pk"),
        # At most one open (pending) test per button: two testers racing to start the same
        # button cannot both succeed, on either database (migration 0006).
        Index(
            "uq_alarm_tests_one_pending_per_device",
            "device_pk",
            unique=True,
            sqlite_where=text("result = 'pending'"),
            postgresql_where=text("result = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date]  # the local date the test week began, in the office's time zone
    device_pk: Mapped[int] = mapped_column(ForeignKey("panic_devices.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    tester_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    started_at: Mapped[datetime]
    window_ends_at: Mapped[datetime]
    pressed_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    latency_ms: Mapped[float | None]
    heard_on_responder: Mapped[bool | None]
    not_heard_screen: Mapped[str | None] = mapped_column(String(120))
    result: Mapped[TestResult] = mapped_column(
        enum_column(TestResult, "test_result"), default=TestResult.PENDING
    )
    fail_reason: Mapped[FailReason | None] = mapped_column(enum_column(FailReason, "fail_reason"))
    notes: Mapped[str | None] = mapped_column(Text)
    alarm_id: Mapped[int | None] = mapped_column(ForeignKey("alarm_events.id"))
    completed_at: Mapped[datetime | None]
