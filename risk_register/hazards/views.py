"""Records as the API shows them, each derived fact from the one rule in hazards/rules.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from risk_register.core.context import Context
from risk_register.estates.enums import SiteType
from risk_register.hazards import rules
from risk_register.hazards.config import Frequency, HazardRules, StressRules
from risk_register.hazards.enums import AssessmentState, ChecklistItem, FrequencyUnit, StressScale, SubjectKind
from risk_register.hazards.models import (
    ControlCheck,
    HazardControl,
    LegionellaReading,
    RiskAssessment,
    SicknessAbsence,
    StressSurvey,
)
from risk_register.hazards.schemas import (
    AbsenceRead,
    ActionOut,
    AssessmentRead,
    AssessmentRow,
    ChecklistEntry,
    CheckRead,
    ControlRead,
    ControlRow,
    FrequencyOut,
    HazardOut,
    HazardRef,
    ReadingRead,
    ScaleOut,
    StressFindingOut,
    SubjectRef,
    SurveyRead,
    TemplateOut,
)
from risk_register.organisation.reference import Organisation


@dataclass(frozen=True)
class Subject:
    """The site or team a control, assessment, reading or survey belongs to, as plain data."""

    kind: SubjectKind
    id: UUID
    code: str
    name: str
    site_type: SiteType | None
    region_code: str
    pdu_code: str | None
    area_code: str

    def ref(self) -> SubjectRef:
        return SubjectRef(
            kind=self.kind,
            id=self.id,
            code=self.code,
            name=self.name,
            site_type=self.site_type,
            region_code=self.region_code,
            area_code=self.area_code,
            pdu_code=self.pdu_code,
        )


def subject_of_site(site: Any) -> Subject:
    return Subject(
        SubjectKind.SITE,
        site.id,
        site.code,
        site.name,
        SiteType(site.site_type),
        site.region_code,
        site.pdu_code,
        site.area_code,
    )


def subject_of_team(team: Any) -> Subject:
    return Subject(
        SubjectKind.TEAM, team.id, team.code, team.name, None, team.region_code, team.pdu_code, team.area_code
    )


def subject_of(record: Any) -> Subject:
    """The subject of an ORM control or assessment (site and team are loaded with it)."""
    return subject_of_site(record.site) if record.site_id is not None else subject_of_team(record.team)


def subject_of_row(row: Any, organisation: Organisation) -> Subject:
    """The subject of a row selected with queries.control_columns (or the same labels)."""
    if row.site_id is not None:
        region = row.site_region_code
        return Subject(
            SubjectKind.SITE,
            row.site_id,
            row.site_code,
            row.site_name,
            SiteType(row.site_type),
            region,
            row.site_pdu_code,
            organisation.area_of_region(region) or "",
        )
    region = row.team_region_code
    return Subject(
        SubjectKind.TEAM,
        row.team_id,
        row.team_code,
        row.team_name,
        None,
        region,
        row.team_pdu_code,
        organisation.area_of_region(region) or "",
    )


def hazard_ref(code: str, hazard_rules: HazardRules) -> HazardRef:
    hazard = hazard_rules.hazard(code)
    return HazardRef(code=code, name=hazard.name if hazard else code)


def frequency_out(unit: FrequencyUnit | str, count: int) -> FrequencyOut:
    frequency = Frequency(FrequencyUnit(unit), count)
    return FrequencyOut(unit=frequency.unit, count=count, description=frequency.describe())


def hazard_out(code: str, hazard_rules: HazardRules) -> HazardOut:
    hazard = hazard_rules.hazards[code]
    return HazardOut(
        code=hazard.code,
        name=hazard.name,
        subject=hazard.subject,
        site_types=sorted(hazard.site_types),
        basis=hazard.basis,
        source=hazard.source,
        confidence=hazard.confidence,
        review_interval_months=hazard.review_interval_months,
        review_confidence=hazard.review_confidence,
        controls=[
            TemplateOut(
                code=t.code,
                title=t.title,
                frequency=frequency_out(t.frequency.unit, t.frequency.count),
                basis=t.basis,
                confidence=t.confidence,
            )
            for t in hazard.controls
        ],
    )


# --- controls -----------------------------------------------------------------------------------------------


def _control_fields(values: Any, subject: Subject, ctx: Context) -> dict[str, Any]:
    next_due: date = values.next_due_on
    retired_on: date | None = values.retired_on
    overdue = rules.is_overdue(next_due, ctx.today, retired_on)
    return {
        "id": values.id,
        "version": values.version,
        "hazard": hazard_ref(values.hazard_code, ctx.hazard_rules),
        "template_code": values.template_code,
        "title": values.title,
        "owner": values.owner,
        "frequency": frequency_out(values.frequency_unit, values.frequency_count),
        "subject": subject.ref(),
        "first_due_on": values.first_due_on,
        "next_due_on": next_due,
        "last_checked_on": values.last_checked_on,
        "last_outcome": values.last_outcome,
        "status": rules.control_status(values.last_outcome, next_due, ctx.today, retired_on),
        "overdue": overdue,
        "days_overdue": rules.days_overdue(next_due, ctx.today, retired_on),
        "overdue_since": rules.overdue_since(next_due) if overdue else None,
        "failing": rules.is_failing(values.last_outcome, retired_on),
        "retired_on": retired_on,
    }


def control_row(row: Any, ctx: Context) -> ControlRow:
    """A row selected with queries.control_columns."""
    return ControlRow.model_validate(_control_fields(row, subject_of_row(row, ctx.organisation), ctx))


def control_row_of(control: HazardControl, ctx: Context) -> ControlRow:
    return ControlRow.model_validate(_control_fields(control, subject_of(control), ctx))


def control_read(control: HazardControl, ctx: Context) -> ControlRead:
    return ControlRead.model_validate(
        {
            **_control_fields(control, subject_of(control), ctx),
            "description": control.description,
            "basis": control.basis,
            "created_at": control.created_at,
            "updated_at": control.updated_at,
        }
    )


def check_read(check: ControlCheck) -> CheckRead:
    return CheckRead.model_validate(check)


# --- assessments --------------------------------------------------------------------------------------------


def action_facts(actions: Sequence[Mapping[str, Any]]) -> list[rules.ActionFact]:
    return [
        rules.ActionFact(
            owner=a.get("owner"),
            due_on=_as_date(a.get("due_on")),
            completed_on=_as_date(a.get("completed_on")),
        )
        for a in actions
    ]


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def checklist_of(raw: Mapping[str, bool]) -> dict[ChecklistItem, bool]:
    known = {i.value for i in ChecklistItem}
    return {ChecklistItem(k): bool(v) for k, v in raw.items() if k in known}


def assessment_suitability(assessment: RiskAssessment, hazard_rules: HazardRules) -> rules.Suitability:
    """The one suitable-and-sufficient rule applied to a stored assessment."""
    return rules.suitability(
        checklist_of(assessment.checklist),
        required=hazard_rules.required_items,
        assessor_name=assessment.assessor_name,
        significant_findings=assessment.significant_findings,
        actions=action_facts(assessment.actions),
        next_review_on=assessment.next_review_on,
    )


def _assessment_fields(values: Any, subject: Subject, ctx: Context) -> dict[str, Any]:
    superseded = values.superseded_by_id is not None
    return {
        "id": values.id,
        "version": values.version,
        "hazard": hazard_ref(values.hazard_code, ctx.hazard_rules),
        "subject": subject.ref(),
        "title": values.title,
        "assessor_name": values.assessor_name,
        "assessed_on": values.assessed_on,
        "next_review_on": values.next_review_on,
        "state": AssessmentState.SUPERSEDED if superseded else AssessmentState.CURRENT,
        "suitable_and_sufficient": values.suitable_and_sufficient,
        "missing_items": list(values.missing_items),
        "review_overdue": rules.review_overdue(values.next_review_on, ctx.today, superseded),
        "review_days_overdue": rules.review_days_overdue(values.next_review_on, ctx.today, superseded),
    }


def assessment_row(row: Any, ctx: Context) -> AssessmentRow:
    return AssessmentRow.model_validate(_assessment_fields(row, subject_of_row(row, ctx.organisation), ctx))


def assessment_row_of(assessment: RiskAssessment, ctx: Context) -> AssessmentRow:
    return AssessmentRow.model_validate(_assessment_fields(assessment, subject_of(assessment), ctx))


def assessment_read(
    assessment: RiskAssessment, ctx: Context, indicator_findings: list[StressFindingOut] | None
) -> AssessmentRead:
    hazard_rules = ctx.hazard_rules
    recorded = checklist_of(assessment.checklist)
    missing = set(assessment.missing_items)
    required = set(hazard_rules.required_items)
    checklist = [
        ChecklistEntry(
            item=item,
            description=description,
            recorded=recorded.get(item),
            required=item in required,
            met=item not in missing and recorded.get(item) is True,
        )
        for item, description in hazard_rules.checklist_items.items()
    ]
    actions = [
        ActionOut(
            description=fact_source["description"],
            owner=fact.owner,
            due_on=fact.due_on,
            completed_on=fact.completed_on,
            overdue=rules.action_overdue(fact.due_on, fact.completed_on, ctx.today),
        )
        for fact_source, fact in zip(assessment.actions, action_facts(assessment.actions), strict=True)
    ]
    return AssessmentRead.model_validate(
        {
            **_assessment_fields(assessment, subject_of(assessment), ctx),
            "assessor_competence": assessment.assessor_competence,
            "persons_at_risk": assessment.persons_at_risk,
            "significant_findings": assessment.significant_findings,
            "actions": actions,
            "review_interval_months": assessment.review_interval_months,
            "checklist": checklist,
            "superseded_by_id": assessment.superseded_by_id,
            "indicator_findings": indicator_findings,
            "created_at": assessment.created_at,
            "updated_at": assessment.updated_at,
        }
    )


# --- legionella and stress ------------------------------------------------------------------------------------


def reading_read(reading: LegionellaReading) -> ReadingRead:
    return ReadingRead.model_validate(reading)


def scores_of(survey: StressSurvey, stress: StressRules) -> dict[StressScale, rules.ScaleResult]:
    """The stored scores back as rule results (stored as strings so JSON keeps them exact)."""
    counts = survey.scale_scores.get("_respondents") or {}
    return {
        scale: rules.ScaleResult(
            scale=scale,
            score=Decimal(value) if (value := survey.scale_scores.get(scale.value)) is not None else None,
            respondents=int(counts.get(scale.value, 0)) if isinstance(counts, dict) else 0,
        )
        for scale in stress.scales
    }


def stored_scores(scores: Mapping[StressScale, rules.ScaleResult]) -> dict[str, Any]:
    stored: dict[str, Any] = {s.value: (str(r.score) if r.score is not None else None) for s, r in scores.items()}
    stored["_respondents"] = {s.value: r.respondents for s, r in scores.items()}
    return stored


def findings_out(scores: Mapping[StressScale, rules.ScaleResult], stress: StressRules) -> list[StressFindingOut]:
    return [
        StressFindingOut(scale=f.scale, name=f.name, score=f.score, target=f.target, band=f.band)
        for f in rules.stress_findings(scores, stress)
    ]


def survey_read(survey: StressSurvey, stress: StressRules) -> SurveyRead:
    scores = scores_of(survey, stress)
    rate = rules.response_rate(survey.responses, survey.invited)
    scales = [
        ScaleOut(
            scale=scale,
            name=stress.scales[scale].name,
            score=result.score,
            respondents=result.respondents,
            band=rules.stress_band(result.score, stress.benchmark[scale]) if result.score is not None else None,
            target=stress.benchmark[scale].target,
            below_target=result.score is not None and rules.below_target(result.score, stress.benchmark[scale]),
        )
        for scale, result in scores.items()
    ]
    return SurveyRead(
        id=survey.id,
        version=survey.version,
        created_at=survey.created_at,
        updated_at=survey.updated_at,
        team_id=survey.team_id,
        surveyed_on=survey.surveyed_on,
        invited=survey.invited,
        responses=survey.responses,
        response_rate=rate,
        response_rate_label=rules.response_rate_label(rate, stress),
        scales=scales,
        findings=findings_out(scores, stress),
        benchmark_note=f"[{stress.benchmark_confidence}] {stress.benchmark_note}",
    )


def absence_read(record: SicknessAbsence) -> AbsenceRead:
    return AbsenceRead(
        id=record.id,
        version=record.version,
        created_at=record.created_at,
        updated_at=record.updated_at,
        team_id=record.team_id,
        period_start=record.period_start,
        period_end=record.period_end,
        fte=record.fte,
        days_lost=record.days_lost,
        mental_health_days_lost=record.mental_health_days_lost,
        days_per_fte=rules.absence_per_fte(record.days_lost, record.fte),
        mental_health_share=rules.mental_health_share(record.days_lost, record.mental_health_days_lost),
    )
