"""Registers tables: registers, their risks, each risk's versions (whole-row history), links, mitigating actions
and the log of spreadsheet imports. Imported by risk_register/db/models.py so Alembic sees them."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from risk_register.db.types import Versioned, enum_column
from risk_register.registers.enums import ActionStatus, ChangeSource, LinkKind, RegisterLevel, RiskStatus

REFERENCE_LENGTH = 32


class Register(Versioned, UUIDv7AuditBase):
    """A risk register: the national one, one per HMPPS Area, or a region's own."""

    __tablename__ = "risk_register"

    level: Mapped[RegisterLevel] = mapped_column(enum_column(RegisterLevel), index=True)
    # national: none; area: the Area; regional: the region and the Area it belongs to.
    area_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    # "national", "area:<code>" or "region:<code>": one register per scope, portably unique (NULLs are not).
    scope_key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)


class RiskFields:
    """The columns a risk and each of its versions share (rules.RISK_FIELDS)."""

    reference: Mapped[str] = mapped_column(String(REFERENCE_LENGTH))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(Text)
    effect: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(200))
    inherent_likelihood: Mapped[int | None] = mapped_column(Integer)
    inherent_impact: Mapped[int | None] = mapped_column(Integer)
    residual_likelihood: Mapped[int] = mapped_column(Integer)
    residual_impact: Mapped[int] = mapped_column(Integer)
    target_likelihood: Mapped[int | None] = mapped_column(Integer)
    target_impact: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[RiskStatus] = mapped_column(enum_column(RiskStatus))
    identified_on: Mapped[date] = mapped_column(Date)
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    next_review_on: Mapped[date | None] = mapped_column(Date)
    # The national risk this (Area or regional) risk claims to align with, as the spreadsheet wrote it; the
    # alignment work turns claims into links.
    national_reference: Mapped[str | None] = mapped_column(String(REFERENCE_LENGTH))


class Risk(RiskFields, Versioned, UUIDv7AuditBase):
    __tablename__ = "risk"
    __table_args__ = (
        UniqueConstraint("register_id", "reference", name="uq_risk_register_reference"),
        Index("ix_risk_status_next_review", "status", "next_review_on"),
        Index("ix_risk_national_reference", "national_reference"),
    )

    # No index of its own: uq_risk_register_reference's index begins with register_id (migration 0006).
    register_id: Mapped[UUID] = mapped_column(ForeignKey("risk_register.id"))

    register: Mapped[Register] = relationship(lazy="joined", innerjoin=True)

    @property
    def register_level(self) -> RegisterLevel:
        return self.register.level

    @property
    def register_name(self) -> str:
        return self.register.name

    @property
    def area_code(self) -> str | None:
        return self.register.area_code


class RiskVersion(RiskFields, UUIDv7AuditBase):
    """The whole risk as it stood from ``valid_from`` (inclusive) to ``valid_to`` (exclusive; None: still
    current). Written by the risk service in the same transaction as the change; the register "as at" a date
    is the versions valid at the end of that day. Not audited itself: the audit trail already records the
    change to the risk that this row snapshots."""

    __tablename__ = "risk_version"
    __audit_exclude__ = True
    __table_args__ = (
        UniqueConstraint("risk_id", "version_no", name="uq_risk_version_risk_version_no"),
        Index("ix_risk_version_register_valid", "register_id", "valid_from", "valid_to"),
    )

    risk_id: Mapped[UUID] = mapped_column(ForeignKey("risk.id", ondelete="CASCADE"), index=True)
    register_id: Mapped[UUID] = mapped_column(ForeignKey("risk_register.id"))
    version_no: Mapped[int] = mapped_column(Integer)  # the risk's version (ETag) this row shows
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    source: Mapped[ChangeSource] = mapped_column(enum_column(ChangeSource))
    import_id: Mapped[UUID | None] = mapped_column(ForeignKey("register_import.id"))
    changed: Mapped[list[str]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))


class RiskLink(Versioned, UUIDv7AuditBase):
    """A risk's link to a site, hazard type, control or assessment. ``target`` is the site's, control's or
    assessment's id, or the hazard type's code; ``site_id`` repeats a site's id with a foreign key."""

    __tablename__ = "risk_link"
    __table_args__ = (UniqueConstraint("risk_id", "kind", "target", name="uq_risk_link_risk_kind_target"),)

    risk_id: Mapped[UUID] = mapped_column(ForeignKey("risk.id"), index=True)
    kind: Mapped[LinkKind] = mapped_column(enum_column(LinkKind))
    target: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[UUID | None] = mapped_column(ForeignKey("site.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)


class RiskAction(Versioned, UUIDv7AuditBase):
    """A mitigating action on a risk."""

    __tablename__ = "risk_action"
    __table_args__ = (Index("ix_risk_action_status_due", "status", "due_on"),)

    risk_id: Mapped[UUID] = mapped_column(ForeignKey("risk.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus))
    completed_on: Mapped[date | None] = mapped_column(Date)

    risk: Mapped[Risk] = relationship(lazy="joined", innerjoin=True)


class RegisterImport(UUIDv7AuditBase):
    """One spreadsheet upload into a register (not a dry run): what came in and what it did."""

    __tablename__ = "register_import"

    register_id: Mapped[UUID] = mapped_column(ForeignKey("risk_register.id"), index=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    file_format: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    effective_on: Mapped[date] = mapped_column(Date)
    imported_by: Mapped[str] = mapped_column(String(64))
    columns: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
