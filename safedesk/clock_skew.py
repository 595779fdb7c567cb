"""How far this PC's or bridge's clock is from the database server's, in words people read.

Decisions never use a PC's own clock (``safedesk.db.server_time``), but a clock that is minutes
out still matters: it is a symptom (no NTP, a Raspberry Pi that booted without a real-time
clock), and presses made before the server's time was known carry its times. So a PC or bridge
more than ``SKEW_WARNING_S`` from the server says so, on screen and in its log, once per change
of state (``SkewState``), with a little hysteresis so a clock near the limit does not flap.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

SKEW_WARNING_S = 30.0
# Back "in step" only once well inside the limit, so a clock hovering at 30 s logs once.
_IN_STEP_AGAIN_S = 25.0


class SkewState(enum.StrEnum):
    UNKNOWN = "unknown"  # the server has not answered yet: this PC's own clock is used meanwhile
    IN_STEP = "in_step"  # within the limit
    FAST = "fast"
    SLOW = "slow"


@dataclass(frozen=True)
class Skew:
    """This PC's clock minus the server's, from one reading of the server's clock."""

    ahead_s: float  # positive: this PC is fast; negative: slow
    uncertainty_s: float  # half the round trip of the reading

    @property
    def off(self) -> bool:
        return abs(self.ahead_s) > SKEW_WARNING_S


def next_state(previous: SkewState, skew: Skew | None) -> SkewState:
    """The state after a new reading (None: still unknown)."""
    if skew is None:
        return previous if previous is not SkewState.UNKNOWN else SkewState.UNKNOWN
    limit = _IN_STEP_AGAIN_S if previous in (SkewState.FAST, SkewState.SLOW) else SKEW_WARNING_S
    if abs(skew.ahead_s) <= limit:
        return SkewState.IN_STEP
    return SkewState.FAST if skew.ahead_s > 0 else SkewState.SLOW


def duration_words(seconds: float) -> str:
    """ "45 s", "10 min", "2 h 5 min", "3 days"."""
    whole = round(abs(seconds))
    if whole < 90:
        return f"{whole} s"
    if whole < 3600:
        return f"{round(whole / 60)} min"
    if whole < 2 * 86400:
        hours, minutes = divmod(round(whole / 60), 60)
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{round(whole / 86400)} days"


def skew_words(ahead_s: float) -> str:
    """ "10 min fast", "2 h 5 min slow", "45 s fast", "3 days slow"."""
    return f"{duration_words(ahead_s)} {'fast' if ahead_s > 0 else 'slow'}"


def skew_message(skew: Skew, who: str = "This PC") -> str:
    """What the header and the log say: "This PC's clock is 10 min fast: alarms use the server's
    time"."""
    return f"{who}'s clock is {skew_words(skew.ahead_s)}: alarms use the server's time"
