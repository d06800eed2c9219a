"""Hazards services: Advanced Alchemy repository services plus the rules each write must keep.

Services never commit: the SQLAlchemy plugin commits after a 2xx response and rolls back otherwise, so a
refused request writes nothing. Every write first finds the record's site or team, then checks the writer may
act in that Area (accounts.scope.require), then validates.

Derived fields are written only through their one rule: a control's next_due_on / last_checked_on /
last_outcome through rules.control_state (refresh_control, on every check written or deleted and every change
of schedule); an assessment's suitable_and_sufficient / missing_items through rules.suitability.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from advanced_alchemy.filters import LimitOffset
from advanced_alchemy.mixins.uuid import uuid7
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import ColumnElement, and_, case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_scoped_session

from risk_register.accounts.roles import Permission
from risk_register.accounts.scope import require
from risk_register.core.concurrency import check_version
from risk_register.core.context import Context
from risk_register.core.errors import Conflict, FieldProblem, NotFound, RuleViolation, raise_if_any
from risk_register.estates.models import Site
from risk_register.estates.services import placement_problems
from risk_register.hazards import queries, rules, views
from risk_register.hazards.config import Frequency, Hazard
from risk_register.hazards.enums import (
    CheckOutcome,
    CheckSource,
    FrequencyUnit,
    StressScale,
    SubjectKind,
)
from risk_register.hazards.imports import ParsedReading, parse_readings_csv, parse_survey_csv
from risk_register.hazards.models import (
    ControlCheck,
    HazardControl,
    LegionellaReading,
    RiskAssessment,
    SicknessAbsence,
    StressSurvey,
    StressSurveyResponse,
    Team,
)
from risk_register.hazards.schemas import (
    AbsenceCreate,
    AssessmentCreate,
    AssessmentUpdate,
    CheckCreate,
    ControlCreate,
    ControlUpdate,
    HazardAreaCell,
    HazardAreaCount,
    MonitoringCheckOut,
    ReadingsImport,
    ReadingsResult,
    StressFindingOut,
    SurveyImport,
    TeamCreate,
    TeamUpdate,
)
from risk_register.hazards.views import Subject, subject_of, subject_of_site, subject_of_team

WRITE = Permission.HAZARDS_WRITE
Session = AsyncSession | async_scoped_session[AsyncSession]


def _apply(model: Any, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(model, name, value)


def _hazard(ctx: Context, code: str, field: str = "hazard_code") -> Hazard:
    hazard = ctx.hazard_rules.hazard(code)
    if hazard is None:
        raise RuleViolation.of(FieldProblem(field, f"unknown hazard {code!r} (see GET /api/hazards)"))
    return hazard


async def _site(session: Session, site_id: UUID, field: str = "site_id") -> Site:
    site = await session.get(Site, site_id)
    if site is None:
        raise RuleViolation.of(FieldProblem(field, f"no site with id {site_id}"))
    return site


async def _team(session: Session, team_id: UUID, field: str = "team_id") -> Team:
    team = await session.get(Team, team_id)
    if team is None:
        raise RuleViolation.of(FieldProblem(field, f"no team with id {team_id}"))
    return team


async def resolve_subject(session: Session, site_id: UUID | None, team_id: UUID | None) -> Subject:
    """The site or team named in a request body: exactly one of them, and it must exist (else 422)."""
    if (site_id is None) == (team_id is None):
        raise RuleViolation.of(FieldProblem("site_id", "give exactly one of site_id and team_id"))
    if site_id is not None:
        return subject_of_site(await _site(session, site_id))
    assert team_id is not None
    return subject_of_team(await _team(session, team_id))


async def site_subject(session: Session, site_id: UUID) -> Subject:
    """A site named in the URL: missing is a 404."""
    site = await session.get(Site, site_id)
    if site is None:
        raise NotFound(f"No site with id {site_id}")
    return subject_of_site(site)


async def team_subject(session: Session, team_id: UUID) -> Subject:
    team = await session.get(Team, team_id)
    if team is None:
        raise NotFound(f"No team with id {team_id}")
    return subject_of_team(team)


# --- teams --------------------------------------------------------------------------------------------------


class TeamRepository(SQLAlchemyAsyncRepository[Team]):
    model_type = Team


class TeamService(SQLAlchemyAsyncRepositoryService[Team, TeamRepository]):
    repository_type = TeamRepository
    count_with_window_function = False

    async def get_team(self, team_id: UUID) -> Team:
        team = await self.get_one_or_none(Team.id == team_id)
        if team is None:
            raise NotFound(f"No team with id {team_id}")
        return team

    async def _refuse_duplicate_code(self, code: str, except_id: UUID | None = None) -> None:
        existing = await self.get_one_or_none(Team.code == code)
        if existing is not None and existing.id != except_id:
            raise Conflict(f"Team code {code!r} is already used", [FieldProblem("code", "is already used")])

    async def create_team(self, data: TeamCreate, ctx: Context) -> Team:
        raise_if_any(placement_problems(ctx.organisation, data.region_code, data.pdu_code))
        require(WRITE, ctx.organisation.area_of_region(data.region_code))
        await self._refuse_duplicate_code(data.code)
        team = await self.create(Team(**data.model_dump()))
        return await self.get_team(team.id)

    async def update_team(self, team_id: UUID, data: TeamUpdate, ctx: Context, expected_version: int) -> Team:
        team = await self.get_team(team_id)
        require(WRITE, team.area_code)
        check_version(team, expected_version)
        changes = data.changes()
        if "code" in changes:
            await self._refuse_duplicate_code(changes["code"], except_id=team.id)
        if "region_code" in changes and "pdu_code" not in changes:
            changes["pdu_code"] = None  # the old PDU belongs to the old region
        _apply(team, changes)
        raise_if_any(placement_problems(ctx.organisation, team.region_code, team.pdu_code))
        # Moving a team to another Area is a write in both Areas.
        require(WRITE, ctx.organisation.area_of_region(team.region_code))
        await self.update(team)
        self.repository.session.expire(team, ["region"])
        return await self.get_team(team_id)

    async def delete_team(self, team_id: UUID, expected_version: int) -> None:
        team = await self.get_team(team_id)
        require(WRITE, team.area_code)
        check_version(team, expected_version)
        session = self.repository.session
        for child in (HazardControl, RiskAssessment, StressSurvey, SicknessAbsence):
            count = await session.scalar(select(func.count()).select_from(child).where(child.team_id == team_id))
            if count:
                raise Conflict(f"Team {team.code} has {count} {child.__tablename__.replace('_', ' ')} record(s)")
        await self.delete(team_id)


# --- controls -----------------------------------------------------------------------------------------------


def frequency_of(control: HazardControl) -> Frequency:
    return Frequency(FrequencyUnit(control.frequency_unit), control.frequency_count)


async def lock_controls(session: Session, condition: ColumnElement[bool]) -> None:
    """Take the row locks of the controls a write will recompute (PostgreSQL; SQLite writers are serialised
    at BEGIN IMMEDIATE), so two checks recorded at once queue instead of the second failing as stale."""
    await session.execute(select(HazardControl.id).where(condition).with_for_update())


async def refresh_control(session: Session, control: HazardControl) -> None:
    """Recompute a control's stored state from its schedule and its checks (rules.control_state)."""
    rows = (
        await session.execute(
            select(ControlCheck.checked_on, ControlCheck.outcome, ControlCheck.created_at, ControlCheck.id).where(
                ControlCheck.control_id == control.id
            )
        )
    ).all()
    facts = [rules.CheckFact(r.checked_on, CheckOutcome(r.outcome), (r.created_at, r.id.bytes)) for r in rows]
    state = rules.control_state(control.first_due_on, frequency_of(control), facts)
    control.next_due_on = state.next_due_on
    control.last_checked_on = state.last_checked_on
    control.last_outcome = state.last_outcome


