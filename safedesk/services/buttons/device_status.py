"""Is a panic device online? One rule, used by supervision, reception's room list and the checklist."""

from __future__ import annotations

from datetime import datetime, timedelta

from safedesk.models import PanicDevice


def offline_after(device: PanicDevice, default_s: int) -> timedelta:
    return timedelta(seconds=device.offline_after_s or default_s)


def is_online(device: PanicDevice, now: datetime, default_offline_after_s: int) -> bool:
    """Heard from within its limit. A device never heard from is offline: unknown is not safe."""
    if not device.enabled or device.last_seen_at is None:
        return False
    return now - device.last_seen_at <= offline_after(device, default_offline_after_s)
