"""Correcting who a person's record says they are: the one deliberate path, audited.

An import never changes a person's name or date of birth beyond a spelling fix (see
``imports.people``), because a marker belongs to the person it was placed on. When a record really
is wrong (a clerical error in the housing system, a legal change of name), a manager or an
administrator corrects it here, with a reason; the audit log keeps the old and the new values.
Visits, alarms and incidents keep the name as it was recorded at the time (``Visit.recorded_name``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.matching.normalise import canonical_reference
from safedesk.models import Person, Role
from safedesk.services.markers.review_dates import uk_date
from safedesk.services.markers.roles import is_manager
from safedesk.services.shared import audit
from safedesk.services.shared.acting_staff import acting_staff
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import FieldProblem, NotFound, PermissionRefused, require

MIN_REASON = 10
"""Characters: "typo" is not a reason; "Name changed by deed poll, seen 02/03/2026" is."""
MAX_NAME = 120
EARLIEST_BIRTH_YEAR = 1880


@dataclass(frozen=True)
class Identity:
    forenames: str
    surname: str
    date_of_birth: date | None

    def describe(self) -> str:
        dob = f"{self.date_of_birth:%d/%m/%Y}" if self.date_of_birth else "DOB unknown"
        return f"{self.forenames} {self.surname}, {dob}"

    def audit_value(self) -> dict[str, str | None]:
        return {
            "forenames": self.forenames,
            "surname": self.surname,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
        }


@dataclass(frozen=True)
class IdentityCorrection:
    person_id: int
    tenancy_ref: str | None
    old: Identity
    new: Identity


def identity_of(person: Person) -> Identity:
    return Identity(person.forenames, person.surname, person.date_of_birth)


def person_by_tenancy_ref(session: Session, tenancy_ref: str) -> Person:
    ref = canonical_reference(tenancy_ref)
    person = session.scalar(select(Person).where(Person.tenancy_ref == ref)) if ref else None
    if person is None:
        raise NotFound(f"no person with tenancy ref {tenancy_ref.strip() or '(blank)'}")
    return person


def _check_permission(session: Session, actor: Actor) -> None:
    staff = acting_staff(session, actor, "Correcting a person's identity")
    roles = staff.role_set
    if not (is_manager(roles) or Role.ADMIN in roles):
        raise PermissionRefused(
            "Correcting a person's name or date of birth needs a manager or an administrator"
        )


def _problems(new: Identity, old: Identity, reason: str, today: date) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for name, value in (("forenames", new.forenames), ("surname", new.surname)):
        if not value:
            problems.append(FieldProblem(name, "is empty"))
        elif len(value) > MAX_NAME:
            problems.append(FieldProblem(name, f"is longer than {MAX_NAME} characters"))
        elif any(c in value for c in ',"\r\n'):
            problems.append(FieldProblem(name, "a name holds no commas, quotes or line breaks"))
    dob = new.date_of_birth
    if dob is not None and (dob > today or dob.year < EARLIEST_BIRTH_YEAR):
        problems.append(
            FieldProblem(
                "date_of_birth",
                f"{dob:%d/%m/%Y} is in the future or before {EARLIEST_BIRTH_YEAR}",
            )
        )
    if len(reason) < MIN_REASON:
        problems.append(
            FieldProblem("reason", "say why the record is wrong and how you know (it is audited)")
        )
    if new == old:
        problems.append(FieldProblem("identity", f"the record already says {old.describe()}"))
    return problems


def correct_identity(
    session: Session,
    actor: Actor,
    person_id: int,
    *,
    forenames: str,
    surname: str,
    date_of_birth: date | None,
    reason: str,
    now: datetime,
) -> IdentityCorrection:
    """Change the person's name and date of birth; the audit keeps old, new and the reason.

    Raises PermissionRefused, NotFound or InvalidInput before changing anything.
    """
    _check_permission(session, actor)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"no person with id {person_id}")
    old = identity_of(person)
    new = Identity(forenames.strip(), surname.strip(), date_of_birth)
    reason = reason.strip()
    require(_problems(new, old, reason, uk_date(now)))
    person.forenames, person.surname, person.date_of_birth = (
        new.forenames,
        new.surname,
        new.date_of_birth,
    )
    person.updated_at = now  # reception's search index catches up by this
    audit.record(
        session,
        actor,
        "person_identity_corrected",
        at=now,
        subject_type="person",
        subject_id=person.id,
        tenancy_ref=person.tenancy_ref,
        old=old.audit_value(),
        new=new.audit_value(),
        reason=reason,
    )
    return IdentityCorrection(person.id, person.tenancy_ref, old, new)