@dataclass(frozen=True)
class ControlQuery:
    """A control list: where, which rule (overdue, due soon, failing, a status) and order."""

    where: queries.Where
    conditions: Sequence[ColumnElement[bool]]
    order: Sequence[Any]
    hazards: Sequence[str] = ()
    owner: str | None = None


class ControlRepository(SQLAlchemyAsyncRepository[HazardControl]):
    model_type = HazardControl


class ControlService(SQLAlchemyAsyncRepositoryService[HazardControl, ControlRepository]):
    repository_type = ControlRepository
    count_with_window_function = False

    @property
    def session(self) -> Session:
        return self.repository.session

    async def get_control(self, control_id: UUID) -> HazardControl:
        control = await self.get_one_or_none(HazardControl.id == control_id)
        if control is None:
            raise NotFound(f"No control with id {control_id}")
        return control

    def _check(self, control: HazardControl, subject: Subject, hazard: Hazard, ctx: Context) -> None:
        raise_if_any(
            rules.control_problems(
                subject=subject.kind,
                hazard_subject=hazard.subject,
                site_type=subject.site_type,
                hazard_site_types=hazard.site_types,
                first_due_on=control.first_due_on,
                retired_on=control.retired_on,
                today=ctx.today,
            )
        )

    async def create_control(self, data: ControlCreate, ctx: Context) -> HazardControl:
        hazard = _hazard(ctx, data.hazard_code)
        subject = await resolve_subject(self.session, data.site_id, data.team_id)
        require(WRITE, subject.area_code)
        template = None
        if data.template_code is not None:
            template = ctx.hazard_rules.template(data.template_code)
            if template is None or template.hazard_code != hazard.code:
                raise RuleViolation.of(
                    FieldProblem("template_code", f"is not a control template of the {hazard.code} hazard")
                )
        problems = []
        if template is None and data.title is None:
            problems.append(FieldProblem("title", "is required for a custom control"))
        if template is None and data.frequency is None:
            problems.append(FieldProblem("frequency", "is required for a custom control"))
        raise_if_any(problems)
        frequency = (
            Frequency(data.frequency.unit, data.frequency.count) if data.frequency is not None else template.frequency  # type: ignore[union-attr]
        )
        first_due = data.first_due_on or ctx.today
        state = rules.control_state(first_due, frequency, [])
        control = HazardControl(
            hazard_code=hazard.code,
            template_code=template.code if template else None,
            title=data.title or template.title,  # type: ignore[union-attr]
            description=data.description,
            basis=data.basis or (template.basis if template else None),
            site_id=subject.id if subject.kind == SubjectKind.SITE else None,
            team_id=subject.id if subject.kind == SubjectKind.TEAM else None,
            owner=data.owner,
            frequency_unit=frequency.unit,
            frequency_count=frequency.count,
            first_due_on=first_due,
            retired_on=None,
            next_due_on=state.next_due_on,
            last_checked_on=None,
            last_outcome=None,
        )
        self._check(control, subject, hazard, ctx)
        created = await self.create(control)
        return await self.get_control(created.id)

    async def update_control(
        self, control_id: UUID, data: ControlUpdate, ctx: Context, expected_version: int
    ) -> HazardControl:
        control = await self.get_control(control_id)
        subject = subject_of(control)
        require(WRITE, subject.area_code)
        check_version(control, expected_version)
        changes = data.changes()
        if "frequency" in changes:
            frequency = changes.pop("frequency")
            control.frequency_unit = FrequencyUnit(frequency["unit"])
            control.frequency_count = frequency["count"]
        _apply(control, changes)
        self._check(control, subject, _hazard(ctx, control.hazard_code), ctx)
        await refresh_control(self.session, control)
        await self.update(control)
        return await self.get_control(control_id)

    async def delete_control(self, control_id: UUID, expected_version: int) -> None:
        control = await self.get_control(control_id)
        require(WRITE, subject_of(control).area_code)
        check_version(control, expected_version)
        count = await self.session.scalar(
            select(func.count()).select_from(ControlCheck).where(ControlCheck.control_id == control_id)
        )
        if count:
            raise Conflict(
                f"The control has {count} check(s): set retired_on to stop using it instead of deleting it",
                [FieldProblem("control_id", "has checks")],
            )
        await self.delete(control_id)

    # --- lists -------------------------------------------------------------------------------------------

    def _conditions(self, query: ControlQuery, ctx: Context) -> tuple[list[ColumnElement[bool]], bool]:
        conditions = [*query.conditions]
        if query.hazards:
            conditions.append(HazardControl.hazard_code.in_(list(query.hazards)))
        if query.owner is not None:
            conditions.append(queries.owner_is(query.owner))
        if query.where.needs_join:
            conditions.extend(queries.where_conditions(HazardControl, query.where, ctx.organisation))
        else:
            conditions.extend(queries.subject_conditions(HazardControl, query.where))
        return conditions, query.where.needs_join

    async def rows(self, query: ControlQuery, page: LimitOffset, ctx: Context) -> tuple[list[Any], int]:
        """One page of a control list and the total: two statements on the indexed stored state."""
        conditions, join = self._conditions(query, ctx)
        rows = (
            await self.session.execute(queries.control_rows(conditions, [*query.order], page.limit, page.offset))
        ).all()
        total = int(await self.session.scalar(queries.control_count(conditions, join)) or 0)
        return [views.control_row(r, ctx) for r in rows], total

    async def summary(self, where: queries.Where, hazards: Sequence[str], ctx: Context) -> list[HazardAreaCount]:
        """Controls in use, overdue and failing per hazard x Area, each split UPW sites / rest / teams."""
        conditions, _ = self._conditions(
            ControlQuery(where=where, conditions=[queries.control_in_use()], order=[], hazards=hazards), ctx
        )
        region = queries.region_of()
        stmt = queries.with_subject(
            select(
                HazardControl.hazard_code,
                region.label("region_code"),
                Site.site_type,
                func.count(),
                func.sum(case((queries.control_overdue(ctx.today), 1), else_=0)),
                func.sum(case((queries.control_failing(), 1), else_=0)),
            ),
            HazardControl,
        ).where(*conditions)
        stmt = stmt.group_by(HazardControl.hazard_code, region, Site.site_type)
        cells: dict[tuple[str, str], dict[str, dict[str, int]]] = {}
        for hazard_code, region_code, site_type, in_use, overdue, failing in (await self.session.execute(stmt)).all():
            area = ctx.organisation.area_of_region(region_code) or ""
            cell = cells.setdefault(
                (hazard_code, area),
                {k: {"unpaid_work": 0, "rest_of_estate": 0, "teams": 0} for k in ("in_use", "overdue", "failing")},
            )
            bucket = queries.upw_bucket(site_type)
            cell["in_use"][bucket] += int(in_use)
            cell["overdue"][bucket] += int(overdue or 0)
            cell["failing"][bucket] += int(failing or 0)
        area_names = {a.code: a.name for a in ctx.organisation.areas}
        hazard_order = list(ctx.hazard_rules.hazards)
        area_order = [a.code for a in ctx.organisation.areas]
        result = []
        for (hazard_code, area), counts in sorted(
            cells.items(),
            key=lambda kv: (
                hazard_order.index(kv[0][0]) if kv[0][0] in hazard_order else len(hazard_order),
                area_order.index(kv[0][1]) if kv[0][1] in area_order else len(area_order),
            ),
        ):
            result.append(
                HazardAreaCount(
                    hazard=views.hazard_ref(hazard_code, ctx.hazard_rules),
                    area_code=area,
                    area_name=area_names.get(area, area),
                    **{k: HazardAreaCell(**v, total=sum(v.values())) for k, v in counts.items()},
                )
            )
        return result


