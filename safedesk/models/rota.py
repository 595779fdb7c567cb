"""The responder rota: who is on duty, by weekday and time, with dated overrides."""

from __future__ import annotations

import enum
from datetime import date, time

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from safedesk.models.base import Base, enum_column


class ShiftKind(enum.StrEnum):
    REGULAR = "regular"  # every week on `weekday`
    EXTRA = "extra"  # on `on_date` only, in addition to the regular rota
    ABSENT = "absent"  # on `on_date` the responder is off (leave, sickness) despite the rota


class RotaShift(Base):
    __tablename__ = "rota_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    kind: Mapped[ShiftKind] = mapped_column(
        enum_column(ShiftKind, "shift_kind"), default=ShiftKind.REGULAR
    )
    weekday: Mapped[int | None]  # 0 = Monday, for regular shifts
    on_date: Mapped[date | None]  # for dated overrides
    # Local times in the office's time zone; ends may be before starts for a shift over midnight.
    starts: Mapped[time]
    ends: Mapped[time]
    note: Mapped[str | None] = mapped_column(String(200))
