"""/api/alignment: links between Area and national risks, suggestions, reports, traceability and the graph."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from advanced_alchemy.extensions.litestar.providers import create_service_provider
from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy import select

from risk_register.accounts.guards import requires
from risk_register.accounts.roles import Permission
from risk_register.alignment import export, views
from risk_register.alignment.graph import node
from risk_register.alignment.models import AlignmentLink, LinkSource, LinkStatus
from risk_register.alignment.schemas import (
    AlignmentReport,
    CoverageCreate,
    CoverageRead,
    CoverageUpdate,
    DivergenceReport,
    EscalationReport,
    LinkCreate,
    LinkDecision,
    LinkRead,
    ProblemItem,
    ReconcileResult,
    RiskSuggestions,
    SuggestionAccept,
    SuggestionOut,
    SuggestionsReport,
    UncontrolledReport,
)
from risk_register.alignment.services import AlignmentLinkService, CoverageService, load, suggestions_for
from risk_register.alignment.settings import AlignmentSettings
from risk_register.core import problems
from risk_register.core.concurrency import ExpectedVersion, check_version, versioned
from risk_register.core.deps import Ctx, DbSession, PageDep
from risk_register.core.errors import FieldProblem, NotFound, RuleViolation
from risk_register.core.pagination import order_by
from risk_register.core.schemas import Page
from risk_register.registers.enums import RegisterLevel
from risk_register.registers.models import Register, Risk

Links = NamedDependency[AlignmentLinkService]
Coverage = NamedDependency[CoverageService]
WRITE = requires(Permission.AREA_REGISTER_WRITE)
NATIONAL_WRITE = requires(Permission.NATIONAL_REGISTER_WRITE)
AreaCode = Annotated[str | None, QueryParameter(name="area", max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
_MEDIA = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _settings(context: Any) -> AlignmentSettings:
    settings: AlignmentSettings = context.alignment
    return settings


def _check_area(context: Any, area: str | None) -> None:
    if area is not None and not context.organisation.has_area(area):
        raise RuleViolation.of(FieldProblem("area", f"unknown Area code {area!r}"))


def _link(link: AlignmentLink, status_code: int = 200) -> Response[LinkRead]:
    return versioned(LinkRead.model_validate(link), link.version, status_code)


class AlignmentController(Controller):
    path = "/api/alignment"
    tags = ["Alignment"]
    dependencies = {
        "links": Provide(create_service_provider(AlignmentLinkService)),
        "coverage": Provide(create_service_provider(CoverageService)),
    }

    # --- national risks every Area must recognise ----------------------------------------------------
    @get("/coverage", responses=problems.READ_MANY, summary="National risks marked as applying to every Area")
    async def list_coverage(self, coverage: Coverage, page: PageDep) -> Page[CoverageRead]:
        items, total = await coverage.get_many_and_count(
            page.as_filter(), order_by("created_at", "asc"), order_by("id", "asc")
        )
        return Page(
            items=[CoverageRead.model_validate(i) for i in items], total=total, limit=page.limit, offset=page.offset
        )

    @post(
        "/coverage",
        opt=NATIONAL_WRITE,
        responses=problems.CREATE,
        summary="Mark a national risk as one every Area must have a counterpart for",
    )
    async def create_coverage(self, coverage: Coverage, data: JSONBody[CoverageCreate]) -> Response[CoverageRead]:
        mark = await coverage.mark(data.national_risk_id, data.applies_to_every_area, data.rationale)
        return versioned(CoverageRead.model_validate(mark), mark.version, 201)

    @patch(
        "/coverage/{coverage_id:uuid}", opt=NATIONAL_WRITE, responses=problems.UPDATE, summary="Change a coverage mark"
    )
    async def update_coverage(
        self, coverage: Coverage, coverage_id: FromPath[UUID], version: ExpectedVersion, data: JSONBody[CoverageUpdate]
    ) -> Response[CoverageRead]:
        mark = await coverage.get_coverage(coverage_id)
        check_version(mark, version)
        for name, value in data.changes().items():
            setattr(mark, name, value)
        await coverage.update(mark)
        mark = await coverage.get_coverage(coverage_id)
        return versioned(CoverageRead.model_validate(mark), mark.version)

    # --- links ---------------------------------------------------------------------------------------
    @get("/links", responses=problems.READ_MANY, summary="Alignment links, filterable")
    async def list_links(
        self,
        links: Links,
        page: PageDep,
        context: Ctx,
        area: AreaCode = None,
        status: Annotated[LinkStatus | None, QueryParameter(name="status")] = None,
        area_risk_id: Annotated[UUID | None, QueryParameter(name="area_risk_id")] = None,
        national_risk_id: Annotated[UUID | None, QueryParameter(name="national_risk_id")] = None,
    ) -> Page[LinkRead]:
        _check_area(context, area)
        conditions: list[Any] = []
        if status:
            conditions.append(AlignmentLink.status == status)
        if area_risk_id:
            conditions.append(AlignmentLink.area_risk_id == area_risk_id)
        if national_risk_id:
            conditions.append(AlignmentLink.national_risk_id == national_risk_id)
        if area:
            conditions.append(
                AlignmentLink.area_risk_id.in_(
                    select(Risk.id).join(Register, Register.id == Risk.register_id).where(Register.area_code == area)
                )
            )
        items, total = await links.get_many_and_count(
            *conditions, page.as_filter(), order_by("created_at", "asc"), order_by("id", "asc")
        )
        return Page(
            items=[LinkRead.model_validate(i) for i in items], total=total, limit=page.limit, offset=page.offset
        )

    @post(
        "/links",
        opt=WRITE,
        responses=problems.CREATE,
        summary="Align an Area risk with a national risk (confirmed, or suggested for review)",
    )
    async def create_link(self, links: Links, data: JSONBody[LinkCreate]) -> Response[LinkRead]:
        link = await links.link(
            data.area_risk_id,
            data.national_risk_id,
            status=LinkStatus(data.status),
            source=LinkSource.MANUAL,
            rationale=data.rationale,
        )
        return _link(link, 201)

    @get("/links/{link_id:uuid}", responses=problems.READ_ONE, summary="One alignment link")
    async def get_link(self, links: Links, link_id: FromPath[UUID]) -> Response[LinkRead]:
        return _link(await links.get_link(link_id))

    @post(
        "/links/{link_id:uuid}/confirm",
        opt=WRITE,
        status_code=200,
        responses=problems.UPDATE,
        summary="Confirm a link (who and when are recorded)",
    )
    async def confirm_link(
        self, links: Links, link_id: FromPath[UUID], version: ExpectedVersion, data: JSONBody[LinkDecision]
    ) -> Response[LinkRead]:
        return _link(await links.decide(link_id, LinkStatus.CONFIRMED, data.rationale, version))

    @post(
        "/links/{link_id:uuid}/reject",
        opt=WRITE,
        status_code=200,
        responses=problems.UPDATE,
        summary="Reject a link (who and when are recorded)",
    )
    async def reject_link(
        self, links: Links, link_id: FromPath[UUID], version: ExpectedVersion, data: JSONBody[LinkDecision]
    ) -> Response[LinkRead]:
        return _link(await links.decide(link_id, LinkStatus.REJECTED, data.rationale, version))

    @post(
        "/registers/{register_id:uuid}/reconcile-references",
        opt=WRITE,
        status_code=200,
        responses=problems.CREATE,
        summary="Turn the national references carried by a register's risks into confirmed links",
    )
    async def reconcile(self, links: Links, register_id: FromPath[UUID]) -> ReconcileResult:
        created, found = await links.reconcile_references(register_id)
        return ReconcileResult(
            created=[LinkRead.model_validate(c) for c in created],
            problems=[ProblemItem(field=p.field, reason=p.reason) for p in found],
        )

    # --- suggestions ---------------------------------------------------------------------------------
    @get(
        "/suggestions",
        responses=problems.READ_MANY,
        summary="National risks ranked for each unaligned Area risk (score documented in README)",
    )
    async def suggestions(
        self,
        db_session: DbSession,
        context: Ctx,
        area: AreaCode = None,
        risk_id: Annotated[UUID | None, QueryParameter(name="risk_id")] = None,
    ) -> SuggestionsReport:
        _check_area(context, area)
        graph = await load(db_session, context)
        ranked = await suggestions_for(db_session, graph, _settings(context), area, [risk_id] if risk_id else None)
        out = []
        for risk_key, items in sorted(ranked.items(), key=lambda kv: graph.nodes[node("risk", kv[0])]["reference"]):
            data = graph.nodes[node("risk", risk_key)]
            out.append(
                RiskSuggestions(
                    area_risk_id=UUID(risk_key),
                    reference=data["reference"],
                    title=data["title"],
                    area_code=data["area_code"],
                    suggestions=[
                        SuggestionOut(
                            national_risk_id=UUID(s.national_id),
                            reference=graph.nodes[node("risk", s.national_id)]["reference"],
                            title=graph.nodes[node("risk", s.national_id)]["title"],
                            score=s.score,
                            text_similarity=s.text_similarity,
                            same_category=s.same_category,
                            shared_links=list(s.shared_links),
                        )
                        for s in items
                    ],
                )
            )
        return SuggestionsReport(as_of=context.today, risks=out)

    @post(
        "/suggestions/accept",
        opt=WRITE,
        responses=problems.CREATE,
        summary="Accept a suggestion: creates a confirmed link carrying the suggestion's score",
    )
    async def accept_suggestion(
        self, links: Links, db_session: DbSession, context: Ctx, data: JSONBody[SuggestionAccept]
    ) -> Response[LinkRead]:
        graph = await load(db_session, context)
        ranked = await suggestions_for(db_session, graph, _settings(context), None, [data.area_risk_id])
        score = next(
            (s.score for s in ranked.get(str(data.area_risk_id), []) if s.national_id == str(data.national_risk_id)),
            None,
        )
        link = await links.link(
            data.area_risk_id,
            data.national_risk_id,
            status=LinkStatus.CONFIRMED,
            source=LinkSource.SUGGESTION,
            rationale=data.rationale,
            score=score,
        )
        return _link(link, 201)

    # --- reports -------------------------------------------------------------------------------------
    @get(
        "/reports/alignment",
        responses=problems.READ_MANY,
        summary="Per Area: risks, aligned, unaligned, aligned share, unaligned risks and coverage gaps",
    )
    async def alignment(self, db_session: DbSession, context: Ctx, area: AreaCode = None) -> AlignmentReport:
        _check_area(context, area)
        graph = await load(db_session, context, dependencies=False)  # the report reads only risks and links
        return AlignmentReport.model_validate(views.alignment_report(graph, context, area))

    @get(
        "/reports/divergence",
        responses=problems.READ_MANY,
        summary="Aligned pairs whose residual scores or appetite disagree",
    )
    async def divergence(self, db_session: DbSession, context: Ctx, area: AreaCode = None) -> DivergenceReport:
        _check_area(context, area)
        graph = await load(db_session, context, dependencies=False)
        return DivergenceReport.model_validate(views.divergence_report(graph, context, _settings(context), area))

    @get(
        "/reports/escalation-candidates",
        responses=problems.READ_MANY,
        summary="Unaligned Area risks at or above the escalation threshold",
    )
    async def escalation(self, db_session: DbSession, context: Ctx, area: AreaCode = None) -> EscalationReport:
        _check_area(context, area)
        graph = await load(db_session, context, dependencies=False)
        return EscalationReport.model_validate(views.escalation_report(graph, context, _settings(context), area))

    @get(
        "/reports/uncontrolled",
        responses=problems.READ_MANY,
        summary="Risks not under control, each with every reason that applies",
    )
    async def uncontrolled(
        self,
        db_session: DbSession,
        context: Ctx,
        area: AreaCode = None,
        national: Annotated[bool | None, QueryParameter(name="national")] = None,
    ) -> UncontrolledReport:
        _check_area(context, area)
        graph = await load(db_session, context)
        return UncontrolledReport.model_validate(views.uncontrolled_report(graph, context, area, national))

    @get(
        "/reports/{name:str}/csv",
        responses=problems.READ_MANY,
        media_type="text/csv",
        summary="A report as CSV (one row per item)",
    )
    async def export_csv(
        self, db_session: DbSession, context: Ctx, name: Annotated[views.ReportName, FromPath], area: AreaCode = None
    ) -> Response[bytes]:
        return await _export(db_session, context, name, "csv", area)

    @get(
        "/reports/{name:str}/xlsx",
        responses=problems.READ_MANY,
        media_type=_MEDIA["xlsx"],
        summary="A report as XLSX (one row per item, header frozen, filters on)",
    )
    async def export_xlsx(
        self, db_session: DbSession, context: Ctx, name: Annotated[views.ReportName, FromPath], area: AreaCode = None
    ) -> Response[bytes]:
        return await _export(db_session, context, name, "xlsx", area)

    @get(
        "/traceability/{national_risk_id:uuid}",
        responses=problems.READ_ONE,
        summary="National risk -> aligned Area risks -> hazards -> controls -> sites, each with its status",
    )
    async def traceability(
        self, db_session: DbSession, context: Ctx, national_risk_id: FromPath[UUID]
    ) -> dict[str, Any]:
        graph = await load(db_session, context)
        await _national(db_session, national_risk_id)
        return views.traceability(graph, str(national_risk_id))

    # --- the graph -----------------------------------------------------------------------------------
    @get(
        "/graph.graphml",
        media_type="application/graphml+xml",
        responses=problems.READ_MANY,
        summary="The whole graph as GraphML",
    )
    async def graph_graphml(self, db_session: DbSession, context: Ctx) -> Response[bytes]:
        return Response(export.graphml(await load(db_session, context)), media_type="application/graphml+xml")

    @get("/graph.json", responses=problems.READ_MANY, summary="The whole graph as node-link JSON")
    async def graph_json(self, db_session: DbSession, context: Ctx) -> dict[str, Any]:
        return export.node_link(await load(db_session, context))

    @get(
        "/graph/{national_risk_id:uuid}/neighbourhood.svg",
        media_type="image/svg+xml",
        responses=problems.READ_ONE,
        summary="A national risk's neighbourhood drawn as SVG",
    )
    async def graph_svg(self, db_session: DbSession, context: Ctx, national_risk_id: FromPath[UUID]) -> Response[str]:
        await _national(db_session, national_risk_id)
        graph = await load(db_session, context)
        return Response(
            export.svg(export.neighbourhood(graph, node("risk", national_risk_id))), media_type="image/svg+xml"
        )


async def _export(
    session: Any, context: Any, name: views.ReportName, file_format: Literal["csv", "xlsx"], area: str | None
) -> Response[bytes]:
    _check_area(context, area)
    graph = await load(session, context, dependencies=name == "uncontrolled")
    settings = _settings(context)
    builders = {
        "alignment": lambda: views.alignment_report(graph, context, area),
        "divergence": lambda: views.divergence_report(graph, context, settings, area),
        "escalation-candidates": lambda: views.escalation_report(graph, context, settings, area),
        "uncontrolled": lambda: views.uncontrolled_report(graph, context, area, None),
    }
    content = views.to_file(views.flat_rows(name, builders[name]()), file_format, name)
    return Response(
        content,
        media_type=_MEDIA[file_format],
        headers={"Content-Disposition": f'attachment; filename="alignment-{name}.{file_format}"'},
    )


async def _national(session: Any, risk_id: UUID) -> None:
    level = await session.scalar(
        select(Register.level).join(Risk, Risk.register_id == Register.id).where(Risk.id == risk_id)
    )
    if level is None or RegisterLevel(level) != RegisterLevel.NATIONAL:
        raise NotFound(f"No national risk with id {risk_id}")