def summary_totals(cells: Sequence[HazardAreaCount]) -> dict[str, HazardAreaCell]:
    totals: dict[str, dict[str, int]] = {
        k: {"unpaid_work": 0, "rest_of_estate": 0, "teams": 0} for k in ("in_use", "overdue", "failing")
    }
    for cell in cells:
        for name, split in totals.items():
            source: HazardAreaCell = getattr(cell, name)
            split["unpaid_work"] += source.unpaid_work
            split["rest_of_estate"] += source.rest_of_estate
            split["teams"] += source.teams
    return {k: HazardAreaCell(**v, total=sum(v.values())) for k, v in totals.items()}


# --- checks -------------------------------------------------------------------------------------------------


class CheckRepository(SQLAlchemyAsyncRepository[ControlCheck]):
    model_type = ControlCheck


class CheckService(SQLAlchemyAsyncRepositoryService[ControlCheck, CheckRepository]):
    repository_type = CheckRepository
    count_with_window_function = False

    async def get_check(self, control_id: UUID, check_id: UUID) -> ControlCheck:
        check = await self.get_one_or_none(ControlCheck.id == check_id, ControlCheck.control_id == control_id)
        if check is None:
            raise NotFound(f"No check {check_id} of control {control_id}")
        return check

    async def create_check(
        self, control_id: UUID, data: CheckCreate, controls: ControlService, ctx: Context
    ) -> tuple[ControlCheck, HazardControl]:
        await lock_controls(self.repository.session, HazardControl.id == control_id)
        control = await controls.get_control(control_id)
        require(WRITE, subject_of(control).area_code)
        raise_if_any(rules.check_problems(checked_on=data.checked_on, today=ctx.today))
        if control.retired_on is not None:
            raise RuleViolation.of(FieldProblem("control_id", "the control is retired: checks are not recorded"))
        check = await self.create(ControlCheck(control_id=control_id, source=CheckSource.MANUAL, **data.model_dump()))
        await refresh_control(self.repository.session, control)
        await controls.update(control)
        return check, await controls.get_control(control_id)

    async def delete_check(
        self, control_id: UUID, check_id: UUID, controls: ControlService, expected_version: int
    ) -> None:
        """Delete a check entered by mistake, with the legionella readings that made it."""
        await lock_controls(self.repository.session, HazardControl.id == control_id)
        control = await controls.get_control(control_id)
        require(WRITE, subject_of(control).area_code)
        check = await self.get_check(control_id, check_id)
        check_version(check, expected_version)
        session = self.repository.session
        for reading in (
            await session.scalars(select(LegionellaReading).where(LegionellaReading.check_id == check_id))
        ).all():
            await session.delete(reading)
        await session.flush()
        await self.delete(check_id)
        await refresh_control(session, control)
        await controls.update(control)


