"""Request and response bodies for the registers API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from risk_register.core.schemas import Code, InputModel, IsoDate, OutputModel, PatchModel, ShortText, Text, WholeNumber
from risk_register.registers.enums import (
    ActionStatus,
    AppetiteLevel,
    ChangeKind,
    ChangeSource,
    LinkKind,
    Rag,
    RegisterLevel,
    RiskStatus,
)
from risk_register.registers.rules import MATRIX_SIZE, Assessment, Band, RegisterRules, assess, is_action_overdue

REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$"
RiskReference = Annotated[
    str,
    Field(
        min_length=1,
        max_length=32,
        pattern=REFERENCE_PATTERN,
        description="Unique within its register; letters, digits, spaces and . _ / -",
        examples=["NW-012"],
    ),
]
Level = Annotated[WholeNumber, Field(ge=1, le=MATRIX_SIZE, description="1 (lowest) to 5, see GET /api/risk-matrix")]
CategoryCode = Annotated[Code, Field(description="A category code from GET /api/risk-matrix")]
EffectiveOn = Annotated[
    IsoDate | None,
    Field(
        description="The day the change takes effect in the register's history (default today); not in the future "
        "and not before the risk's last recorded change"
    ),
]


class Audited(OutputModel):
    id: UUID
    version: int
    created_at: datetime
    updated_at: datetime


# --- the matrix and taxonomy ---------------------------------------------------------------------------


class LevelOut(OutputModel):
    score: int
    label: str
    description: str


class BandOut(OutputModel):
    code: str
    label: str
    min_score: int
    max_score: int
    rag: Rag
    colour: str
    font_colour: str


class AppetiteOut(OutputModel):
    level: AppetiteLevel
    label: str
    description: str
    tolerance: int = Field(description="The highest residual score within this appetite")


class CategoryOut(OutputModel):
    code: str
    label: str
    appetite: AppetiteLevel
    tolerance: int
    aliases: list[str]


class MatrixOut(OutputModel):
    likelihood: list[LevelOut]
    impact: list[LevelOut]
    bands: list[BandOut]
    words: dict[str, dict[str, int]]
    appetite_levels: list[AppetiteOut]
    categories: list[CategoryOut]
    hazard_types: list[str] | None = Field(description="Hazard catalogue codes a link may name; null: any code")


def matrix_out(rules: RegisterRules) -> MatrixOut:
    return MatrixOut(
        likelihood=[LevelOut.model_validate(lv) for lv in rules.likelihood],
        impact=[LevelOut.model_validate(lv) for lv in rules.impact],
        bands=[BandOut.model_validate(b) for b in rules.bands],
        words={axis.value: dict(table) for axis, table in rules.words.items()},
        appetite_levels=[AppetiteOut.model_validate(a) for a in rules.appetites.values()],
        categories=[
            CategoryOut(
                code=c.code,
                label=c.label,
                appetite=c.appetite,
                tolerance=rules.appetites[c.appetite].tolerance,
                aliases=list(c.aliases),
            )
            for c in rules.categories.values()
        ],
        hazard_types=sorted(rules.hazard_types) if rules.hazard_types is not None else None,
    )


# --- registers -----------------------------------------------------------------------------------------


class RegisterCreate(InputModel):
    """A regional register (the national and Area registers exist already)."""

    region_code: Code
    name: ShortText | None = Field(default=None, description="Default: '<region> regional risk register'")
    owner: ShortText
    description: Text | None = None


class RegisterUpdate(PatchModel):
    clearable = frozenset({"description"})

    name: ShortText | None = None
    owner: ShortText | None = None
    description: Text | None = None


class RegisterRef(OutputModel):
    id: UUID
    level: RegisterLevel
    area_code: str | None
    region_code: str | None
    name: str


class RegisterRead(Audited):
    level: RegisterLevel
    area_code: str | None
    region_code: str | None
    name: str
    owner: str
    description: str | None
    risks_by_status: dict[str, int] = Field(description="How many risks the register holds in each status")


# --- risks ---------------------------------------------------------------------------------------------


class RiskCreate(InputModel):
    reference: RiskReference
    title: ShortText
    description: Text | None = None
    cause: Text | None = None
    effect: Text | None = None
    category: CategoryCode
    owner: ShortText
    inherent_likelihood: Level | None = None
    inherent_impact: Level | None = None
    residual_likelihood: Level
    residual_impact: Level
    target_likelihood: Level | None = None
    target_impact: Level | None = None
    status: RiskStatus = RiskStatus.OPEN
    identified_on: IsoDate
    last_reviewed_on: IsoDate | None = None
    next_review_on: IsoDate | None = None
    national_reference: RiskReference | None = Field(
        default=None, description="The national register risk this Area or regional risk aligns with"
    )
    effective_on: EffectiveOn = None


class RiskUpdate(PatchModel):
    clearable = frozenset(
        {
            "description",
            "cause",
            "effect",
            "inherent_likelihood",
            "inherent_impact",
            "target_likelihood",
            "target_impact",
            "last_reviewed_on",
            "next_review_on",
            "national_reference",
            "effective_on",
        }
    )

    reference: RiskReference | None = None
    title: ShortText | None = None
    description: Text | None = None
    cause: Text | None = None
    effect: Text | None = None
    category: CategoryCode | None = None
    owner: ShortText | None = None
    inherent_likelihood: Level | None = None
    inherent_impact: Level | None = None
    residual_likelihood: Level | None = None
    residual_impact: Level | None = None
    target_likelihood: Level | None = None
    target_impact: Level | None = None
    status: RiskStatus | None = None
    identified_on: IsoDate | None = None
    last_reviewed_on: IsoDate | None = None
    next_review_on: IsoDate | None = None
    national_reference: RiskReference | None = None
    effective_on: EffectiveOn = None


class BandRef(OutputModel):
    code: str
    label: str
    rag: Rag
    colour: str


class AppetiteRef(OutputModel):
    level: AppetiteLevel
    tolerance: int


class RiskData(OutputModel):
    reference: str
    title: str
    description: str | None
    cause: str | None
    effect: str | None
    category: str
    owner: str
    inherent_likelihood: int | None
    inherent_impact: int | None
    residual_likelihood: int
    residual_impact: int
    target_likelihood: int | None
    target_impact: int | None
    status: RiskStatus
    identified_on: date
    last_reviewed_on: date | None
    next_review_on: date | None
    national_reference: str | None


class Derived(OutputModel):
    inherent_score: int | None
    residual_score: int | None
    target_score: int | None
    inherent_band: BandRef | None
    residual_band: BandRef | None
    target_band: BandRef | None
    appetite: AppetiteRef | None
    above_appetite: bool = Field(description="Residual score above the tolerance of the category's appetite")
    review_overdue: bool = Field(description="Not closed and next review before today (or the as-at date)")


class RiskRead(Audited, RiskData, Derived):
    register_id: UUID
    register_level: RegisterLevel
    register_name: str
    area_code: str | None = Field(description="The register's HMPPS Area (null for the national register)")


class RiskVersionRead(RiskData, Derived):
    id: UUID
    risk_id: UUID
    version_no: int
    valid_from: date
    valid_to: date | None
    recorded_at: datetime
    recorded_by: str
    source: ChangeSource
    import_id: UUID | None
    changed: list[str] = Field(description="Fields that differ from the previous version (all, for the first)")


class RiskSnapshot(RiskData, Derived):
    """A risk as it stood at the end of a past day."""

    risk_id: UUID
    version_no: int
    valid_from: date


def _band(band: Band | None) -> dict[str, Any] | None:
    return None if band is None else {"code": band.code, "label": band.label, "rag": band.rag, "colour": band.colour}


def derived(assessment: Assessment) -> dict[str, Any]:
    """The derived fields of a read, from rules.assess (the one place they are computed)."""
    return {
        "inherent_score": assessment.inherent_score,
        "residual_score": assessment.residual_score,
        "target_score": assessment.target_score,
        "inherent_band": _band(assessment.inherent_band),
        "residual_band": _band(assessment.residual_band),
        "target_band": _band(assessment.target_band),
        "appetite": None
        if assessment.appetite is None
        else {"level": assessment.appetite.level, "tolerance": assessment.appetite.tolerance},
        "above_appetite": assessment.above_appetite,
        "review_overdue": assessment.review_overdue,
    }


def _fields(record: Any, model: type[OutputModel]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in model.model_fields if hasattr(record, name)}


def risk_read(risk: Any, rules: RegisterRules, today: date) -> RiskRead:
    return RiskRead.model_validate({**_fields(risk, RiskRead), **derived(assess(risk, rules, today))})


def version_read(version: Any, rules: RegisterRules, today: date) -> RiskVersionRead:
    data = _fields(version, RiskVersionRead)
    data["recorded_at"] = version.created_at
    return RiskVersionRead.model_validate({**data, **derived(assess(version, rules, today))})


def snapshot_read(version: Any, rules: RegisterRules, as_at: date) -> RiskSnapshot:
    return RiskSnapshot.model_validate({**_fields(version, RiskSnapshot), **derived(assess(version, rules, as_at))})


class SnapshotBrief(OutputModel):
    version_no: int
    status: RiskStatus
    residual_score: int | None
    residual_band: str | None


class ChangeItem(OutputModel):
    risk_id: UUID
    reference: str
    title: str
    kinds: list[ChangeKind]
    before: SnapshotBrief | None = Field(description="The risk at the end of the 'from' day; null: not yet there")
    after: SnapshotBrief


class ChangesReport(OutputModel):
    register_id: UUID
    from_date: date = Field(description="Compared at the end of this day ...")
    to_date: date = Field(description="... with the end of this day")
    counts: dict[ChangeKind, int]
    items: list[ChangeItem]
    total: int
    limit: int
    offset: int


class HeatMapOut(OutputModel):
    register_id: UUID
    as_of: date
    basis: str = Field(description="Which score's cells are counted: inherent, residual or target")
    statuses: list[RiskStatus]
    likelihood: list[LevelOut]
    impact: list[LevelOut]
    counts: list[list[int]] = Field(description="counts[likelihood - 1][impact - 1]")
    cell_bands: list[list[str]] = Field(description="The band code of each cell, same shape as counts")


# --- links ---------------------------------------------------------------------------------------------


class LinkCreate(InputModel):
    kind: LinkKind
    target: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            description="site: its id or site code; hazard_type: the catalogue code; control, assessment: the id",
        ),
    ]
    note: Text | None = None


class LinkRead(Audited):
    risk_id: UUID
    kind: LinkKind
    target: str
    site_id: UUID | None
    note: str | None


# --- mitigating actions --------------------------------------------------------------------------------


class ActionCreate(InputModel):
    description: Text
    owner: ShortText
    due_on: IsoDate
    status: ActionStatus = ActionStatus.PLANNED
    completed_on: IsoDate | None = None


class ActionUpdate(PatchModel):
    clearable = frozenset({"completed_on"})

    description: Text | None = None
    owner: ShortText | None = None
    due_on: IsoDate | None = None
    status: ActionStatus | None = None
    completed_on: IsoDate | None = None


class ActionRead(Audited):
    risk_id: UUID
    risk_reference: str
    register_id: UUID
    description: str
    owner: str
    due_on: date
    status: ActionStatus
    completed_on: date | None
    overdue: bool = Field(description="Still open and due before today")


def action_read(action: Any, today: date) -> ActionRead:
    data = _fields(action, ActionRead)
    data["risk_reference"] = action.risk.reference
    data["register_id"] = action.risk.register_id
    data["overdue"] = is_action_overdue(action.status, action.due_on, today)
    return ActionRead.model_validate(data)


# --- import --------------------------------------------------------------------------------------------


class ChangedRow(OutputModel):
    line: int
    reference: str
    fields: list[str]


class ImportResult(OutputModel):
    dry_run: bool
    register_id: UUID
    import_id: UUID | None = Field(description="The import log entry; null for a dry run")
    file_format: str
    rows: int
    effective_on: date
    columns: dict[str, str] = Field(description="Field -> the file's column it was read from")
    ignored_columns: list[str] = Field(description="Columns in the file this import does not read")
    created: list[str] = Field(description="References of risks created (or that would be)")
    changed: list[ChangedRow]
    unchanged: list[str]
    not_in_file: list[str] = Field(description="Risks in the register the file does not mention: left as they are")
    counts: dict[str, int]


class ImportRead(OutputModel):
    id: UUID
    register_id: UUID
    created_at: datetime
    filename: str | None
    file_format: str
    sha256: str
    rows: int
    created: int
    changed: int
    unchanged: int
    effective_on: date
    imported_by: str
    columns: dict[str, Any]
