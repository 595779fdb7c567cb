"""Risk markers (the "red triangle") and everything seed 002 requires around them.

The restricted reason and detail live in their own table, ``marker_restricted``, so that on
PostgreSQL only a restricted database role can read them (grants per table); the marker row itself
carries only what every member of staff may see: the category and the instructions.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safedesk.models.base import Base, JSONType, enum_column


class MarkerCategory(enum.StrEnum):
    """Seed 002's five sources of potential risk, plus a violence/aggression incident."""

    OFFENDER = "offender"  # registered prolific offender, criminal offender (5.1)
    PARTNER_INFORMATION = "partner_information"  # information received from partners (5.2)
    MENTAL_HEALTH_BEHAVIOUR = "mental_health_behaviour"  # known mental health/behaviour (5.3)
    COMPLAINTS_AGAINST_STAFF = "complaints_against_staff"  # history of complaints (5.5)
    NEAR_MISS = "near_miss"  # staff felt something was not right (5.6)
    VIOLENCE_AGGRESSION = "violence_aggression"  # an incident of violence or aggression


class MarkerStatus(enum.StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"  # kept for the retention period, then purged


class ReviewDecision(enum.StrEnum):
    CONTINUE = "continue"
    AMEND = "amend"
    REMOVE = "remove"


class AppealOutcome(enum.StrEnum):
    """As UK usage reads it: an appeal *upheld* is one the tenant wins (migration 0009)."""

    DISMISSED = "dismissed"  # not upheld: the marker stays as it is
    UPHELD_AMENDED = "upheld_amended"  # upheld in part: the marker stays, instructions changed
    UPHELD_REMOVED = "upheld_removed"  # upheld: the marker is removed


class Marker(Base):
    __tablename__ = "markers"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    category: Mapped[MarkerCategory] = mapped_column(enum_column(MarkerCategory, "marker_category"))
    # Instructions to staff, from the standard list ("visit in pairs", ...), as shown at reception.
    instructions: Mapped[list[str]] = mapped_column(JSONType)
    instructions_note: Mapped[str | None] = mapped_column(Text)  # free-text instruction
    # On the restricted register: staff without permission see "contact <role> before visiting".
    restricted: Mapped[bool] = mapped_column(default=False)
    contact_role: Mapped[str | None] = mapped_column(String(40))
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    placed_at: Mapped[datetime]
    review_due: Mapped[date] = mapped_column(index=True)
    tenant_informed: Mapped[bool] = mapped_column(default=False)
    tenant_informed_at: Mapped[datetime | None]
    # Seed 002: the reason a tenant is not told is kept with the restricted reasons. Loaded only
    # when asked for: on PostgreSQL only a restricted-access PC's login may read it (0014).
    not_informed_reason: Mapped[str | None] = mapped_column(Text, deferred=True)
    status: Mapped[MarkerStatus] = mapped_column(
        enum_column(MarkerStatus, "marker_status"), default=MarkerStatus.ACTIVE, index=True
    )
    removed_at: Mapped[datetime | None]
    removed_reason: Mapped[str | None] = mapped_column(Text)
    # The alarm that led to this marker, when it came from an incident.
    source_alarm_id: Mapped[int | None] = mapped_column(ForeignKey("alarm_events.id"))
    # Two-person rule (0013): a lone visit needs a second officer or a manager's override.
    visits_in_pairs: Mapped[bool] = mapped_column(default=False, server_default=false())

    restricted_detail: Mapped[MarkerRestricted | None] = relationship(
        back_populates="marker",
        cascade="all, delete-orphan",
        uselist=False,
        # Never loaded by accident: only the restricted-register service asks for it explicitly.
        lazy="raise",
        passive_deletes=True,
    )
    evidence: Mapped[list[MarkerEvidence]] = relationship(
        back_populates="marker", cascade="all, delete-orphan", order_by="MarkerEvidence.occurred_on"
    )
    reviews: Mapped[list[MarkerReview]] = relationship(
        back_populates="marker", cascade="all, delete-orphan", order_by="MarkerReview.reviewed_at"
    )
    appeals: Mapped[list[MarkerAppeal]] = relationship(
        back_populates="marker", cascade="all, delete-orphan", order_by="MarkerAppeal.lodged_at"
    )


class MarkerRestricted(Base):
    """Restricted reason and detail: readable only by permitted roles (and their DB role)."""

    __tablename__ = "marker_restricted"

    # No ON DELETE CASCADE (0014): a marker with a reason goes only after its reason, and only
    # a restricted-access PC's login may delete reasons.
    marker_id: Mapped[int] = mapped_column(ForeignKey("markers.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)

    marker: Mapped[Marker] = relationship(back_populates="restricted_detail")


class MarkerEvidence(Base):
    """The recorded incident or information a marker rests on (date, what happened, source)."""

    __tablename__ = "marker_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    marker_id: Mapped[int] = mapped_column(ForeignKey("markers.id", ondelete="CASCADE"), index=True)
    occurred_on: Mapped[date]
    # Detail kept with the restricted reasons (seed 002): loaded only when asked for; on
    # PostgreSQL only a restricted-access PC's login may read these two columns (0014).
    what_happened: Mapped[str] = mapped_column(Text, deferred=True)
    source: Mapped[str] = mapped_column(String(200), deferred=True)
    alarm_id: Mapped[int | None] = mapped_column(ForeignKey("alarm_events.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    recorded_at: Mapped[datetime]

    marker: Mapped[Marker] = relationship(back_populates="evidence")


class MarkerReview(Base):
    __tablename__ = "marker_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    marker_id: Mapped[int] = mapped_column(ForeignKey("markers.id", ondelete="CASCADE"), index=True)
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime]
    decision: Mapped[ReviewDecision] = mapped_column(enum_column(ReviewDecision, "review_decision"))
    reason: Mapped[str] = mapped_column(Text)
    information_considered: Mapped[str] = mapped_column(Text)
    next_review_due: Mapped[date | None]
    tenant_informed: Mapped[bool] = mapped_column(default=False)
    not_informed_reason: Mapped[str | None] = mapped_column(Text, deferred=True)  # as markers'

    marker: Mapped[Marker] = relationship(back_populates="reviews")


class MarkerAppeal(Base):
    __tablename__ = "marker_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    marker_id: Mapped[int] = mapped_column(ForeignKey("markers.id", ondelete="CASCADE"), index=True)
    lodged_at: Mapped[datetime]
    grounds: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None]
    outcome: Mapped[AppealOutcome | None] = mapped_column(
        enum_column(AppealOutcome, "appeal_outcome")
    )
    outcome_reason: Mapped[str | None] = mapped_column(Text)

    marker: Mapped[Marker] = relationship(back_populates="appeals")
