"""The person record the matcher indexes: only the fields that identify someone at reception."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One customer record as the matcher sees it.

    `flagged` is true while the person has an active marker; the reception layer keeps it
    current with `PersonIndex.set_flagged` so a warning never waits for an index rebuild.
    Aliases are whole alternative names ("Margaret Jones" as a maiden name, "Peggy Smith"
    as a known-as name), each written forenames first.
    """

    person_id: int
    forenames: str
    surname: str
    aliases: tuple[str, ...] = ()
    date_of_birth: date | None = None
    postcode: str | None = None
    tenancy_ref: str | None = None
    flagged: bool = False
