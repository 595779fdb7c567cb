"""The USB button's behaviour, run under the real MicroPython interpreter with a stand-in machine.

Every scenario also runs under CPython: the same code on both proves nothing CPython-only (or
MicroPython-only) slipped into the button logic or the codec.
"""

from __future__ import annotations

import textwrap
from typing import Any

from tests.firmware.conftest import RunScript

PRELUDE = """
from rig import Rig, report, kinds
import protocol
"""


def scenario(run_script: RunScript, body: str) -> dict[str, Any]:
    return run_script(PRELUDE + textwrap.dedent(body))


def test_at_power_up_the_button_says_hello_and_shows_it_hears_no_host(
    run_script: RunScript,
) -> None:
    result = scenario(
        run_script,
        """
        rig = Rig()
        rig.run(0)
        first = rig.sent()
        rig.run(4100)
        later = rig.sent()
        report(first=kinds(first), version=first[0].arg, later=kinds(later), shown=rig.shown(),
               boot=first[0].boot_id, device=first[0].device_id)
        """,
    )
    assert result["first"] == ["HELLO"]
    assert result["version"] == "1.1.0"
    assert result["later"] == ["HELLO", "HELLO"]  # keeps saying hello every 2 s until answered
    assert result["shown"] == "offline"
    assert (result["device"], result["boot"]) == ("pico-test", 0x0BADF00D)


def test_once_the_host_answers_it_shows_idle_and_sends_a_heartbeat_every_two_seconds(
    run_script: RunScript,
) -> None:
    result = scenario(
        run_script,
        """
        rig = Rig()
        rig.run(0)
        rig.host_led("idle")
        rig.sent()
        beats = []
        for _ in range(5):
            rig.run(2000)
            rig.host_led("idle")
            beats += rig.sent()
        report(kinds=kinds(beats), shown=rig.shown(), args=[f.arg for f in beats])
        """,
    )
    assert result["kinds"] == ["HEARTBEAT"] * 5
    assert set(result["args"]) == {"idle"}
    assert result["shown"] == "idle"


def test_a_press_is_sent_at_once_and_resent_until_acknowledged_then_help_is_coming(
    run_script: RunScript,
) -> None:
    result = scenario(
        run_script,
        """
        rig = Rig()
        rig.run(0); rig.host_led("idle"); rig.sent()
        rig.hold(50)
        first = [f for f in rig.sent() if f.kind == "PRESS"]
        waiting = rig.shown()
        rig.run(3000)
        resends = [f for f in rig.sent() if f.kind == "PRESS"]
        rig.ack(first[0])
        acked = rig.shown()
        rig.run(3000)
        after = [f for f in rig.sent() if f.kind == "PRESS"]
        report(first=len(first), seq=first[0].seq, waiting=waiting, resends=len(resends),
               same=all(f.press_key() == first[0].press_key() for f in resends),
               ages=[int(f.arg) for f in resends], acked=acked, after=len(after),
               buzzer=rig.buzzer_writes())
        """,
    )
    assert result["first"] == 1 and result["seq"] == 1
    assert result["waiting"] == "waiting"
    assert result["resends"] == 3  # 250 ms doubling to 2 s: persistent, never flooding
    assert result["same"]  # a resend is the same press: same device, boot and sequence
    assert result["ages"] == [250, 750, 1750]  # the age grows; the backoff doubles
    assert result["acked"] == "delivered"
    assert result["after"] == 0
    assert result["buzzer"][:2] == [0, 1]  # a short chirp when help is confirmed


