"""HTTP handlers for hazards: the catalogue, teams, controls and checks, risk assessments, legionella monitoring
and work-related stress. Thin: parse, call a service, shape the answer.

Writes need Permission.HAZARDS_WRITE (H&S leads, admins); an H&S lead with an Area writes only records whose
site or team is in that Area (checked in the services). Reads are open to every signed-in role. Single records
answer with an ETag; PATCH and DELETE need it back in If-Match.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from advanced_alchemy.filters import LimitOffset
from litestar import Controller, Response, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy import ColumnElement, false, or_, select, true

from risk_register.accounts.guards import requires
from risk_register.accounts.roles import Permission
from risk_register.core import problems
from risk_register.core.concurrency import ExpectedVersion, versioned
from risk_register.core.context import Context
from risk_register.core.deps import Ctx, OrgScope, PageDep
from risk_register.core.errors import FieldProblem, NotFound, RuleViolation
from risk_register.core.pagination import MAX_PAGE_SIZE, SortOrder, order_by
from risk_register.core.schemas import Page
from risk_register.estates.services import child_filters
from risk_register.hazards import queries, views
from risk_register.hazards.deps import (
    SERVICES,
    Absence,
    Assessments,
    Checks,
    Controls,
    Legionella,
    Surveys,
    Teams,
)
from risk_register.hazards.enums import AssessmentState, ControlStatus, SubjectKind
from risk_register.hazards.imports import json_readings
from risk_register.hazards.models import (
    ControlCheck,
    HazardControl,
    LegionellaReading,
    RiskAssessment,
    SicknessAbsence,
    StressSurvey,
    Team,
)
from risk_register.hazards.rules import is_healthcare, legionella_site_status, requirement_text
from risk_register.hazards.schemas import (
    AbsenceCreate,
    AbsenceRead,
    AssessmentCreate,
    AssessmentRead,
    AssessmentRow,
    AssessmentUpdate,
    CheckCreate,
    CheckRead,
    CheckWithControl,
    ControlCreate,
    ControlRead,
    ControlRow,
    ControlSummary,
    ControlUpdate,
    HazardOut,
    LegionellaStatusRead,
    ReadingRead,
    ReadingsCreate,
    ReadingsImport,
    ReadingsResult,
    SurveyImport,
    SurveyRead,
    TeamCreate,
    TeamRead,
    TeamStressRead,
    TeamUpdate,
    ThresholdOut,
)
from risk_register.hazards.services import ControlQuery, score_changes, site_subject, summary_totals, team_subject
from risk_register.organisation.reference import Organisation

WRITE = requires(Permission.HAZARDS_WRITE)
HazardParam = Annotated[
    list[str] | None,
    QueryParameter(name="hazard", max_items=20, description="Hazard codes (GET /api/hazards); any of them"),
]
OwnerParam = Annotated[
    str | None, QueryParameter(name="owner", max_length=200, description="Control owner (case ignored)")
]
SubjectParam = Annotated[
    SubjectKind | None, QueryParameter(name="subject", description="site: site controls only; team: team controls")
]
SiteParam = Annotated[UUID | None, QueryParameter(name="site_id")]
TeamParam = Annotated[UUID | None, QueryParameter(name="team_id")]
ControlSort = Literal["next_due_on", "last_checked_on", "hazard_code", "title", "created_at"]
AssessmentSort = Literal["next_review_on", "assessed_on", "hazard_code", "created_at"]


def _hazards(context: Context, codes: list[str] | None) -> list[str]:
    unknown = [c for c in codes or [] if context.hazard_rules.hazard(c) is None]
    if unknown:
        raise RuleViolation.of(FieldProblem("hazard", f"unknown hazard code(s): {', '.join(c[:64] for c in unknown)}"))
    return list(codes or [])


def _where(
    org: queries.OrgFilter,
    subject: SubjectKind | None = None,
    site_id: UUID | None = None,
    team_id: UUID | None = None,
) -> queries.Where:
    return queries.Where(org=org, subject=subject, site_id=site_id, team_id=team_id)


# --- catalogue ----------------------------------------------------------------------------------------------


class HazardController(Controller):
    path = "/api/hazards"
    tags = ["Hazards: catalogue"]

    @get("/", responses=problems.READ_MANY, summary="The hazard catalogue and its control templates (config)")
    async def list_hazards(self, context: Ctx, page: PageDep) -> Page[HazardOut]:
        codes = list(context.hazard_rules.hazards)
        chosen = codes[page.offset : page.offset + page.limit]
        return Page(
            items=[views.hazard_out(c, context.hazard_rules) for c in chosen],
            total=len(codes),
            limit=page.limit,
            offset=page.offset,
        )

    @get("/{hazard_code:str}", responses=problems.READ_ONE, summary="One hazard and its control templates")
    async def get_hazard(self, context: Ctx, hazard_code: FromPath[str]) -> HazardOut:
        if context.hazard_rules.hazard(hazard_code) is None:
            raise NotFound(f"No hazard {hazard_code[:64]!r} in the catalogue")
        return views.hazard_out(hazard_code, context.hazard_rules)


# --- teams --------------------------------------------------------------------------------------------------


def _team(team: Team, status_code: int = 200) -> Response[TeamRead]:
    return versioned(TeamRead.model_validate(team), team.version, status_code)


def _team_org_filters(org: queries.OrgFilter, organisation: Organisation) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if org.area is not None:
        conditions.append(Team.region_code.in_([r.code for r in organisation.regions if r.area_code == org.area]))
    if org.region is not None:
        conditions.append(Team.region_code == org.region)
    if org.pdu is not None:
        conditions.append(Team.pdu_code == org.pdu)
    return conditions


class TeamController(Controller):
    path = "/api/teams"
    tags = ["Hazards: teams"]
    dependencies = SERVICES

    @get("/", responses=problems.READ_MANY, summary="List teams and org units")
    async def list_teams(
        self,
        teams: Teams,
        org: OrgScope,
        page: PageDep,
        context: Ctx,
        sort: Annotated[Literal["code", "name", "region_code", "created_at"], QueryParameter(name="sort")] = "code",
        order: Annotated[SortOrder, QueryParameter(name="order")] = "asc",
    ) -> Page[TeamRead]:
        items, total = await teams.get_many_and_count(
            *_team_org_filters(org, context.organisation),
            page.as_filter(),
            order_by(sort, order),
            order_by("id", "asc"),
        )
        return Page(
            items=[TeamRead.model_validate(t) for t in items], total=total, limit=page.limit, offset=page.offset
        )

    @post("/", opt=WRITE, responses=problems.CREATE, summary="Add a team or org unit")
    async def create_team(self, teams: Teams, context: Ctx, data: JSONBody[TeamCreate]) -> Response[TeamRead]:
        return _team(await teams.create_team(data, context), 201)

    @get("/{team_id:uuid}", responses=problems.READ_ONE, summary="One team")
    async def get_team(self, teams: Teams, team_id: FromPath[UUID]) -> Response[TeamRead]:
        return _team(await teams.get_team(team_id))

    @patch("/{team_id:uuid}", opt=WRITE, responses=problems.UPDATE, summary="Change some of a team's fields")
    async def update_team(
        self, teams: Teams, context: Ctx, team_id: FromPath[UUID], version: ExpectedVersion, data: JSONBody[TeamUpdate]
    ) -> Response[TeamRead]:
        return _team(await teams.update_team(team_id, data, context, version))

    @delete(
        "/{team_id:uuid}",
        opt=WRITE,
        responses=problems.DELETE,
        summary="Delete a team entered by mistake (one with controls, assessments or surveys is refused)",
    )
    async def delete_team(self, teams: Teams, team_id: FromPath[UUID], version: ExpectedVersion) -> None:
        await teams.delete_team(team_id, version)


# --- controls and checks ------------------------------------------------------------------------------------


def _control(control: HazardControl, context: Context, status_code: int = 200) -> Response[ControlRead]:
    return versioned(views.control_read(control, context), control.version, status_code)


def _page(items: list[ControlRow], total: int, page: PageDep) -> Page[ControlRow]:
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


class ControlController(Controller):
    path = "/api/controls"
    tags = ["Hazards: controls"]
    dependencies = SERVICES

    @get("/", responses=problems.READ_MANY, summary="List controls")
    async def list_controls(
        self,
        controls: Controls,
        org: OrgScope,
        page: PageDep,
        context: Ctx,
        hazard: HazardParam = None,
        status: Annotated[list[ControlStatus] | None, QueryParameter(name="status", max_items=5)] = None,
        owner: OwnerParam = None,
        subject: SubjectParam = None,
        site_id: SiteParam = None,
        team_id: TeamParam = None,
        sort: Annotated[ControlSort, QueryParameter(name="sort")] = "next_due_on",
        order: Annotated[SortOrder, QueryParameter(name="order")] = "asc",
    ) -> Page[ControlRow]:
        conditions: list[ColumnElement[bool]] = []
        if status:
            conditions.append(or_(*(queries.control_status_is(s, context.today) for s in status)))
        column = getattr(HazardControl, sort)
        query = ControlQuery(
            where=_where(org, subject, site_id, team_id),
            conditions=conditions,
            order=[column.asc() if order == "asc" else column.desc(), HazardControl.id],
            hazards=_hazards(context, hazard),
            owner=owner,
        )
        return _page(*await controls.rows(query, page.as_filter(), context), page)

    @get(
        "/overdue",
        responses=problems.READ_MANY,
        summary="Overdue controls, most overdue first: where, which hazard, and since when",
        description="A control is overdue from the day after its next check fell due (due today is not overdue). "
        "Failing controls that are also overdue are listed: their status says failing (failing wins).",
    )
    async def overdue_controls(
        self,
        controls: Controls,
        org: OrgScope,
        page: PageDep,
        context: Ctx,
        hazard: HazardParam = None,
        owner: OwnerParam = None,
        subject: SubjectParam = None,
        min_days_overdue: Annotated[
            int, QueryParameter(name="min_days_overdue", ge=1, le=36_500, description="Overdue by at least this")
        ] = 1,
    ) -> Page[ControlRow]:
        query = ControlQuery(
            where=_where(org, subject),
            conditions=[queries.control_overdue_by_at_least(context.today, min_days_overdue)],
            order=[HazardControl.next_due_on, HazardControl.id],
            hazards=_hazards(context, hazard),
            owner=owner,
        )
        return _page(*await controls.rows(query, page.as_filter(), context), page)

    @get("/due", responses=problems.READ_MANY, summary="Controls falling due in the next N days, soonest first")
    async def due_controls(
        self,
        controls: Controls,
        org: OrgScope,
        page: PageDep,
        context: Ctx,
        within_days: Annotated[
            int, QueryParameter(name="within_days", ge=0, le=366, description="From today to today + N, inclusive")
        ] = 30,
        hazard: HazardParam = None,
        owner: OwnerParam = None,
        subject: SubjectParam = None,
    ) -> Page[ControlRow]:
        query = ControlQuery(
            where=_where(org, subject),
            conditions=[queries.control_due_within(context.today, within_days)],
            order=[HazardControl.next_due_on, HazardControl.id],
            hazards=_hazards(context, hazard),
            owner=owner,
        )
        return _page(*await controls.rows(query, page.as_filter(), context), page)

    @get(
        "/failing",
        responses=problems.READ_MANY,
        summary="Controls whose latest check failed or partly failed, longest failing first",
    )
    async def failing_controls(
        self,
        controls: Controls,
        org: OrgScope,
        page: PageDep,
        context: Ctx,
        hazard: HazardParam = None,
        owner: OwnerParam = None,
        subject: SubjectParam = None,
    ) -> Page[ControlRow]:
        query = ControlQuery(
            where=_where(org, subject),
            conditions=[queries.control_failing()],
            order=[HazardControl.last_checked_on, HazardControl.id],
            hazards=_hazards(context, hazard),
            owner=owner,
        )
        return _page(*await controls.rows(query, page.as_filter(), context), page)

    @get(
        "/summary",
        responses=problems.READ_MANY,
        summary="Controls in use, overdue and failing per hazard x Area, UPW sites beside the rest and teams",
    )
    async def summary(
        self,
        controls: Controls,
        org: OrgScope,
        context: Ctx,
        hazard: HazardParam = None,
        subject: SubjectParam = None,
    ) -> ControlSummary:
        cells = await controls.summary(_where(org, subject), _hazards(context, hazard), context)
        return ControlSummary(as_of=context.today, cells=cells, totals=summary_totals(cells))

    @post("/", opt=WRITE, responses=problems.CREATE, summary="Apply a control to a site or team (template or custom)")
    async def create_control(
        self, controls: Controls, context: Ctx, data: JSONBody[ControlCreate]
    ) -> Response[ControlRead]:
        return _control(await controls.create_control(data, context), context, 201)

    @get("/{control_id:uuid}", responses=problems.READ_ONE, summary="One control")
    async def get_control(self, controls: Controls, context: Ctx, control_id: FromPath[UUID]) -> Response[ControlRead]:
        return _control(await controls.get_control(control_id), context)

    @patch(
        "/{control_id:uuid}",
        opt=WRITE,
        responses=problems.UPDATE,
        summary="Change a control (owner, schedule...) or retire it",
    )
    async def update_control(
        self,
        controls: Controls,
        context: Ctx,
        control_id: FromPath[UUID],
        version: ExpectedVersion,
        data: JSONBody[ControlUpdate],
    ) -> Response[ControlRead]:
        return _control(await controls.update_control(control_id, data, context, version), context)

    @delete(
        "/{control_id:uuid}",
        opt=WRITE,
        responses=problems.DELETE,
        summary="Delete a control applied by mistake (one with checks is refused: retire it instead)",
    )
    async def delete_control(self, controls: Controls, control_id: FromPath[UUID], version: ExpectedVersion) -> None:
        await controls.delete_control(control_id, version)

    @get(
        "/{control_id:uuid}/checks",
        responses=problems.problem_responses(400, 401, 404, 422),
        summary="A control's checks, latest first",
    )
    async def list_checks(
        self, controls: Controls, checks: Checks, page: PageDep, control_id: FromPath[UUID]
    ) -> Page[CheckRead]:
        await controls.get_control(control_id)
        items, total = await checks.get_many_and_count(
            ControlCheck.control_id == control_id,
            page.as_filter(),
            order_by("checked_on", "desc"),
            order_by("created_at", "desc"),
        )
        return Page(items=[views.check_read(c) for c in items], total=total, limit=page.limit, offset=page.offset)

    @post("/{control_id:uuid}/checks", opt=WRITE, responses=problems.CREATE, summary="Record a check of a control")
    async def create_check(
        self,
        controls: Controls,
        checks: Checks,
        context: Ctx,
        control_id: FromPath[UUID],
        data: JSONBody[CheckCreate],
    ) -> Response[CheckWithControl]:
        check, control = await checks.create_check(control_id, data, controls, context)
        body = CheckWithControl.model_validate(
            {**views.check_read(check).model_dump(), "control": views.control_row_of(control, context)}
        )
        return versioned(body, check.version, 201)

    @get("/{control_id:uuid}/checks/{check_id:uuid}", responses=problems.READ_ONE, summary="One check")
    async def get_check(
        self, checks: Checks, control_id: FromPath[UUID], check_id: FromPath[UUID]
    ) -> Response[CheckRead]:
        check = await checks.get_check(control_id, check_id)
        return versioned(views.check_read(check), check.version)

    @delete(
        "/{control_id:uuid}/checks/{check_id:uuid}",
        opt=WRITE,
        responses=problems.DELETE,
        summary="Delete a check entered by mistake (with the legionella readings that made it)",
    )
    async def delete_check(
        self,
        controls: Controls,
        checks: Checks,
        control_id: FromPath[UUID],
        check_id: FromPath[UUID],
        version: ExpectedVersion,
    ) -> None:
        await checks.delete_check(control_id, check_id, controls, version)


# --- risk assessments ---------------------------------------------------------------------------------------


async def _assessment(
    assessments: Assessments, assessment: RiskAssessment, context: Context, status_code: int = 200
) -> Response[AssessmentRead]:
    findings = await assessments.indicator_findings(assessment, context)
    return versioned(views.assessment_read(assessment, context, findings), assessment.version, status_code)


class AssessmentController(Controller):
    path = "/api/risk-assessments"
    tags = ["Hazards: risk assessments"]
    dependencies = SERVICES

    @get("/", responses=problems.READ_MANY, summary="List risk assessments")
    async def list_assessments(
        self,
        assessments: Assessments,
        org: OrgScope,
        page: PageDep,
        context: Ctx,
        hazard: HazardParam = None,
        subject: SubjectParam = None,
        site_id: SiteParam = None,
        team_id: TeamParam = None,
        assessment_state: Annotated[
            AssessmentState | None, QueryParameter(name="state", description="current (default) or superseded")
        ] = AssessmentState.CURRENT,
        suitable_and_sufficient: Annotated[bool | None, QueryParameter(name="suitable_and_sufficient")] = None,
        review_overdue: Annotated[bool | None, QueryParameter(name="review_overdue")] = None,
        sort: Annotated[AssessmentSort, QueryParameter(name="sort")] = "next_review_on",
        order: Annotated[SortOrder, QueryParameter(name="order")] = "asc",
    ) -> Page[AssessmentRow]:
        conditions: list[ColumnElement[bool]] = []
        codes = _hazards(context, hazard)
        if codes:
            conditions.append(RiskAssessment.hazard_code.in_(codes))
        if assessment_state == AssessmentState.CURRENT:
            conditions.append(queries.assessment_current())
        elif assessment_state == AssessmentState.SUPERSEDED:
            conditions.append(RiskAssessment.superseded_by_id.is_not(None))
        if suitable_and_sufficient is not None:
            conditions.append(
                RiskAssessment.suitable_and_sufficient.is_(true() if suitable_and_sufficient else false())
            )
        if review_overdue is not None:
            overdue = queries.assessment_review_overdue(context.today)
            conditions.append(overdue if review_overdue else ~overdue)
        where = _where(org, subject, site_id, team_id)
        conditions.extend(queries.subject_conditions(RiskAssessment, where))
        if where.needs_join:
            conditions.extend(_assessment_org(org, context))
        items, total = await assessments.get_many_and_count(
            *conditions, page.as_filter(), order_by(sort, order), order_by("id", "asc")
        )
        return Page(
            items=[views.assessment_row_of(a, context) for a in items],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )

    @get(
        "/attention",
        responses=problems.READ_MANY,
        summary="Current assessments not suitable and sufficient, or overdue for review (longest overdue first)",
    )
    async def attention(
        self,
        assessments: Assessments,
        org: OrgScope,
        page: PageDep,
        context: Ctx,
        hazard: HazardParam = None,
        subject: SubjectParam = None,
    ) -> Page[AssessmentRow]:
        items, total = await assessments.attention_rows(
            _where(org, subject), _hazards(context, hazard), page.as_filter(), context
        )
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    @post("/", opt=WRITE, responses=problems.CREATE, summary="Record a risk assessment of a site or team")
    async def create_assessment(
        self, assessments: Assessments, context: Ctx, data: JSONBody[AssessmentCreate]
    ) -> Response[AssessmentRead]:
        return await _assessment(assessments, await assessments.create_assessment(data, context), context, 201)

    @get("/{assessment_id:uuid}", responses=problems.READ_ONE, summary="One risk assessment, with its checklist")
    async def get_assessment(
        self, assessments: Assessments, context: Ctx, assessment_id: FromPath[UUID]
    ) -> Response[AssessmentRead]:
        return await _assessment(assessments, await assessments.get_assessment(assessment_id), context)

    @patch(
        "/{assessment_id:uuid}",
        opt=WRITE,
        responses=problems.UPDATE,
        summary="Change an assessment (checklist items given are merged into those recorded)",
    )
    async def update_assessment(
        self,
        assessments: Assessments,
        context: Ctx,
        assessment_id: FromPath[UUID],
        version: ExpectedVersion,
        data: JSONBody[AssessmentUpdate],
    ) -> Response[AssessmentRead]:
        updated = await assessments.update_assessment(assessment_id, data, context, version)
        return await _assessment(assessments, updated, context)

    @delete(
        "/{assessment_id:uuid}",
        opt=WRITE,
        responses=problems.DELETE,
        summary="Delete an assessment entered by mistake (the one it superseded becomes current again)",
    )
    async def delete_assessment(
        self, assessments: Assessments, assessment_id: FromPath[UUID], version: ExpectedVersion
    ) -> None:
        await assessments.delete_assessment(assessment_id, version)


def _assessment_org(org: queries.OrgFilter, context: Context) -> list[ColumnElement[bool]]:
    """Org and site-type filters for assessments without a join: site assessments through their site, team
    assessments through their team (none when a site type is asked for)."""
    site_part = child_filters(RiskAssessment.site_id, org, context)
    team_conditions = _team_org_filters(org, context.organisation)
    if org.site_types:
        return site_part
    team_part = [RiskAssessment.team_id.in_(select(Team.id).where(*team_conditions))] if team_conditions else []
    if not site_part and not team_part:
        return []
    return [or_(false(), *site_part, *team_part)]


# --- legionella ---------------------------------------------------------------------------------------------


class LegionellaController(Controller):
    path = "/api/sites"
    tags = ["Hazards: legionella"]
    dependencies = SERVICES

    @get(
        "/{site_id:uuid}/legionella",
        responses=problems.READ_ONE,
        summary="A site's legionella status: controls, latest reading at each outlet, failures, assessment",
    )
    async def legionella_status(
        self,
        legionella: Legionella,
        controls: Controls,
        assessments: Assessments,
        context: Ctx,
        site_id: FromPath[UUID],
    ) -> LegionellaStatusRead:
        subject = await site_subject(legionella.repository.session, site_id)
        rows, _ = await controls.rows(
            ControlQuery(
                where=queries.Where(site_id=site_id),
                conditions=[HazardControl.hazard_code == "legionella"],
                order=[HazardControl.retired_on.is_not(None), HazardControl.next_due_on, HazardControl.id],
            ),
            LimitOffset(limit=MAX_PAGE_SIZE, offset=0),
            context,
        )
        latest = await legionella.latest_per_point(site_id)
        failing = [r for r in latest if not r.passed]
        current = await assessments.current_for("legionella", site_id=site_id)
        rules_ = context.hazard_rules.legionella
        healthcare = subject.site_type is not None and is_healthcare(subject.site_type, rules_)
        thresholds = []
        seen: set[tuple[str, str]] = set()
        for (kind, water), rule in rules_.rules.items():
            if (rule.source, water.value) in seen:
                continue
            seen.add((rule.source, water.value))
            thresholds.append(
                ThresholdOut(
                    kinds=sorted(rule.kinds),
                    water=water,
                    requirement=requirement_text(rule, healthcare=healthcare),
                    control_template=rules_.controls[(kind, water)],
                    source=rule.source,
                    confidence=rule.confidence,
                )
            )
        return LegionellaStatusRead(
            site=subject.ref(),
            as_of=context.today,
            status=legionella_site_status([r.status for r in rows], len(failing)),
            controls=rows,
            latest_readings=[views.reading_read(r) for r in latest],
            failing_points=[views.reading_read(r) for r in failing],
            assessment=views.assessment_row_of(current, context) if current else None,
            thresholds=thresholds,
        )

    @get(
        "/{site_id:uuid}/legionella-readings",
        responses=problems.problem_responses(400, 401, 404, 422),
        summary="A site's temperature readings",
    )
    async def list_readings(
        self,
        legionella: Legionella,
        page: PageDep,
        site_id: FromPath[UUID],
        passed: Annotated[bool | None, QueryParameter(name="passed")] = None,
    ) -> Page[ReadingRead]:
        await site_subject(legionella.repository.session, site_id)
        conditions: list[ColumnElement[bool]] = [LegionellaReading.site_id == site_id]
        if passed is not None:
            conditions.append(LegionellaReading.passed.is_(true() if passed else false()))
        items, total = await legionella.get_many_and_count(
            *conditions,
            page.as_filter(),
            order_by("taken_on", "desc"),
            order_by("outlet", "asc"),
            order_by("water", "asc"),
        )
        return Page(items=[views.reading_read(r) for r in items], total=total, limit=page.limit, offset=page.offset)

    @post(
        "/{site_id:uuid}/legionella-readings",
        opt=WRITE,
        responses=problems.CREATE,
        summary="Record temperature readings at a site (all or nothing); failing ones mark the control failing",
    )
    async def record_readings(
        self, legionella: Legionella, context: Ctx, site_id: FromPath[UUID], data: JSONBody[ReadingsCreate]
    ) -> Response[ReadingsResult]:
        result = await legionella.record(site_id, json_readings(data.readings), context)
        return Response(result, status_code=201)

    @post(
        "/{site_id:uuid}/legionella-readings/import",
        opt=WRITE,
        responses=problems.CREATE,
        summary="Upload a monitoring log (CSV text): every line checked, nothing written unless all are valid",
    )
    async def import_readings(
        self, legionella: Legionella, context: Ctx, site_id: FromPath[UUID], data: JSONBody[ReadingsImport]
    ) -> Response[ReadingsResult]:
        result = await legionella.import_log(site_id, data, context)
        return Response(result, status_code=201)


# --- work-related stress ------------------------------------------------------------------------------------


def _survey(survey: StressSurvey, context: Context, status_code: int = 200) -> Response[SurveyRead]:
    return versioned(views.survey_read(survey, context.hazard_rules.stress), survey.version, status_code)


class StressController(Controller):
    path = "/api"
    tags = ["Hazards: work-related stress"]
    dependencies = SERVICES

    @get(
        "/teams/{team_id:uuid}/stress",
        responses=problems.READ_ONE,
        summary="A team's stress picture: latest Indicator Tool scores and findings, change, absence, assessment",
    )
    async def team_stress(
        self,
        surveys: Surveys,
        absence: Absence,
        assessments: Assessments,
        context: Ctx,
        team_id: FromPath[UUID],
    ) -> TeamStressRead:
        subject = await team_subject(surveys.repository.session, team_id)
        latest_two = await surveys.latest_two(team_id)
        latest = latest_two[0] if latest_two else None
        previous = latest_two[1] if len(latest_two) > 1 else None
        records = await absence.list(SicknessAbsence.team_id == team_id, order_by("period_start", "desc"))
        current = await assessments.current_for("work_related_stress", team_id=team_id)
        stress = context.hazard_rules.stress
        return TeamStressRead(
            team=subject.ref(),
            as_of=context.today,
            latest_survey=views.survey_read(latest, stress) if latest else None,
            previous_survey=views.survey_read(previous, stress) if previous else None,
            score_changes=score_changes(latest, previous, context),
            absence=[views.absence_read(r) for r in records],
            assessment=views.assessment_row_of(current, context) if current else None,
        )

    @get(
        "/teams/{team_id:uuid}/stress-surveys",
        responses=problems.problem_responses(400, 401, 404, 422),
        summary="A team's surveys, latest first",
    )
    async def list_surveys(
        self, surveys: Surveys, page: PageDep, context: Ctx, team_id: FromPath[UUID]
    ) -> Page[SurveyRead]:
        await team_subject(surveys.repository.session, team_id)
        items, total = await surveys.get_many_and_count(
            StressSurvey.team_id == team_id,
            page.as_filter(),
            order_by("surveyed_on", "desc"),
        )
        stress = context.hazard_rules.stress
        return Page(
            items=[views.survey_read(s, stress) for s in items], total=total, limit=page.limit, offset=page.offset
        )

    @post(
        "/teams/{team_id:uuid}/stress-surveys",
        opt=WRITE,
        responses=problems.CREATE,
        summary="Upload a team's Indicator Tool responses (CSV text): scored, compared with targets, all or nothing",
    )
    async def import_survey(
        self, surveys: Surveys, context: Ctx, team_id: FromPath[UUID], data: JSONBody[SurveyImport]
    ) -> Response[SurveyRead]:
        return _survey(await surveys.import_survey(team_id, data, context), context, 201)

    @get("/stress-surveys/{survey_id:uuid}", responses=problems.READ_ONE, summary="One survey and its scores")
    async def get_survey(self, surveys: Surveys, context: Ctx, survey_id: FromPath[UUID]) -> Response[SurveyRead]:
        return _survey(await surveys.get_survey(survey_id), context)

    @delete(
        "/stress-surveys/{survey_id:uuid}",
        opt=WRITE,
        responses=problems.DELETE,
        summary="Delete a survey and every response in it",
    )
    async def delete_survey(self, surveys: Surveys, survey_id: FromPath[UUID], version: ExpectedVersion) -> None:
        await surveys.delete_survey(survey_id, version)

    @get(
        "/teams/{team_id:uuid}/sickness-absence",
        responses=problems.problem_responses(400, 401, 404, 422),
        summary="A team's sickness absence, latest period first",
    )
    async def list_absence(self, absence: Absence, page: PageDep, team_id: FromPath[UUID]) -> Page[AbsenceRead]:
        await team_subject(absence.repository.session, team_id)
        items, total = await absence.get_many_and_count(
            SicknessAbsence.team_id == team_id,
            page.as_filter(),
            order_by("period_start", "desc"),
        )
        return Page(items=[views.absence_read(r) for r in items], total=total, limit=page.limit, offset=page.offset)

    @post(
        "/teams/{team_id:uuid}/sickness-absence",
        opt=WRITE,
        responses=problems.CREATE,
        summary="Record a team's sickness absence for a period (days lost and FTE)",
    )
    async def create_absence(
        self, absence: Absence, context: Ctx, team_id: FromPath[UUID], data: JSONBody[AbsenceCreate]
    ) -> Response[AbsenceRead]:
        record = await absence.create_record(team_id, data, context)
        return versioned(views.absence_read(record), record.version, 201)

    @get("/sickness-absence/{record_id:uuid}", responses=problems.READ_ONE, summary="One sickness absence record")
    async def get_absence(self, absence: Absence, record_id: FromPath[UUID]) -> Response[AbsenceRead]:
        record = await absence.get_record(record_id)
        return versioned(views.absence_read(record), record.version)

    @delete(
        "/sickness-absence/{record_id:uuid}",
        opt=WRITE,
        responses=problems.DELETE,
        summary="Delete a sickness absence record entered by mistake",
    )
    async def delete_absence(self, absence: Absence, record_id: FromPath[UUID], version: ExpectedVersion) -> None:
        await absence.delete_record(record_id, version)
