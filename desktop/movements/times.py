"""Times as the diary's screens show them: local clock time, and "overdue by" in words."""

from __future__ import annotations

from datetime import datetime


def hh_mm(when: datetime | None) -> str:
    """This PC's local time (the office's), e.g. 14:30; empty for no time."""
    return when.astimezone().strftime("%H:%M") if when is not None else ""


def overdue_text(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"