def test_contact_bounce_makes_one_press_and_a_glitch_shorter_than_debounce_makes_none(
    run_script: RunScript,
) -> None:
    result = scenario(
        run_script,
        """
        rig = Rig()
        rig.run(0); rig.host_led("idle"); rig.sent()
        rig.bounce([0, 1, 0, 1, 1])   # a 10 ms glitch: electrical noise
        rig.run(100)
        glitch = rig.ctrl.presses
        rig.bounce([0, 1, 0, 1, 0, 0, 1, 0])   # a real press with contact bounce
        rig.hold(60)
        rig.bounce([1, 0, 1, 0, 1])   # bouncy release
        rig.run(100)
        report(glitch=glitch, presses=rig.ctrl.presses,
               press_frames=len([f for f in rig.sent() if f.kind == "PRESS"]))
        """,
    )
    assert result["glitch"] == 0
    assert result["presses"] == 1
    assert result["press_frames"] >= 1


def test_with_a_hold_time_a_brush_against_the_button_is_not_an_alarm(
    run_script: RunScript,
) -> None:
    result = scenario(
        run_script,
        """
        rig = Rig(hold_ms=500)
        rig.run(0)
        rig.hold(200)
        rig.run(100)
        brushed = rig.ctrl.presses
        rig.hold(600)
        report(brushed=brushed, held=rig.ctrl.presses)
        """,
    )
    assert result == {"brushed": 0, "held": 1}


def test_unacknowledged_for_ten_seconds_the_button_shows_not_delivered_and_keeps_trying(
    run_script: RunScript,
) -> None:
    result = scenario(
        run_script,
        """
        rig = Rig()
        rig.run(0); rig.host_led("idle"); rig.sent()
        rig.hold(50)
        rig.run(9000)
        before = rig.shown()
        rig.run(1100)
        late = rig.shown()
        presses = [f for f in rig.sent() if f.kind == "PRESS"]
        buzzer = list(rig.buzzer_writes())
        rig.ack(presses[-1])
        report(before=before, late=late, still_sending=len(presses), beeping=1 in buzzer,
               acked=rig.shown())
        """,
    )
    assert result["before"] == "waiting"
    assert result["late"] == "not_delivered"
    assert result["still_sending"] >= 6
    assert result["beeping"]
    assert result["acked"] == "delivered"


def test_acknowledgements_for_another_button_or_an_earlier_boot_are_ignored(
    run_script: RunScript,
) -> None:
    result = scenario(
        run_script,
        """
        rig = Rig()
        rig.run(0); rig.host_led("idle"); rig.sent()
        rig.hold(50)
        press = [f for f in rig.sent() if f.kind == "PRESS"][0]
        rig.host(protocol.Frame("ACK", "pico-other", press.boot_id, press.seq, ""))
        other_device = rig.shown()
        rig.host(protocol.Frame("ACK", "pico-test", press.boot_id ^ 1, press.seq, ""))
        old_boot = rig.shown()
        rig.host(protocol.Frame("ACK", "pico-test", press.boot_id, press.seq + 1, ""))
        other_seq = rig.shown()
        rig.ack(press)
        report(other_device=other_device, old_boot=old_boot, other_seq=other_seq, ok=rig.shown())
        """,
    )
    assert result == {
        "other_device": "waiting",
        "old_boot": "waiting",
        "other_seq": "waiting",
        "ok": "delivered",
    }


def test_the_led_follows_the_host_responding_test_and_back_to_idle(
    run_script: RunScript,
) -> None:
    result = scenario(
        run_script,
        """
        rig = Rig()
        rig.run(0); rig.host_led("idle")
        seen = []
        for state in ("responding", "test", "idle", "not_delivered", "delivered"):
            rig.host_led(state)
            rig.run(100)
            seen.append(rig.shown())
        report(seen=seen)
        """,
    )
    assert result["seen"] == ["responding", "test", "idle", "not_delivered", "delivered"]


def test_the_led_pin_really_blinks_the_pattern_of_each_state(run_script: RunScript) -> None:
    result = scenario(
        run_script,
        """
        rig = Rig()
        rig.run(0); rig.host_led("idle")
        rig.run(10)
        start = len(rig.led_writes())
        rig.run(3990)
        idle_writes = rig.led_writes()[start:]
        rig.host_led("delivered")
        rig.run(10)
        start = len(rig.led_writes())
        rig.run(3000)
        steady = rig.led_writes()[start:]
        report(idle=idle_writes, steady=steady, level=rig.led.value())
        """,
    )
    assert result["idle"] == [0, 1, 0, 1]  # the 60 ms wink ends, winks again at 2 s and 4 s
    assert result["steady"] == []  # delivered is steady: no changes
    assert result["level"] == 1