# --- risk assessments ---------------------------------------------------------------------------------------


class AssessmentRepository(SQLAlchemyAsyncRepository[RiskAssessment]):
    model_type = RiskAssessment


class AssessmentService(SQLAlchemyAsyncRepositoryService[RiskAssessment, AssessmentRepository]):
    repository_type = AssessmentRepository
    count_with_window_function = False

    @property
    def session(self) -> Session:
        return self.repository.session

    async def get_assessment(self, assessment_id: UUID) -> RiskAssessment:
        assessment = await self.get_one_or_none(RiskAssessment.id == assessment_id)
        if assessment is None:
            raise NotFound(f"No risk assessment with id {assessment_id}")
        return assessment

    def _derive_and_check(self, assessment: RiskAssessment, subject: Subject, hazard: Hazard, ctx: Context) -> None:
        facts = views.action_facts(assessment.actions)
        raise_if_any(
            rules.assessment_problems(
                subject=subject.kind,
                hazard_subject=hazard.subject,
                site_type=subject.site_type,
                hazard_site_types=hazard.site_types,
                assessed_on=assessment.assessed_on,
                next_review_on=assessment.next_review_on,
                actions=facts,
                today=ctx.today,
            )
        )
        verdict = views.assessment_suitability(assessment, ctx.hazard_rules)
        assessment.suitable_and_sufficient = verdict.suitable_and_sufficient
        assessment.missing_items = [i.value for i in verdict.missing]

    async def create_assessment(self, data: AssessmentCreate, ctx: Context) -> RiskAssessment:
        hazard = _hazard(ctx, data.hazard_code)
        subject = await resolve_subject(self.session, data.site_id, data.team_id)
        require(WRITE, subject.area_code)
        interval = data.review_interval_months or hazard.review_interval_months
        assessment = RiskAssessment(
            id=uuid7(),
            hazard_code=hazard.code,
            site_id=subject.id if subject.kind == SubjectKind.SITE else None,
            team_id=subject.id if subject.kind == SubjectKind.TEAM else None,
            title=data.title,
            assessor_name=data.assessor_name,
            assessor_competence=data.assessor_competence,
            assessed_on=data.assessed_on,
            persons_at_risk=data.persons_at_risk,
            significant_findings=data.significant_findings,
            actions=[a.model_dump(mode="json") for a in data.actions],
            review_interval_months=interval,
            next_review_on=data.next_review_on or rules.default_next_review(data.assessed_on, interval),
            checklist={k.value: v for k, v in data.checklist.items()},
            superseded_by_id=None,
        )
        self._derive_and_check(assessment, subject, hazard, ctx)
        # The latest assessment of a hazard for a site or team is the current one; earlier ones are superseded.
        current = (
            await self.session.scalars(
                select(RiskAssessment).where(
                    RiskAssessment.hazard_code == hazard.code,
                    RiskAssessment.site_id == assessment.site_id
                    if assessment.site_id is not None
                    else RiskAssessment.team_id == assessment.team_id,
                    queries.assessment_current(),
                )
            )
        ).all()
        later = [a for a in current if a.assessed_on > assessment.assessed_on]
        if later:
            assessment.superseded_by_id = max(later, key=lambda a: (a.assessed_on, a.created_at)).id
        created = await self.create(assessment)
        for older in current:
            if older not in later:
                older.superseded_by_id = created.id
                await self.update(older)
        return await self.get_assessment(created.id)

    async def update_assessment(
        self, assessment_id: UUID, data: AssessmentUpdate, ctx: Context, expected_version: int
    ) -> RiskAssessment:
        assessment = await self.get_assessment(assessment_id)
        subject = subject_of(assessment)
        require(WRITE, subject.area_code)
        check_version(assessment, expected_version)
        changes = data.changes()
        was_default = assessment.next_review_on == rules.default_next_review(
            assessment.assessed_on, assessment.review_interval_months
        )
        if "actions" in changes:
            changes["actions"] = [a.model_dump(mode="json") for a in data.actions or []]
        if "checklist" in changes:
            changes["checklist"] = {**assessment.checklist, **{k.value: v for k, v in (data.checklist or {}).items()}}
        _apply(assessment, changes)
        # A review date that was only ever the default follows the assessment date and the interval.
        if was_default and "next_review_on" not in changes and {"assessed_on", "review_interval_months"} & set(changes):
            assessment.next_review_on = rules.default_next_review(
                assessment.assessed_on, assessment.review_interval_months
            )
        self._derive_and_check(assessment, subject, _hazard(ctx, assessment.hazard_code), ctx)
        await self.update(assessment)
        return await self.get_assessment(assessment_id)

    async def delete_assessment(self, assessment_id: UUID, expected_version: int) -> None:
        """Delete an assessment entered by mistake; the ones it superseded become current again."""
        assessment = await self.get_assessment(assessment_id)
        require(WRITE, subject_of(assessment).area_code)
        check_version(assessment, expected_version)
        replaced = (
            await self.session.scalars(select(RiskAssessment).where(RiskAssessment.superseded_by_id == assessment_id))
        ).all()
        if replaced:
            # The latest of those it replaced takes its place; the rest are superseded by that one.
            heir = max(replaced, key=lambda a: (a.assessed_on, a.created_at))
            for older in replaced:
                older.superseded_by_id = assessment.superseded_by_id if older is heir else heir.id
                await self.update(older)
        await self.delete(assessment_id)

    async def attention_rows(
        self, where: queries.Where, hazards: Sequence[str], page: LimitOffset, ctx: Context
    ) -> tuple[list[Any], int]:
        """Current assessments not suitable and sufficient or overdue for review, longest overdue first."""
        conditions = [queries.assessment_needs_attention(ctx.today)]
        if hazards:
            conditions.append(RiskAssessment.hazard_code.in_(list(hazards)))
        conditions.extend(queries.where_conditions(RiskAssessment, where, ctx.organisation))
        columns = [
            RiskAssessment.id,
            RiskAssessment.version,
            RiskAssessment.hazard_code,
            RiskAssessment.title,
            RiskAssessment.assessor_name,
            RiskAssessment.assessed_on,
            RiskAssessment.next_review_on,
            RiskAssessment.suitable_and_sufficient,
            RiskAssessment.missing_items,
            RiskAssessment.superseded_by_id,
            RiskAssessment.site_id,
            RiskAssessment.team_id,
            *queries.subject_columns(),
        ]
        stmt = (
            queries.with_subject(select(*columns), RiskAssessment)
            .where(*conditions)
            .order_by(RiskAssessment.next_review_on, RiskAssessment.id)
            .limit(page.limit)
            .offset(page.offset)
        )
        rows = (await self.session.execute(stmt)).all()
        total = await self.session.scalar(
            queries.with_subject(select(func.count()).select_from(RiskAssessment), RiskAssessment).where(*conditions)
        )
        return [views.assessment_row(r, ctx) for r in rows], int(total or 0)

    async def indicator_findings(self, assessment: RiskAssessment, ctx: Context) -> list[StressFindingOut] | None:
        """For a team's work-related stress assessment: the latest survey's scales below target."""
        if assessment.hazard_code != "work_related_stress" or assessment.team_id is None:
            return None
        survey = await self.session.scalar(
            select(StressSurvey)
            .where(StressSurvey.team_id == assessment.team_id)
            .order_by(StressSurvey.surveyed_on.desc())
            .limit(1)
        )
        if survey is None:
            return []
        return views.findings_out(views.scores_of(survey, ctx.hazard_rules.stress), ctx.hazard_rules.stress)

    async def current_for(
        self, hazard_code: str, *, site_id: UUID | None = None, team_id: UUID | None = None
    ) -> RiskAssessment | None:
        subject = RiskAssessment.site_id == site_id if site_id is not None else RiskAssessment.team_id == team_id
        return await self.session.scalar(
            select(RiskAssessment)
            .where(RiskAssessment.hazard_code == hazard_code, subject, queries.assessment_current())
            .order_by(RiskAssessment.assessed_on.desc())
            .limit(1)
        )


