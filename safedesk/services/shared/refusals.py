"""How a service says no: which fields are missing or wrong, or why this person may not do this.

Both carry text written for the person at the screen; nothing is saved when either is raised.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    field: str  # the form field, as the service names it ("evidence[0].source")
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidInput(ValueError):
    """Required fields missing or values out of range; every problem is listed, not just the first."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    @property
    def fields(self) -> list[str]:
        return [p.field for p in self.problems]


class PermissionRefused(Exception):
    """This member of staff may not do this; the message says why (the role or seniority needed)."""


class NotFound(LookupError):
    """The record asked for does not exist (or no longer exists: purged)."""


def require(problems: list[FieldProblem]) -> None:
    if problems:
        raise InvalidInput(problems)
