"""Staff accounts: create, set roles, set passwords, disable. Every change is audited.

Only an administrator (role ``admin``) or SafeDesk's own command line (run by whoever looks
after the machine, as Actor.system) may change accounts. On PostgreSQL the database agrees: only
the administrator's login (``safedesk_admin``, migration 0014) may write staff and staff_roles,
so the command line is run with that login's database URL.

Passwords are judged by zxcvbn, with the NCSC's advice (three random words) in the refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safedesk.models import Office, Role, Staff, StaffRole
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import FieldProblem, NotFound, PermissionRefused, require
from safedesk.services.staff import sign_in_guard
from safedesk.services.staff.passwords import ADVICE, MIN_LENGTH, hash_password, strength_problem
from safedesk.services.staff.sign_in import PASSWORD_SET

MIN_PASSWORD_LENGTH = MIN_LENGTH
LOGIN_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")


def parse_roles(text: str | Iterable[str]) -> list[Role]:
    """``"manager,asb_manager"`` or a list of names -> roles; unknown names refused, named."""
    names = [n.strip().lower() for n in (text.split(",") if isinstance(text, str) else text)]
    names = [n for n in names if n]
    known = {r.value for r in Role}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown role {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return list(dict.fromkeys(Role(n) for n in names))


def _check_admin(session: Session, actor: Actor) -> None:
    if actor.staff_id is None:
        return  # the command line on the server or PC itself
    staff = session.get(Staff, actor.staff_id)
    if staff is None or not staff.active or not staff.has_role(Role.ADMIN):
        raise PermissionRefused("Changing staff accounts needs the admin role")


def password_problems(
    password: str, login: str, field: str = "password", *, name: str = ""
) -> list[FieldProblem]:
    """Too short, the login itself, or easy to guess (zxcvbn, knowing the login and name)."""
    if password.strip().lower() == login.strip().lower():
        return [FieldProblem(field, f"must not be the login. {ADVICE}")]
    problem = strength_problem(password, [login, *name.split()])
    return [FieldProblem(field, problem)] if problem else []


def find_staff(session: Session, login: str) -> Staff:
    staff = session.scalar(select(Staff).where(func.lower(Staff.login) == login.strip().lower()))
    if staff is None:
        raise NotFound(f"no staff account {login!r}")
    return staff


def create_staff(
    session: Session,
    actor: Actor,
    *,
    login: str,
    name: str,
    roles: Sequence[Role],
    password: str,
    now: datetime,
    job_title: str | None = None,
    office_name: str | None = None,
) -> Staff:
    _check_admin(session, actor)
    login = login.strip().lower()
    problems: list[FieldProblem] = []
    if not LOGIN_PATTERN.match(login):
        problems.append(
            FieldProblem(
                "login", "2-64 characters: lower-case letters, digits, . _ -, a letter first"
            )
        )
    elif session.scalar(select(Staff.id).where(func.lower(Staff.login) == login)) is not None:
        problems.append(FieldProblem("login", f"{login!r} is already in use"))
    if not name.strip():
        problems.append(FieldProblem("name", "the person's name is required"))
    if not roles:
        problems.append(FieldProblem("roles", "give at least one role"))
    problems += password_problems(password, login, name=name)
    office_id = None
    if office_name:
        office_id = session.scalar(select(Office.id).where(Office.name == office_name))
        if office_id is None:
            problems.append(FieldProblem("office", f"no office named {office_name!r}"))
    require(problems)
    staff = Staff(
        name=name.strip(),
        login=login,
        job_title=job_title,
        password_hash=hash_password(password),
        home_office_id=office_id,
        active=True,
        created_at=now,
        roles=[StaffRole(role=r) for r in roles],
    )
    session.add(staff)
    session.flush()
    audit.record(
        session,
        actor,
        "staff.created",
        at=now,
        subject_type="staff",
        subject_id=staff.id,
        login=login,
        roles=sorted(r.value for r in roles),
    )
    return staff


def set_password(
    session: Session, actor: Actor, login: str, password: str, *, now: datetime
) -> Staff:
    """Set a new password (administrator, or the member of staff for their own account)."""
    staff = find_staff(session, login)
    if actor.staff_id != staff.id:
        _check_admin(session, actor)
    require(password_problems(password, staff.login, name=staff.name))
    staff.password_hash = hash_password(password)
    sign_in_guard.reset(session, staff.login)  # a new password ends any lockout
    audit.record(session, actor, PASSWORD_SET, at=now, subject_type="staff", subject_id=staff.id)
    return staff


def set_roles(
    session: Session, actor: Actor, login: str, roles: Sequence[Role], *, now: datetime
) -> Staff:
    _check_admin(session, actor)
    staff = find_staff(session, login)
    require([] if roles else [FieldProblem("roles", "give at least one role")])
    before = sorted(r.value for r in staff.role_set)
    staff.roles = [StaffRole(role=r) for r in dict.fromkeys(roles)]
    session.flush()
    audit.record(
        session,
        actor,
        "staff.roles_set",
        at=now,
        subject_type="staff",
        subject_id=staff.id,
        before=before,
        after=sorted(r.value for r in staff.role_set),
    )
    return staff


def set_active(session: Session, actor: Actor, login: str, active: bool, *, now: datetime) -> Staff:
    _check_admin(session, actor)
    staff = find_staff(session, login)
    staff.active = active
    audit.record(
        session,
        actor,
        "staff.enabled" if active else "staff.disabled",
        at=now,
        subject_type="staff",
        subject_id=staff.id,
    )
    return staff
