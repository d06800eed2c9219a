"""Request and response bodies for the hazards API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BeforeValidator, Field, WithJsonSchema

from risk_register.core.schemas import (
    Code,
    Flag,
    InputModel,
    IsoDate,
    OutputModel,
    PatchModel,
    ShortText,
    Text,
    WholeNumber,
)
from risk_register.estates.enums import SiteType
from risk_register.hazards.enums import (
    AssessmentState,
    ChecklistItem,
    CheckOutcome,
    CheckSource,
    ControlStatus,
    FrequencyUnit,
    LegionellaSiteStatus,
    OutletKind,
    StressBand,
    StressScale,
    SubjectKind,
    Water,
)

TeamCode = Annotated[str, Field(min_length=2, max_length=32, pattern=r"^[A-Z0-9][A-Z0-9-]*$")]
PduCode = Annotated[str, Field(min_length=1, max_length=160, pattern=r"^[a-z0-9][a-z0-9-]*$")]
CatalogueCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_]*$")]
Headcount = Annotated[WholeNumber, Field(ge=0, le=100_000)]
LongText = Annotated[str, Field(min_length=1, max_length=20_000)]
MAX_UPLOAD_CHARS = 1_000_000


def _decimal_places(places: int) -> Any:
    def check(value: Any) -> Any:
        # JSON numbers only (no strings, no true/false); at most ``places`` decimal places, never rounded: a
        # reading of 49.95 C is not silently 50.0 C.
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise ValueError("must be a number")
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise ValueError("must be a finite number")
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -places:
            raise ValueError(f"must have at most {places} decimal place{'s' if places != 1 else ''}")
        return amount

    return BeforeValidator(check)


Temperature = Annotated[
    Decimal,
    _decimal_places(1),
    Field(ge=-10, le=100),
    WithJsonSchema({"type": "number", "minimum": -10, "maximum": 100, "multipleOf": 0.1}, mode="validation"),
]
Fte = Annotated[
    Decimal,
    _decimal_places(2),
    Field(gt=0, le=100_000),
    WithJsonSchema(
        {"type": "number", "exclusiveMinimum": 0, "maximum": 100_000, "multipleOf": 0.01}, mode="validation"
    ),
]
Days = Annotated[
    Decimal,
    _decimal_places(1),
    Field(ge=0, le=10_000_000),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 10_000_000, "multipleOf": 0.1}, mode="validation"),
]


class Audited(OutputModel):
    id: UUID
    version: int
    created_at: datetime
    updated_at: datetime


# --- catalogue ----------------------------------------------------------------------------------------------


class FrequencyIn(InputModel):
    unit: FrequencyUnit
    count: Annotated[WholeNumber, Field(ge=1, le=120)]


class FrequencyOut(OutputModel):
    unit: FrequencyUnit
    count: int
    description: str = Field(description='e.g. "monthly" (calendar months), "weekly", "every 5 years"')


class TemplateOut(OutputModel):
    code: str
    title: str
    frequency: FrequencyOut
    basis: str
    confidence: str = Field(description="V: official source; V3: third-party sources only; U: unverified")


class HazardOut(OutputModel):
    code: str
    name: str
    subject: SubjectKind
    site_types: list[SiteType] = Field(description="Site types the hazard applies to; empty: all")
    basis: str
    source: str
    confidence: str
    review_interval_months: int
    review_confidence: str
    controls: list[TemplateOut]


class HazardRef(OutputModel):
    code: str
    name: str


class SubjectRef(OutputModel):
    """The site or team a record belongs to, enough to read a list without another request."""

    kind: SubjectKind
    id: UUID
    code: str
    name: str
    site_type: SiteType | None = Field(description="None for a team")
    region_code: str
    area_code: str
    pdu_code: str | None


# --- teams --------------------------------------------------------------------------------------------------


class TeamCreate(InputModel):
    code: TeamCode
    name: ShortText
    region_code: Code
    pdu_code: PduCode | None = None
    headcount: Headcount = 0


class TeamUpdate(PatchModel):
    clearable = frozenset({"pdu_code"})

    code: TeamCode | None = None
    name: ShortText | None = None
    region_code: Code | None = None
    pdu_code: PduCode | None = None
    headcount: Headcount | None = None


class TeamRead(Audited):
    code: str
    name: str
    region_code: str
    area_code: str
    pdu_code: str | None
    headcount: int


# --- controls and checks ------------------------------------------------------------------------------------


class ControlCreate(InputModel):
    hazard_code: CatalogueCode
    template_code: CatalogueCode | None = Field(
        default=None, description="A control template of the hazard (GET /api/hazards); omit for a custom control"
    )
    site_id: UUID | None = Field(default=None, description="The site the control applies to (or give team_id)")
    team_id: UUID | None = Field(default=None, description="The team the control applies to (or give site_id)")
    title: ShortText | None = Field(default=None, description="Defaults to the template's; required if custom")
    description: Text | None = None
    basis: Text | None = Field(default=None, description="Statutory or guidance basis; defaults to the template's")
    owner: ShortText
    frequency: FrequencyIn | None = Field(default=None, description="Defaults to the template's; required if custom")
    first_due_on: IsoDate | None = Field(default=None, description="When the first check is due; default today")


class ControlUpdate(PatchModel):
    clearable = frozenset({"description", "basis", "retired_on"})

    title: ShortText | None = None
    description: Text | None = None
    basis: Text | None = None
    owner: ShortText | None = None
    frequency: FrequencyIn | None = None
    first_due_on: IsoDate | None = None
    retired_on: IsoDate | None = Field(default=None, description="Set when the control is no longer in use")


class ControlRow(OutputModel):
    """A control as every list shows it: where, which hazard, its schedule and what its checks say."""

    id: UUID
    version: int
    hazard: HazardRef
    template_code: str | None
    title: str
    owner: str
    frequency: FrequencyOut
    subject: SubjectRef
    first_due_on: date
    next_due_on: date
    last_checked_on: date | None
    last_outcome: CheckOutcome | None
    status: ControlStatus = Field(description="failing wins over overdue; see hazards/rules.py control_status")
    overdue: bool
    days_overdue: int
    overdue_since: date | None = Field(description="The first day it counted as overdue (the day after due)")
    failing: bool
    retired_on: date | None


class ControlRead(ControlRow):
    description: str | None
    basis: str | None
    created_at: datetime
    updated_at: datetime


class CheckCreate(InputModel):
    checked_on: IsoDate
    checked_by: ShortText
    outcome: CheckOutcome
    notes: Text | None = None
    evidence_ref: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        default=None, description="Where the evidence is: certificate number, document link, log book page"
    )


class CheckRead(Audited):
    control_id: UUID
    checked_on: date
    checked_by: str
    outcome: CheckOutcome
    notes: str | None
    evidence_ref: str | None
    source: CheckSource


class CheckWithControl(CheckRead):
    control: ControlRow = Field(description="The control as the check leaves it")


class HazardAreaCell(OutputModel):
    unpaid_work: int
    rest_of_estate: int
    teams: int
    total: int


class HazardAreaCount(OutputModel):
    hazard: HazardRef
    area_code: str
    area_name: str
    in_use: HazardAreaCell
    overdue: HazardAreaCell
    failing: HazardAreaCell


class ControlSummary(OutputModel):
    as_of: date
    cells: list[HazardAreaCount] = Field(description="One per hazard x Area with any control in use")
    totals: dict[str, HazardAreaCell] = Field(description="in_use, overdue and failing over every cell")


# --- risk assessments ---------------------------------------------------------------------------------------


class ActionIn(InputModel):
    description: Text
    owner: ShortText | None = None
    due_on: IsoDate | None = None
    completed_on: IsoDate | None = None


class ActionOut(OutputModel):
    description: str
    owner: str | None
    due_on: date | None
    completed_on: date | None
    overdue: bool


class AssessmentCreate(InputModel):
    hazard_code: CatalogueCode
    site_id: UUID | None = None
    team_id: UUID | None = None
    title: ShortText
    assessor_name: ShortText
    assessor_competence: Text | None = None
    assessed_on: IsoDate
    persons_at_risk: LongText | None = Field(default=None, description="Who might be harmed, and how")
    significant_findings: LongText | None = None
    actions: Annotated[list[ActionIn], Field(max_length=200)] = Field(default_factory=list)
    review_interval_months: Annotated[WholeNumber, Field(ge=1, le=120)] | None = Field(
        default=None, description="Defaults to the hazard's interval in config/hazards.toml"
    )
    next_review_on: IsoDate | None = Field(default=None, description="Defaults to assessed_on + the interval")
    checklist: dict[ChecklistItem, Flag] = Field(
        default_factory=dict, description="The suitable-and-sufficient checklist, item by item (true: met)"
    )


class AssessmentUpdate(PatchModel):
    clearable = frozenset({"assessor_competence", "persons_at_risk", "significant_findings"})

    title: ShortText | None = None
    assessor_name: ShortText | None = None
    assessor_competence: Text | None = None
    assessed_on: IsoDate | None = None
    persons_at_risk: LongText | None = None
    significant_findings: LongText | None = None
    actions: Annotated[list[ActionIn], Field(max_length=200)] | None = None
    review_interval_months: Annotated[WholeNumber, Field(ge=1, le=120)] | None = None
    next_review_on: IsoDate | None = None
    checklist: dict[ChecklistItem, Flag] | None = None


class ChecklistEntry(OutputModel):
    item: ChecklistItem
    description: str
    recorded: bool | None = Field(description="As recorded: true met, false not met, null not recorded")
    required: bool
    met: bool = Field(description="Recorded as met and, where the record can show it, shown")


class StressFindingOut(OutputModel):
    scale: StressScale
    name: str
    score: Decimal
    target: Decimal
    band: StressBand


class AssessmentRow(OutputModel):
    id: UUID
    version: int
    hazard: HazardRef
    subject: SubjectRef
    title: str
    assessor_name: str
    assessed_on: date
    next_review_on: date
    state: AssessmentState
    suitable_and_sufficient: bool
    missing_items: list[ChecklistItem]
    review_overdue: bool
    review_days_overdue: int


class AssessmentRead(AssessmentRow):
    assessor_competence: str | None
    persons_at_risk: str | None
    significant_findings: str | None
    actions: list[ActionOut]
    review_interval_months: int
    checklist: list[ChecklistEntry]
    superseded_by_id: UUID | None
    indicator_findings: list[StressFindingOut] | None = Field(
        description="Work-related stress on a team: scales of the team's latest Indicator Tool survey below target"
    )
    created_at: datetime
    updated_at: datetime


# --- legionella ---------------------------------------------------------------------------------------------


class ReadingIn(InputModel):
    outlet: ShortText = Field(description='Which outlet, as named in the written scheme, e.g. "GF kitchen sink"')
    kind: OutletKind
    water: Water
    taken_on: IsoDate
    temperature_c: Temperature
    run_seconds: Annotated[WholeNumber, Field(ge=0, le=3600)] | None = Field(
        default=None, description="Seconds the outlet ran before the reading (hot: within 60; cold: up to 120)"
    )
    taken_by: ShortText | None = None
    notes: Text | None = None


class ReadingsCreate(InputModel):
    readings: Annotated[list[ReadingIn], Field(min_length=1, max_length=1000)]


class ReadingsImport(InputModel):
    csv: Annotated[str, Field(min_length=1, max_length=MAX_UPLOAD_CHARS)] = Field(
        description="The monitoring log as CSV text (header line first). Columns: outlet, kind, water, date, "
        "temperature; optional: seconds, taken by, notes. Dates as YYYY-MM-DD or DD/MM/YYYY."
    )
    mapping: Annotated[dict[str, Annotated[str, Field(max_length=200)]], Field(max_length=20)] | None = Field(
        default=None, description='Explicit column for a field, e.g. {"temperature_c": "Temp (C)"}'
    )


class ReadingRead(OutputModel):
    id: UUID
    site_id: UUID
    control_id: UUID | None
    check_id: UUID | None
    outlet: str
    kind: OutletKind
    water: Water
    taken_on: date
    temperature_c: Decimal
    run_seconds: int | None
    taken_by: str | None
    notes: str | None
    passed: bool
    requirement: str
    created_at: datetime


class MonitoringCheckOut(OutputModel):
    id: UUID
    control_id: UUID
    template_code: str | None
    checked_on: date
    outcome: CheckOutcome


class ReadingsResult(OutputModel):
    site: SubjectRef
    created: int
    failed: int
    readings: list[ReadingRead]
    checks: list[MonitoringCheckOut] = Field(description="The control checks the readings made or updated")
    warnings: list[str] = Field(description="Readings kept but linked to no control (none applied at the site)")


class ThresholdOut(OutputModel):
    kinds: list[OutletKind]
    water: Water
    requirement: str
    control_template: str
    source: str
    confidence: str


class LegionellaStatusRead(OutputModel):
    site: SubjectRef
    as_of: date
    status: LegionellaSiteStatus
    controls: list[ControlRow]
    latest_readings: list[ReadingRead] = Field(description="The latest reading at each outlet and water")
    failing_points: list[ReadingRead] = Field(description="Outlets whose latest reading fails")
    assessment: AssessmentRow | None = Field(description="The current legionella risk assessment, if any")
    thresholds: list[ThresholdOut]


# --- work-related stress ------------------------------------------------------------------------------------


class SurveyImport(InputModel):
    surveyed_on: IsoDate
    invited: Annotated[WholeNumber, Field(ge=1, le=100_000)] | None = Field(
        default=None, description="How many were asked to respond (gives the response rate)"
    )
    csv: Annotated[str, Field(min_length=1, max_length=MAX_UPLOAD_CHARS)] = Field(
        description="One line per respondent, columns q1..q35 (or 1..35, 'Item 1'...), answers 1-5, blank if "
        "not answered"
    )


class ScaleOut(OutputModel):
    scale: StressScale
    name: str
    score: Decimal | None
    respondents: int
    band: StressBand | None
    target: Decimal
    below_target: bool


class SurveyRead(Audited):
    team_id: UUID
    surveyed_on: date
    invited: int | None
    responses: int
    response_rate: Decimal | None = Field(description="Per cent of those invited")
    response_rate_label: str | None = Field(description="HSE guide: >50% adequate ... >80% very good; else low")
    scales: list[ScaleOut]
    findings: list[StressFindingOut]
    benchmark_note: str


class AbsenceCreate(InputModel):
    period_start: IsoDate
    period_end: IsoDate
    fte: Fte = Field(description="Full-time equivalent staff in the period")
    days_lost: Days = Field(description="Working days lost to sickness absence")
    mental_health_days_lost: Days | None = Field(default=None, description="Of which mental ill health")


class AbsenceRead(Audited):
    team_id: UUID
    period_start: date
    period_end: date
    fte: Decimal
    days_lost: Decimal
    mental_health_days_lost: Decimal | None
    days_per_fte: Decimal
    mental_health_share: Decimal | None = Field(description="Per cent of days lost for mental ill health")


class TeamStressRead(OutputModel):
    team: SubjectRef
    as_of: date
    latest_survey: SurveyRead | None
    previous_survey: SurveyRead | None
    score_changes: dict[StressScale, Decimal | None] = Field(description="Latest minus previous, per scale")
    absence: list[AbsenceRead]
    assessment: AssessmentRow | None = Field(description="The team's current work-related stress assessment")
