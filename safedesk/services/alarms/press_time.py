"""Is the time a press claims believable? The alarm is raised now whatever it claims.

A press carries the time its device or PC gave it; the database's time of receipt (server
clock) is what every decision uses. The claimed time is kept as reported, for the record (and
to recognise a resend), but it is *doubtful* when it:

- lies in the future by more than ``FUTURE_TOLERANCE`` (the clock that stamped it was fast and
  the server's time was not known yet, or a device fault); or
- is older than ``OLDEST_BELIEVED``: a button may claim up to 24 hours (its age field), and
  an outbox may hold presses for as long as the database is away, but nothing on the path can
  vouch for an hour-old time: it may have been held that long, or a clock was wrong.

A doubtful press is still a real alarm, raised at the time it arrived, with the claimed time in
its press record and an ``alarm.press_time_doubtful`` audit entry saying why. It never completes
a weekly test (a real alarm is never filed as a test on a time nobody can vouch for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from safedesk.clock_skew import SKEW_WARNING_S, duration_words

FUTURE_TOLERANCE = timedelta(seconds=SKEW_WARNING_S)
OLDEST_BELIEVED = timedelta(hours=1)


@dataclass(frozen=True)
class PressTime:
    claimed: datetime  # as the device or PC reported it
    received: datetime  # the server's time when the database took it
    doubt: str | None  # why the claimed time cannot be believed (None: it can)

    @property
    def claimed_age_s(self) -> float:
        return (self.received - self.claimed).total_seconds()


def judge_press_time(claimed: datetime, received: datetime) -> PressTime:
    """How far to believe a press's claimed time, against the server's time of receipt."""
    age = received - claimed
    doubt = None
    if -age > FUTURE_TOLERANCE:
        doubt = (
            f"the press claims a time {duration_words(age.total_seconds())} "
            "after it reached the database: the clock that stamped it was fast"
        )
    elif age > OLDEST_BELIEVED:
        doubt = (
            f"the press claims to be {duration_words(age.total_seconds())} "
            "old when it reached the database: held that long, or a clock was wrong"
        )
    return PressTime(claimed=claimed, received=received, doubt=doubt)