# --- legionella ---------------------------------------------------------------------------------------------


def _key(outlet: str, water: Any, taken_on: date) -> tuple[str, str, date]:
    return (" ".join(outlet.split()).casefold(), str(water), taken_on)


class ReadingRepository(SQLAlchemyAsyncRepository[LegionellaReading]):
    model_type = LegionellaReading


class LegionellaService(SQLAlchemyAsyncRepositoryService[LegionellaReading, ReadingRepository]):
    repository_type = ReadingRepository
    count_with_window_function = False

    @property
    def session(self) -> Session:
        return self.repository.session

    def _problem(self, parsed: ParsedReading, field: str, reason: str) -> FieldProblem:
        return FieldProblem(parsed.columns.get(field, field), reason, parsed.line)

    async def import_log(self, site_id: UUID, data: ReadingsImport, ctx: Context) -> ReadingsResult:
        """A monitoring log uploaded as CSV: the site and the writer's scope first, then every line."""
        subject = await site_subject(self.session, site_id)
        require(WRITE, subject.area_code)
        parsed, problems = parse_readings_csv(data.csv, data.mapping)
        return await self.record(site_id, parsed, ctx, problems)

    async def record(
        self, site_id: UUID, batch: list[ParsedReading], ctx: Context, problems: list[FieldProblem] | None = None
    ) -> ReadingsResult:
        """Record a batch of readings at one site, all or nothing: each judged against HSG274 (config), linked to
        the site's legionella control for its point, and turned into one check per control per day (failing if
        any reading of the day fails). A reading that repeats one already recorded, or another in the batch (same
        outlet, water and day), is a problem, not a second row."""
        site = await self.session.get(Site, site_id)
        if site is None:
            raise NotFound(f"No site with id {site_id}")
        subject = subject_of_site(site)
        require(WRITE, subject.area_code)
        legionella = ctx.hazard_rules.legionella
        problems = list(problems or [])
        seen: dict[tuple[str, str, date], str] = {}
        for index, parsed in enumerate(batch):
            reading = parsed.reading
            for problem in rules.reading_point_problems(reading.kind, reading.water, legionella):
                problems.append(self._problem(parsed, problem.field, problem.reason))
            for problem in rules.reading_problems(taken_on=reading.taken_on, today=ctx.today):
                problems.append(self._problem(parsed, problem.field, problem.reason))
            key = _key(reading.outlet, reading.water, reading.taken_on)
            if key in seen:
                problems.append(self._problem(parsed, "outlet", f"repeats {seen[key]} (same outlet, water and date)"))
            else:
                seen[key] = f"line {parsed.line}" if parsed.line is not None else f"readings.{index}"
        days = sorted({p.reading.taken_on for p in batch})
        existing = (
            await self.session.execute(
                select(LegionellaReading.outlet, LegionellaReading.water, LegionellaReading.taken_on).where(
                    LegionellaReading.site_id == site_id, LegionellaReading.taken_on.in_(days)
                )
            )
        ).all()
        recorded = {_key(o, w, d) for o, w, d in existing}
        for parsed in batch:
            r = parsed.reading
            if _key(r.outlet, r.water, r.taken_on) in recorded:
                problems.append(
                    self._problem(parsed, "outlet", "duplicates a reading already recorded (same outlet, water, date)")
                )
        if problems:
            lines = {p.row for p in problems if p.row is not None}
            where = f" on {len(lines)} line(s)" if lines else ""
            detail = f"{len(problems)} problem(s) in the readings{where}; nothing was recorded"
            raise RuleViolation(detail, sorted(problems, key=lambda p: p.row or 0))

        await lock_controls(
            self.session, and_(HazardControl.site_id == site_id, HazardControl.hazard_code == "legionella")
        )
        controls = (
            await self.session.scalars(
                select(HazardControl)
                .where(
                    HazardControl.site_id == site_id,
                    HazardControl.hazard_code == "legionella",
                    queries.control_in_use(),
                )
                .order_by(HazardControl.created_at, HazardControl.id)
            )
        ).all()
        by_template: dict[str, HazardControl] = {}
        for control in controls:
            if control.template_code is not None:
                by_template.setdefault(control.template_code, control)
        healthcare = rules.is_healthcare(subject.site_type, legionella) if subject.site_type else False
        new_readings: list[LegionellaReading] = []
        groups: dict[tuple[UUID, date], list[LegionellaReading]] = defaultdict(list)
        warnings: set[str] = set()
        for parsed in batch:
            r = parsed.reading
            verdict = rules.judge_reading(
                r.kind, r.water, r.temperature_c, r.run_seconds, healthcare=healthcare, rules=legionella
            )
            template = legionella.controls[(r.kind, r.water)]
            linked = by_template.get(template)
            if linked is None:
                warnings.add(f"no {template} control is applied at {subject.code}: {r.kind}.{r.water} readings kept")
            row = LegionellaReading(
                id=uuid7(),
                site_id=site_id,
                control_id=linked.id if linked else None,
                outlet=" ".join(r.outlet.split()),
                kind=r.kind,
                water=r.water,
                taken_on=r.taken_on,
                temperature_c=r.temperature_c,
                run_seconds=r.run_seconds,
                taken_by=r.taken_by,
                notes=r.notes,
                passed=verdict.passed,
                requirement=verdict.requirement,
            )
            new_readings.append(row)
            if linked is not None:
                groups[(linked.id, r.taken_on)].append(row)
        checks = await self._monitoring_checks(groups, {c.id: c for c in controls})
        self.session.add_all(new_readings)
        await self.session.flush()
        for control in {c.id: c for c in controls if any(k[0] == c.id for k in groups)}.values():
            await refresh_control(self.session, control)
        await self.session.flush()
        stored = (
            await self.session.scalars(
                select(LegionellaReading)
                .where(LegionellaReading.id.in_([r.id for r in new_readings]))
                .order_by(LegionellaReading.taken_on, LegionellaReading.outlet, LegionellaReading.water)
            )
        ).all()
        return ReadingsResult(
            site=subject.ref(),
            created=len(new_readings),
            failed=sum(1 for r in new_readings if not r.passed),
            readings=[views.reading_read(r) for r in stored],
            checks=checks,
            warnings=sorted(warnings),
        )

    async def _monitoring_checks(
        self, groups: dict[tuple[UUID, date], list[LegionellaReading]], controls: dict[UUID, HazardControl]
    ) -> list[MonitoringCheckOut]:
        """One monitoring check per control per day: new, or the day's existing one re-judged with the new
        readings (rules.monitoring_outcome over every reading of that check)."""
        made = []
        for (control_id, day), readings in sorted(groups.items(), key=lambda kv: (kv[0][1], str(kv[0][0]))):
            check = await self.session.scalar(
                select(ControlCheck).where(
                    ControlCheck.control_id == control_id,
                    ControlCheck.checked_on == day,
                    ControlCheck.source == CheckSource.LEGIONELLA_MONITORING,
                )
            )
            earlier = []
            if check is not None:
                earlier = list(
                    (
                        await self.session.scalars(
                            select(LegionellaReading.passed).where(LegionellaReading.check_id == check.id)
                        )
                    ).all()
                )
            outcome = rules.monitoring_outcome([*earlier, *(r.passed for r in readings)])
            failing = [r for r in readings if not r.passed]
            note = (
                f"{len(failing)} of {len(readings)} reading(s) failed: "
                + "; ".join(f"{r.outlet} {r.water} {r.temperature_c} C" for r in failing[:10])
                if failing
                else f"{len(readings)} reading(s) passed"
            )
            if check is None:
                check = ControlCheck(
                    id=uuid7(),
                    control_id=control_id,
                    checked_on=day,
                    checked_by=next((r.taken_by for r in readings if r.taken_by), "legionella monitoring"),
                    outcome=outcome,
                    notes=note,
                    evidence_ref="legionella readings",
                    source=CheckSource.LEGIONELLA_MONITORING,
                )
                self.session.add(check)
            else:
                check.outcome = outcome
                check.notes = f"{check.notes}\n{note}" if check.notes else note
            await self.session.flush()
            for reading in readings:
                reading.check_id = check.id
            made.append(
                MonitoringCheckOut(
                    id=check.id,
                    control_id=control_id,
                    template_code=controls[control_id].template_code,
                    checked_on=day,
                    outcome=outcome,
                )
            )
        return made

    async def latest_per_point(self, site_id: UUID) -> list[LegionellaReading]:
        """The latest reading at each outlet and water of a site."""
        latest = (
            select(
                LegionellaReading.outlet,
                LegionellaReading.water,
                func.max(LegionellaReading.taken_on).label("taken_on"),
            )
            .where(LegionellaReading.site_id == site_id)
            .group_by(LegionellaReading.outlet, LegionellaReading.water)
            .subquery()
        )
        return list(
            (
                await self.session.scalars(
                    select(LegionellaReading)
                    .join(
                        latest,
                        and_(
                            LegionellaReading.outlet == latest.c.outlet,
                            LegionellaReading.water == latest.c.water,
                            LegionellaReading.taken_on == latest.c.taken_on,
                        ),
                    )
                    .where(LegionellaReading.site_id == site_id)
                    .order_by(LegionellaReading.outlet, LegionellaReading.water)
                )
            ).all()
        )


