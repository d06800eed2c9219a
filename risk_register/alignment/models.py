"""Alignment links: an Area risk aligned to a national risk, suggested, confirmed or rejected."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Boolean, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from risk_register.db.types import Versioned, enum_column


class LinkStatus(StrEnum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class LinkSource(StrEnum):
    MANUAL = "manual"  # an Area leader linked the risks
    SUGGESTION = "suggestion"  # accepted from /api/alignment/suggestions
    IMPORT = "import"  # the national reference column of an imported register


class AlignmentLink(Versioned, UUIDv7AuditBase):
    __tablename__ = "alignment_link"
    __table_args__ = (UniqueConstraint("area_risk_id", "national_risk_id"),)

    area_risk_id: Mapped[UUID] = mapped_column(ForeignKey("risk.id", ondelete="CASCADE"), index=True)
    national_risk_id: Mapped[UUID] = mapped_column(ForeignKey("risk.id", ondelete="CASCADE"), index=True)
    status: Mapped[LinkStatus] = mapped_column(enum_column(LinkStatus), index=True)
    source: Mapped[LinkSource] = mapped_column(enum_column(LinkSource))
    rationale: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class NationalCoverage(Versioned, UUIDv7AuditBase):
    """A national risk marked as one every Area must recognise: an Area with no risk aligned to it has a
    coverage gap (alignment report)."""

    __tablename__ = "national_coverage"

    national_risk_id: Mapped[UUID] = mapped_column(ForeignKey("risk.id", ondelete="CASCADE"), unique=True)
    applies_to_every_area: Mapped[bool] = mapped_column(Boolean, default=True)
    rationale: Mapped[str | None] = mapped_column(Text)
