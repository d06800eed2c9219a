"""Request and response bodies for the estates API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from risk_register.core.schemas import (
    Code,
    InputModel,
    IsoDate,
    Money,
    OutputModel,
    PatchModel,
    ShortText,
    Text,
    WholeNumber,
)
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
from risk_register.estates.models import RemediationAction
from risk_register.estates.rules import days_overdue, is_remediation_overdue

# UK postcode, outward and inward parts (BS 7666 shape); stored upper-case with one space.
Postcode = Annotated[str, Field(pattern=r"^(?i:[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$", min_length=5, max_length=8)]
SiteCode = Annotated[str, Field(min_length=2, max_length=32, pattern=r"^[A-Z0-9][A-Z0-9-]*$")]
Headcount = Annotated[WholeNumber, Field(ge=0, le=100_000)]
FindingPriority = Annotated[WholeNumber, Field(ge=1, le=4)]
PduCode = Annotated[str, Field(min_length=1, max_length=160, pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Audited(OutputModel):
    id: UUID
    version: int
    created_at: datetime
    updated_at: datetime


# --- sites ---------------------------------------------------------------------------------------------


class SiteCreate(InputModel):
    code: SiteCode
    name: ShortText
    address: Text
    postcode: Postcode
    region_code: Code
    pdu_code: PduCode | None = None
    site_type: SiteType
    tenure: Tenure
    lease_end_date: IsoDate | None = None
    condition_grade: ConditionGrade
    suitability: Suitability
    operational_status: OperationalStatus = OperationalStatus.OPERATIONAL
    staff_headcount: Headcount = 0


class SiteUpdate(PatchModel):
    clearable = frozenset({"pdu_code", "lease_end_date"})

    code: SiteCode | None = None
    name: ShortText | None = None
    address: Text | None = None
    postcode: Postcode | None = None
    region_code: Code | None = None
    pdu_code: PduCode | None = None
    site_type: SiteType | None = None
    tenure: Tenure | None = None
    lease_end_date: IsoDate | None = None
    condition_grade: ConditionGrade | None = None
    suitability: Suitability | None = None
    operational_status: OperationalStatus | None = None
    staff_headcount: Headcount | None = None


class SiteRead(Audited):
    code: str
    name: str
    address: str
    postcode: str
    region_code: str
    area_code: str
    pdu_code: str | None
    site_type: SiteType
    tenure: Tenure
    lease_end_date: date | None
    condition_grade: ConditionGrade
    suitability: Suitability
    operational_status: OperationalStatus
    staff_headcount: int
    accessibility_status: AccessibilityStatus = Field(
        description="Derived from open access-audit findings (see config/estates.toml [accessibility])"
    )


class SiteRef(OutputModel):
    """The site a record belongs to, enough to read a list without another request."""

    id: UUID
    code: str
    name: str
    site_type: SiteType
    region_code: str
    area_code: str


# --- accessibility findings ----------------------------------------------------------------------------


class FindingCreate(InputModel):
    site_id: UUID
    category: FindingCategory
    description: Text
    priority: FindingPriority
    status: FindingStatus = FindingStatus.OPEN
    accepted_reason: Text | None = None
    raised_on: IsoDate
    target_date: IsoDate | None = None
    resolved_on: IsoDate | None = None


class FindingUpdate(PatchModel):
    clearable = frozenset({"accepted_reason", "target_date", "resolved_on"})

    category: FindingCategory | None = None
    description: Text | None = None
    priority: FindingPriority | None = None
    status: FindingStatus | None = None
    accepted_reason: Text | None = None
    raised_on: IsoDate | None = None
    target_date: IsoDate | None = None
    resolved_on: IsoDate | None = None


class FindingRead(Audited):
    site: SiteRef
    category: FindingCategory
    description: str
    priority: int
    status: FindingStatus
    accepted_reason: str | None
    raised_on: date
    target_date: date | None
    resolved_on: date | None


# --- refurbishment projects ----------------------------------------------------------------------------


class ProjectCreate(InputModel):
    site_id: UUID
    kind: RefurbishmentKind
    status: RefurbishmentStatus = RefurbishmentStatus.PROPOSED
    description: Text | None = None
    budget: Money | None = None
    spend: Money = Decimal("0")
    planned_start: IsoDate | None = None
    planned_end: IsoDate | None = None
    actual_start: IsoDate | None = None
    actual_end: IsoDate | None = None


class ProjectUpdate(PatchModel):
    clearable = frozenset({"description", "budget", "planned_start", "planned_end", "actual_start", "actual_end"})

    kind: RefurbishmentKind | None = None
    status: RefurbishmentStatus | None = None
    description: Text | None = None
    budget: Money | None = None
    spend: Money | None = None
    planned_start: IsoDate | None = None
    planned_end: IsoDate | None = None
    actual_start: IsoDate | None = None
    actual_end: IsoDate | None = None


class ProjectRead(Audited):
    site: SiteRef
    kind: RefurbishmentKind
    status: RefurbishmentStatus
    description: str | None
    budget: Decimal | None
    spend: Decimal
    planned_start: date | None
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None


# --- remediation actions -------------------------------------------------------------------------------


class RemediationCreate(InputModel):
    site_id: UUID
    system: BuildingSystem
    description: Text
    priority: RepairPriority
    status: RemediationStatus = RemediationStatus.REPORTED
    reported_on: IsoDate
    target_date: IsoDate | None = Field(
        default=None, description="Defaults to reported_on plus the priority's days in config/estates.toml"
    )
    blocker: Text | None = None
    completed_on: IsoDate | None = None


class RemediationUpdate(PatchModel):
    clearable = frozenset({"blocker", "completed_on"})

    system: BuildingSystem | None = None
    description: Text | None = None
    priority: RepairPriority | None = None
    status: RemediationStatus | None = None
    reported_on: IsoDate | None = None
    target_date: IsoDate | None = None
    blocker: Text | None = None
    completed_on: IsoDate | None = None


class RemediationRead(Audited):
    site: SiteRef
    system: BuildingSystem
    description: str
    priority: RepairPriority
    status: RemediationStatus
    reported_on: date
    target_date: date
    blocker: str | None
    completed_on: date | None
    overdue: bool
    days_overdue: int


_REMEDIATION_OWN_FIELDS = tuple(
    name for name in RemediationRead.model_fields if name not in {"site", "overdue", "days_overdue"}
)
_SITE_REF_FIELDS = tuple(SiteRef.model_fields)


def _remediation_view(fields: dict[str, Any], site: object, today: date) -> RemediationRead:
    """The overdue facts come from the one rule in estates/rules.py, whichever form the action arrives in."""
    return RemediationRead.model_validate(
        {
            **fields,
            "site": site,
            "overdue": is_remediation_overdue(fields["status"], fields["target_date"], today),
            "days_overdue": days_overdue(fields["status"], fields["target_date"], today),
        }
    )


def remediation_read(action: RemediationAction, today: date) -> RemediationRead:
    """The API view of one remediation action loaded as an ORM object."""
    return _remediation_view({name: getattr(action, name) for name in _REMEDIATION_OWN_FIELDS}, action.site, today)


def remediation_read_row(row: Mapping[Any, Any], today: date) -> RemediationRead:
    """The same view from a list row (queries.remediation_rows: the action's columns, its site's as ``site_*``)."""
    return _remediation_view(
        {name: row[name] for name in _REMEDIATION_OWN_FIELDS},
        {name: row[f"site_{name}"] for name in _SITE_REF_FIELDS},
        today,
    )


# --- reports -------------------------------------------------------------------------------------------


class SplitOut(OutputModel):
    unpaid_work: int
    rest_of_estate: int
    total: int


class EstateSummaryOut(OutputModel):
    code: str
    name: str
    sites: SplitOut
    by_type: dict[str, SplitOut]
    by_tenure: dict[str, SplitOut]
    by_condition: dict[str, SplitOut]
    by_suitability: dict[str, SplitOut]
    by_accessibility: dict[str, SplitOut]
    open_remediation: SplitOut
    overdue_remediation: SplitOut
    refurbishments_completed: dict[str, SplitOut]


class EstateSummaryReport(OutputModel):
    as_of: date
    group_by: str
    groups: list[EstateSummaryOut]
    total: EstateSummaryOut


class AccessibilitySiteOut(OutputModel):
    id: UUID
    code: str
    name: str
    site_type: SiteType
    accessibility_status: AccessibilityStatus


class RegionAccessibilityOut(OutputModel):
    region_code: str
    name: str
    counts: dict[str, SplitOut]
    sites: list[AccessibilitySiteOut]


class AccessibilityReport(OutputModel):
    as_of: date
    regions: list[RegionAccessibilityOut]
