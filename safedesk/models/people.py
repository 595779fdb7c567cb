"""Customer records: the people reception searches for and markers attach to."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safedesk.models.base import Base


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        Index("ix_people_surname_forenames", "surname", "forenames"),
        Index("ix_people_date_of_birth", "date_of_birth"),
        Index("ix_people_postcode", "postcode"),
        # Reception's search index catches up on changed records by this column (0004).
        Index("ix_people_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forenames: Mapped[str] = mapped_column(String(120))
    surname: Mapped[str] = mapped_column(String(120))
    date_of_birth: Mapped[date | None]
    address: Mapped[str | None] = mapped_column(String(400))
    postcode: Mapped[str | None] = mapped_column(String(10))
    tenancy_ref: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Where the record came from: "import", "demo", "walk_in" (a visitor not in the records).
    source: Mapped[str] = mapped_column(String(20), default="import")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    aliases: Mapped[list[PersonAlias]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def full_name(self) -> str:
        return f"{self.forenames} {self.surname}".strip()


class PersonAlias(Base):
    """Another name the person is known by: maiden name, known-as, a previous spelling."""

    __tablename__ = "person_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(240))

    person: Mapped[Person] = relationship(back_populates="aliases")