def test_when_the_host_goes_quiet_the_button_says_so_but_keeps_showing_help_is_coming(
    run_script: RunScript,
) -> None:
    result = scenario(
        run_script,
        """
        rig = Rig()
        rig.run(0); rig.host_led("idle")
        rig.run(7000)
        quiet = rig.shown()
        hello_again = "HELLO" in kinds(rig.sent())
        rig.host_led("idle")
        rig.hold(50)
        rig.ack([f for f in rig.sent() if f.kind == "PRESS"][0])
        rig.run(10000)
        report(quiet=quiet, hello_again=hello_again, after_alarm=rig.shown())
        """,
    )
    assert result == {"quiet": "offline", "hello_again": True, "after_alarm": "delivered"}


def test_garbage_from_the_host_is_counted_and_changes_nothing(run_script: RunScript) -> None:
    result = scenario(
        run_script,
        """
        rig = Rig()
        rig.run(0); rig.host_led("idle")
        rig.ctrl.on_bytes(b"\\x00\\xff$1,LED,pico-test,00000000,1,disco*0000\\r\\n" + b"$" * 300)
        rig.ctrl.on_bytes(bytes(range(256)))
        rig.run(100)
        report(shown=rig.shown(), errors=rig.ctrl.decoder.errors_total)
        """,
    )
    assert result["shown"] == "idle"
    assert result["errors"] >= 3


def test_presses_across_the_tick_counter_wrapping_round_are_timed_correctly(
    run_script: RunScript,
) -> None:
    result = scenario(
        run_script,
        """
        from fake_ticks import TICKS_PERIOD
        rig = Rig(start_ticks=TICKS_PERIOD - 300)
        rig.run(0); rig.host_led("idle"); rig.sent()
        rig.hold(50)
        rig.run(1500)
        presses = [f for f in rig.sent() if f.kind == "PRESS"]
        report(wrapped=rig.clock.now < 10000, ages=[int(f.arg) for f in presses],
               shown=rig.shown())
        """,
    )
    assert result["wrapped"]
    assert all(0 <= age <= 2000 for age in result["ages"])
    assert len(result["ages"]) >= 3
    assert result["shown"] == "waiting"


def test_many_unacknowledged_presses_keep_the_first_and_stay_bounded(
    run_script: RunScript,
) -> None:
    result = scenario(
        run_script,
        """
        rig = Rig()
        rig.run(0); rig.host_led("idle")
        for _ in range(12):
            rig.hold(50)
            rig.run(50)
        report(pending=[p.seq for p in rig.ctrl.pending], presses=rig.ctrl.presses)
        """,
    )
    assert result["presses"] == 12
    assert len(result["pending"]) == 8
    assert result["pending"][0] == 1 and result["pending"][-1] == 12


def test_a_press_after_a_weekly_test_press_shows_help_is_coming_even_if_the_led_answer_is_lost(
    run_script: RunScript,
) -> None:
    result = scenario(
        run_script,
        """
        rig = Rig()
        rig.run(0); rig.host_led("idle"); rig.sent()
        rig.hold(50)
        test_press = [f for f in rig.sent() if f.kind == "PRESS"][0]
        rig.ack(test_press); rig.host_led("test")
        after_test = rig.shown()
        rig.run(500)
        rig.hold(50)  # pressed again in the window: a real alarm
        real = [f for f in rig.sent() if f.kind == "PRESS"][0]
        rig.ack(real)  # committed; the LED frame that follows it is lost on the wire
        report(after_test=after_test, real_seq=real.seq, shown=rig.shown())
        """,
    )
    assert result["after_test"] == "test"
    assert result["real_seq"] == 2
    assert result["shown"] == "delivered"
