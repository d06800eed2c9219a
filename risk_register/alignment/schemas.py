from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from risk_register.alignment.models import LinkSource, LinkStatus
from risk_register.core.schemas import Flag, InputModel, OutputModel, PatchModel, Text


class LinkCreate(InputModel):
    area_risk_id: UUID
    national_risk_id: UUID
    rationale: Text | None = None
    status: Literal["confirmed", "suggested"] = "confirmed"


class LinkDecision(InputModel):
    rationale: Text | None = None


class SuggestionAccept(InputModel):
    area_risk_id: UUID
    national_risk_id: UUID
    rationale: Text | None = None


class LinkRead(OutputModel):
    id: UUID
    version: int
    area_risk_id: UUID
    national_risk_id: UUID
    status: LinkStatus
    source: LinkSource
    rationale: str | None
    score: float | None
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime


class ProblemItem(OutputModel):
    field: str
    reason: str


class ReconcileResult(OutputModel):
    created: list[LinkRead]
    problems: list[ProblemItem]


class SuggestionOut(OutputModel):
    national_risk_id: UUID
    reference: str
    title: str
    score: float
    text_similarity: float
    same_category: bool
    shared_links: list[str]


class RiskSuggestions(OutputModel):
    area_risk_id: UUID
    reference: str
    title: str
    area_code: str | None
    suggestions: list[SuggestionOut]


class SuggestionsReport(OutputModel):
    as_of: date
    risks: list[RiskSuggestions]


class RiskRef(OutputModel):
    id: UUID
    reference: str
    title: str
    area_code: str | None
    residual_score: int
    above_appetite: bool


class AreaAlignmentOut(OutputModel):
    area_code: str
    name: str
    risks: int
    aligned: int
    unaligned: int
    aligned_share: float | None
    unaligned_risks: list[RiskRef]
    coverage_gaps: list[RiskRef]


class AlignmentReport(OutputModel):
    as_of: date
    aligned_share: float | None
    areas: list[AreaAlignmentOut]


class DivergencePair(OutputModel):
    area_risk: RiskRef
    national_risk: RiskRef
    reasons: list[str]


class DivergenceReport(OutputModel):
    as_of: date
    margin: int
    pairs: list[DivergencePair]


class EscalationReport(OutputModel):
    as_of: date
    threshold: int
    risks: list[RiskRef]


class ReasonOut(OutputModel):
    code: str
    subject_id: UUID | None
    subject: str | None


class UncontrolledRisk(RiskRef):
    reasons: list[ReasonOut]


class UncontrolledReport(OutputModel):
    as_of: date
    risks: list[UncontrolledRisk]


class CoverageCreate(InputModel):
    national_risk_id: UUID
    applies_to_every_area: Flag = True
    rationale: Text | None = None


class CoverageUpdate(PatchModel):
    clearable = frozenset({"rationale"})

    applies_to_every_area: Flag | None = None
    rationale: Text | None = None


class CoverageRead(OutputModel):
    id: UUID
    version: int
    national_risk_id: UUID
    applies_to_every_area: bool
    rationale: str | None
