"""The alignment reports as plain functions over plain facts (no database, no graph library).

The facts are gathered from the graph (alignment/graph.py); every derived fact they carry (a control's
status, an assessment's suitability, a risk's appetite) was computed by its own domain's one rule function.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Uncontrolled(StrEnum):
    NO_CONTROLS = "no_controls_linked"
    CONTROL_OVERDUE = "control_overdue"
    LAST_CHECK_FAILED = "last_check_failed"
    ASSESSMENT_NOT_SUITABLE = "assessment_not_suitable_and_sufficient"
    ASSESSMENT_REVIEW_OVERDUE = "assessment_review_overdue"
    ABOVE_APPETITE_WITHOUT_OPEN_ACTION = "above_appetite_without_open_action"
    ACTION_OVERDUE = "action_overdue"


@dataclass(frozen=True)
class ControlFacts:
    id: str
    overdue: bool
    last_check_failed: bool


@dataclass(frozen=True)
class AssessmentFacts:
    id: str
    suitable_and_sufficient: bool
    review_overdue: bool


@dataclass(frozen=True)
class ActionFacts:
    id: str
    open: bool
    overdue: bool


@dataclass(frozen=True)
class RiskFacts:
    id: str
    reference: str
    title: str
    area_code: str | None  # None: a national risk
    residual_score: int
    above_appetite: bool
    is_open: bool = True
    applies_to_every_area: bool = False  # national risks only
    controls: tuple[ControlFacts, ...] = ()
    assessments: tuple[AssessmentFacts, ...] = ()
    actions: tuple[ActionFacts, ...] = ()

    @property
    def is_national(self) -> bool:
        return self.area_code is None


@dataclass(frozen=True)
class Reason:
    code: Uncontrolled
    subject_id: str | None = None  # the control, assessment or action concerned


def uncontrolled_reasons(risk: RiskFacts) -> list[Reason]:
    """Every reason a risk is not under control; empty when it is."""
    reasons: list[Reason] = []
    if not risk.controls:
        reasons.append(Reason(Uncontrolled.NO_CONTROLS))
    for control in risk.controls:
        if control.overdue:
            reasons.append(Reason(Uncontrolled.CONTROL_OVERDUE, control.id))
        if control.last_check_failed:
            reasons.append(Reason(Uncontrolled.LAST_CHECK_FAILED, control.id))
    for assessment in risk.assessments:
        if not assessment.suitable_and_sufficient:
            reasons.append(Reason(Uncontrolled.ASSESSMENT_NOT_SUITABLE, assessment.id))
        if assessment.review_overdue:
            reasons.append(Reason(Uncontrolled.ASSESSMENT_REVIEW_OVERDUE, assessment.id))
    if risk.above_appetite and not any(a.open for a in risk.actions):
        reasons.append(Reason(Uncontrolled.ABOVE_APPETITE_WITHOUT_OPEN_ACTION))
    reasons.extend(Reason(Uncontrolled.ACTION_OVERDUE, a.id) for a in risk.actions if a.overdue)
    return reasons


@dataclass
class AreaAlignment:
    area_code: str
    risks: int = 0
    aligned: int = 0
    unaligned_ids: list[str] = field(default_factory=list)
    coverage_gap_ids: list[str] = field(default_factory=list)  # national risks for every Area with no counterpart

    @property
    def unaligned(self) -> int:
        return self.risks - self.aligned

    @property
    def aligned_share(self) -> float | None:
        return round(self.aligned / self.risks, 4) if self.risks else None


def alignment_by_area(
    area_codes: Iterable[str], risks: Sequence[RiskFacts], confirmed: Iterable[tuple[str, str]]
) -> list[AreaAlignment]:
    """Per Area: open Area risks, how many have at least one confirmed link to a national risk, the unaligned
    ones, and national risks marked as applying to every Area that no risk of that Area aligns with."""
    links_by_area_risk: defaultdict[str, set[str]] = defaultdict(set)
    for area_risk_id, national_id in confirmed:
        links_by_area_risk[area_risk_id].add(national_id)
    report = {code: AreaAlignment(code) for code in area_codes}
    covered: defaultdict[str, set[str]] = defaultdict(set)
    for risk in risks:
        if risk.is_national or not risk.is_open or risk.area_code not in report:
            continue
        entry = report[risk.area_code]
        entry.risks += 1
        if links_by_area_risk[risk.id]:
            entry.aligned += 1
            covered[risk.area_code] |= links_by_area_risk[risk.id]
        else:
            entry.unaligned_ids.append(risk.id)
    for_every_area = [r.id for r in risks if r.is_national and r.is_open and r.applies_to_every_area]
    for code, entry in report.items():
        entry.coverage_gap_ids = [n for n in for_every_area if n not in covered[code]]
    return list(report.values())


def national_share(report: Sequence[AreaAlignment]) -> float | None:
    risks = sum(a.risks for a in report)
    return round(sum(a.aligned for a in report) / risks, 4) if risks else None


@dataclass(frozen=True)
class Divergence:
    area_risk_id: str
    national_risk_id: str
    area_residual: int
    national_residual: int
    reasons: tuple[str, ...]


def divergence(area: RiskFacts, national: RiskFacts, margin: int) -> Divergence | None:
    """An aligned pair diverges when residual scores differ by at least ``margin`` or exactly one side is
    above its appetite."""
    reasons = []
    gap = abs(area.residual_score - national.residual_score)
    if gap >= margin:
        reasons.append(f"residual scores differ by {gap}")
    if area.above_appetite != national.above_appetite:
        side = "Area" if area.above_appetite else "national"
        reasons.append(f"only the {side} risk is above appetite")
    if not reasons:
        return None
    return Divergence(area.id, national.id, area.residual_score, national.residual_score, tuple(reasons))


def is_escalation_candidate(risk: RiskFacts, aligned: bool, threshold: int) -> bool:
    """An open Area risk with no national counterpart whose residual score is at or above the threshold."""
    return not risk.is_national and risk.is_open and not aligned and risk.residual_score >= threshold
