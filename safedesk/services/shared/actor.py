"""Who is acting: the signed-in member of staff on a named PC, carried onto every audit entry."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    staff_id: int | None
    login: str
    workstation: str | None = None

    @classmethod
    def system(cls, workstation: str | None = None) -> Actor:
        """SafeDesk itself (escalation timers, device supervision, imports run from the CLI)."""
        return cls(staff_id=None, login="system", workstation=workstation)