# --- work-related stress ------------------------------------------------------------------------------------


class SurveyRepository(SQLAlchemyAsyncRepository[StressSurvey]):
    model_type = StressSurvey


class SurveyService(SQLAlchemyAsyncRepositoryService[StressSurvey, SurveyRepository]):
    repository_type = SurveyRepository
    count_with_window_function = False

    @property
    def session(self) -> Session:
        return self.repository.session

    async def get_survey(self, survey_id: UUID) -> StressSurvey:
        survey = await self.get_one_or_none(StressSurvey.id == survey_id)
        if survey is None:
            raise NotFound(f"No stress survey with id {survey_id}")
        return survey

    async def import_survey(self, team_id: UUID, data: SurveyImport, ctx: Context) -> StressSurvey:
        """A team's Indicator Tool responses from CSV, all or nothing, scored by rules.team_scores."""
        subject = await team_subject(self.session, team_id)
        require(WRITE, subject.area_code)
        if data.surveyed_on > ctx.today:
            raise RuleViolation.of(FieldProblem("surveyed_on", "must not be in the future"))
        stress = ctx.hazard_rules.stress
        respondents = parse_survey_csv(data.csv, stress)
        if data.invited is not None and len(respondents) > data.invited:
            raise RuleViolation.of(
                FieldProblem("invited", f"is {data.invited} but the file has {len(respondents)} responses")
            )
        if await self.get_one_or_none(StressSurvey.team_id == team_id, StressSurvey.surveyed_on == data.surveyed_on):
            raise Conflict(
                f"Team {subject.code} already has a survey on {data.surveyed_on}",
                [FieldProblem("surveyed_on", "a survey of this team on this date is already recorded")],
            )
        scores = rules.team_scores([r.answers for r in respondents], stress)
        survey = await self.create(
            StressSurvey(
                id=uuid7(),
                team_id=team_id,
                surveyed_on=data.surveyed_on,
                invited=data.invited,
                responses=len(respondents),
                scale_scores=views.stored_scores(scores),
            )
        )
        self.session.add_all(
            StressSurveyResponse(survey_id=survey.id, answers=[r.answers[i] for i in range(1, stress.items + 1)])
            for r in respondents
        )
        await self.session.flush()
        return await self.get_survey(survey.id)

    async def delete_survey(self, survey_id: UUID, expected_version: int) -> None:
        survey = await self.get_survey(survey_id)
        require(WRITE, survey.team.area_code)
        check_version(survey, expected_version)
        await self.session.execute(delete(StressSurveyResponse).where(StressSurveyResponse.survey_id == survey_id))
        await self.delete(survey_id)

    async def latest_two(self, team_id: UUID) -> list[StressSurvey]:
        return list(
            (
                await self.session.scalars(
                    select(StressSurvey)
                    .where(StressSurvey.team_id == team_id)
                    .order_by(StressSurvey.surveyed_on.desc())
                    .limit(2)
                )
            ).all()
        )


