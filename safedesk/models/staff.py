"""Staff accounts and their roles."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safedesk.models.base import Base, enum_column


class Role(enum.StrEnum):
    """What a member of staff may do. Base roles first, then the named managers of seed 002."""

    RECEPTION = "reception"
    OFFICER = "officer"
    RESPONDER = "responder"
    MANAGER = "manager"
    SENIOR_MANAGER = "senior_manager"
    ADMIN = "admin"
    # Seed 002, section 3: who assesses each marker category; section 5.1: the restricted register.
    ASB_MANAGER = "asb_manager"
    COMPLEX_NEEDS_MANAGER = "complex_needs_manager"
    PERSONNEL_MANAGER = "personnel_manager"
    SERVICE_MANAGER = "service_manager"
    HEAD_OF_SERVICE = "head_of_service"
    AREA_HOUSING_MANAGER = "area_housing_manager"
    HOUSING_SERVICES_MANAGER = "housing_services_manager"
    HEAD_OF_HOUSING_MANAGEMENT = "head_of_housing_management"


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    login: Mapped[str] = mapped_column(String(64), unique=True)
    job_title: Mapped[str | None] = mapped_column(String(120))
    # argon2 hash; None until a password is set (demo accounts get one). Loaded only when asked
    # for: on PostgreSQL no PC's login may read it (the sign-in functions check passwords).
    password_hash: Mapped[str | None] = mapped_column(String(200), deferred=True)
    home_office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    roles: Mapped[list[StaffRole]] = relationship(
        back_populates="staff", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles)

    def has_role(self, role: Role) -> bool:
        return role in self.role_set


class StaffRole(Base):
    __tablename__ = "staff_roles"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "staff_role"), primary_key=True)

    staff: Mapped[Staff] = relationship(back_populates="roles")
