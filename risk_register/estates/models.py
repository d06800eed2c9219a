"""Estates tables: sites, access-audit findings, refurbishment projects and remediation actions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from risk_register.db.types import Versioned, enum_column
from risk_register.estates.enums import (
    AccessibilityStatus,
    BuildingSystem,
    ConditionGrade,
    FindingCategory,
    FindingStatus,
    OperationalStatus,
    RefurbishmentKind,
    RefurbishmentStatus,
    RemediationStatus,
    RepairPriority,
    SiteType,
    Suitability,
    Tenure,
)
from risk_register.organisation.models import RegionRecord


class Site(Versioned, UUIDv7AuditBase):
    __tablename__ = "site"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500))
    postcode: Mapped[str] = mapped_column(String(8))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    pdu_code: Mapped[str | None] = mapped_column(ForeignKey("pdu.code"), index=True)
    site_type: Mapped[SiteType] = mapped_column(enum_column(SiteType), index=True)
    tenure: Mapped[Tenure] = mapped_column(enum_column(Tenure))
    lease_end_date: Mapped[date | None] = mapped_column(Date)
    condition_grade: Mapped[ConditionGrade] = mapped_column(enum_column(ConditionGrade))
    suitability: Mapped[Suitability] = mapped_column(enum_column(Suitability))
    operational_status: Mapped[OperationalStatus] = mapped_column(enum_column(OperationalStatus))
    staff_headcount: Mapped[int] = mapped_column(Integer, default=0)
    # Derived from open access-audit findings by estates.rules.accessibility_status; kept current by the
    # finding service so lists can filter on it.
    accessibility_status: Mapped[AccessibilityStatus] = mapped_column(
        enum_column(AccessibilityStatus), default=AccessibilityStatus.ACCESSIBLE, index=True
    )

    region: Mapped[RegionRecord] = relationship(lazy="joined", innerjoin=True)

    @property
    def area_code(self) -> str:
        return self.region.area_code


class AccessibilityFinding(Versioned, UUIDv7AuditBase):
    __tablename__ = "accessibility_finding"

    site_id: Mapped[UUID] = mapped_column(ForeignKey("site.id"), index=True)
    category: Mapped[FindingCategory] = mapped_column(enum_column(FindingCategory))
    description: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[FindingStatus] = mapped_column(enum_column(FindingStatus), index=True)
    accepted_reason: Mapped[str | None] = mapped_column(Text)
    raised_on: Mapped[date] = mapped_column(Date)
    target_date: Mapped[date | None] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)

    site: Mapped[Site] = relationship(lazy="joined", innerjoin=True)


class RefurbishmentProject(Versioned, UUIDv7AuditBase):
    __tablename__ = "refurbishment_project"

    site_id: Mapped[UUID] = mapped_column(ForeignKey("site.id"), index=True)
    kind: Mapped[RefurbishmentKind] = mapped_column(enum_column(RefurbishmentKind))
    status: Mapped[RefurbishmentStatus] = mapped_column(enum_column(RefurbishmentStatus), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    spend: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_end: Mapped[date | None] = mapped_column(Date)

    site: Mapped[Site] = relationship(lazy="joined", innerjoin=True)


class RemediationAction(Versioned, UUIDv7AuditBase):
    __tablename__ = "remediation_action"
    __table_args__ = (
        # The overdue list: open actions ordered by target date.
        Index("ix_remediation_action_status_target", "status", "target_date"),
    )

    site_id: Mapped[UUID] = mapped_column(ForeignKey("site.id"), index=True)
    system: Mapped[BuildingSystem] = mapped_column(enum_column(BuildingSystem))
    description: Mapped[str] = mapped_column(Text)
    priority: Mapped[RepairPriority] = mapped_column(enum_column(RepairPriority))
    status: Mapped[RemediationStatus] = mapped_column(enum_column(RemediationStatus))
    reported_on: Mapped[date] = mapped_column(Date)
    target_date: Mapped[date] = mapped_column(Date, index=True)
    # True once someone chose the target; until then it follows the default for the priority and reported date.
    target_date_set_by_hand: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    blocker: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date | None] = mapped_column(Date)

    site: Mapped[Site] = relationship(lazy="joined", innerjoin=True)