def score_changes(latest: StressSurvey | None, previous: StressSurvey | None, ctx: Context) -> dict[StressScale, Any]:
    stress = ctx.hazard_rules.stress
    if latest is None or previous is None:
        return dict.fromkeys(stress.scales)
    now, before = views.scores_of(latest, stress), views.scores_of(previous, stress)
    changes: dict[StressScale, Any] = {}
    for scale in stress.scales:
        score, earlier = now[scale].score, before[scale].score
        changes[scale] = score - earlier if score is not None and earlier is not None else None
    return changes


class AbsenceRepository(SQLAlchemyAsyncRepository[SicknessAbsence]):
    model_type = SicknessAbsence


class AbsenceService(SQLAlchemyAsyncRepositoryService[SicknessAbsence, AbsenceRepository]):
    repository_type = AbsenceRepository
    count_with_window_function = False

    async def get_record(self, record_id: UUID) -> SicknessAbsence:
        record = await self.get_one_or_none(SicknessAbsence.id == record_id)
        if record is None:
            raise NotFound(f"No sickness absence record with id {record_id}")
        return record

    async def create_record(self, team_id: UUID, data: AbsenceCreate, ctx: Context) -> SicknessAbsence:
        subject = await team_subject(self.repository.session, team_id)
        require(WRITE, subject.area_code)
        raise_if_any(
            rules.absence_problems(
                period_start=data.period_start,
                period_end=data.period_end,
                fte=data.fte,
                days_lost=data.days_lost,
                mental_health_days=data.mental_health_days_lost,
                today=ctx.today,
            )
        )
        duplicate = await self.get_one_or_none(
            SicknessAbsence.team_id == team_id,
            SicknessAbsence.period_start == data.period_start,
            SicknessAbsence.period_end == data.period_end,
        )
        if duplicate is not None:
            raise Conflict(
                f"Team {subject.code} already has absence recorded for {data.period_start} to {data.period_end}",
                [FieldProblem("period_start", "this period is already recorded for the team")],
            )
        record = await self.create(SicknessAbsence(team_id=team_id, **data.model_dump()))
        return await self.get_record(record.id)

    async def delete_record(self, record_id: UUID, expected_version: int) -> None:
        record = await self.get_record(record_id)
        require(WRITE, record.team.area_code)
        check_version(record, expected_version)
        await self.delete(record_id)
