"""Changes that only a restricted-access PC's database login may write (PostgreSQL, 0014).

Removing a marker on the restricted register, or taking it off the register, is refused by the
database for every other login; this turns that refusal into the same clear message as reading
the register from the wrong PC (``RestrictedStorageRefused``) instead of a database error.
"""

from __future__ import annotations

from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from safedesk.services.markers.restricted_register import (
    INSUFFICIENT_PRIVILEGE,
    RestrictedStorageRefused,
)


def flush_restricted_change(session: Session, doing: str) -> None:
    """Flush ``session``; the database's refusal of a restricted change says to use the right PC."""
    try:
        session.flush()
    except ProgrammingError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        raise RestrictedStorageRefused(
            f"{doing} is done from a PC set up for restricted access (database role "
            "safedesk_restricted): this PC's database account may not"
        ) from exc
