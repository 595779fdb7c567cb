"""Which screens showed an alarm, when, and whether they could sound it (issue 12, reach).

Each SafeDesk PC writes one row when it shows an alarm: the full alert or the smaller notice,
who was signed in there, the database server's time, and whether the alarm sound played (and if
not, why). The alert, the incident record and its export list them. Names are kept as recorded
then (the PC's configured name and the person signed in), whatever changes later.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safedesk.models.base import Base, enum_column


class DeliveryKind(enum.StrEnum):
    FULL_ALERT = "full_alert"
    NOTICE = "notice"


class AlarmDelivery(Base):
    """One screen showing one alarm (the first time it showed it that way)."""

    __tablename__ = "alarm_deliveries"
    __table_args__ = (UniqueConstraint("alarm_id", "workstation", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alarm_id: Mapped[int] = mapped_column(
        ForeignKey("alarm_events.id", ondelete="CASCADE"), index=True
    )
    # The PC's row key (workstations.name; its host name when not named): never shown.
    workstation: Mapped[str] = mapped_column(String(120))
    # The PC's configured name then (workstation.name); None: not named.
    label: Mapped[str | None] = mapped_column(String(120))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    staff_name: Mapped[str | None] = mapped_column(String(120))  # as recorded then
    kind: Mapped[DeliveryKind] = mapped_column(enum_column(DeliveryKind, "delivery_kind"))
    shown_at: Mapped[datetime]  # the database server's time
    sound_played: Mapped[bool]
    no_sound_reason: Mapped[str | None] = mapped_column(String(255))  # why not, in words
