"""The words for which screens showed an alarm: one entry per screen, its full alert if any."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from safedesk.models import DeliveryKind
from safedesk.services.alarms.alarm_deliveries import Delivery, one_per_pc, shown_on_text

AT = datetime(2026, 11, 23, 10, 2, 3, tzinfo=UTC)


def _shown(pc: str, kind: DeliveryKind, after_s: int, played: bool = False) -> Delivery:
    why = None if played else "this PC has no audio output (speakers or headset)"
    return Delivery(pc, pc, "Tom Whitfield", kind, AT + timedelta(seconds=after_s), played, why)


def test_each_screen_is_listed_once_by_what_it_showed_last_in_the_order_it_first_showed_it() -> (
    None
):
    shown = (
        _shown("DESK-2", DeliveryKind.NOTICE, 0),
        _shown("RESPONDER-1", DeliveryKind.FULL_ALERT, 1, played=True),
        _shown("DESK-2", DeliveryKind.FULL_ALERT, 30),  # escalated: the notice became the alert
    )
    assert [d.pc for d in one_per_pc(shown)] == ["DESK-2", "RESPONDER-1"]
    assert shown_on_text(shown) == "Shown on: DESK-2 (no sound), RESPONDER-1 (sound)"
    assert shown_on_text(shown[:1]) == "Shown on: DESK-2 (notice)"
    assert shown_on_text(()) == ""  # nothing recorded yet: nothing claimed


def test_a_big_office_list_is_cut_and_says_how_many_more() -> None:
    shown = tuple(_shown(f"PC-{n:02d}", DeliveryKind.NOTICE, n) for n in range(12))
    text = shown_on_text(shown, limit=8)
    assert text.endswith("PC-07 (notice) and 4 more screens")


def test_the_record_says_who_when_how_and_why_there_was_no_sound() -> None:
    delivery = _shown("RESPONDER-1", DeliveryKind.FULL_ALERT, 0)
    assert delivery.detail("10:02:03") == (
        "RESPONDER-1, Tom Whitfield, 10:02:03, full alert, "
        "no sound (this PC has no audio output (speakers or headset))"
    )
