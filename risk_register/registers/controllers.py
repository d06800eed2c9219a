"""HTTP handlers for the risk registers. Thin: parse, call a service, shape the answer.

Writes to the national register need Permission.NATIONAL_REGISTER_WRITE; writes to an Area or regional register
need Permission.AREA_REGISTER_WRITE within that register's Area (the services check the register, so every
route - single risks, links, actions, imports - is held to the same rule). Handlers declare
AREA_REGISTER_WRITE, the lower of the two, for the role guard; reads are open to every signed-in role.
Single records answer with an ETag; PATCH and DELETE need it back in If-Match.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from advanced_alchemy.filters import OrderBy
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy import select

from risk_register.accounts.guards import requires
from risk_register.accounts.roles import Permission
from risk_register.core import problems
from risk_register.core.concurrency import ExpectedVersion, versioned
from risk_register.core.deps import Ctx, DbSession, PageDep
from risk_register.core.errors import FieldProblem, RuleViolation, raise_if_any
from risk_register.core.pagination import SortOrder
from risk_register.core.schemas import Page
from risk_register.registers import exporting, importing, queries, reports
from risk_register.registers.deps import SERVICES, Links, Registers, RiskActions, Risks
from risk_register.registers.enums import ActionStatus, ChangeKind, RegisterLevel, RiskStatus
from risk_register.registers.models import Register, Risk, RiskAction, RiskLink
from risk_register.registers.reports import Basis
from risk_register.registers.schemas import (
    ActionCreate,
    ActionRead,
    ActionUpdate,
    ChangesReport,
    HeatMapOut,
    ImportRead,
    ImportResult,
    LinkCreate,
    LinkRead,
    MatrixOut,
    RegisterCreate,
    RegisterRead,
    RegisterUpdate,
    RiskCreate,
    RiskRead,
    RiskSnapshot,
    RiskUpdate,
    RiskVersionRead,
    action_read,
    matrix_out,
    risk_read,
    snapshot_read,
    version_read,
)
from risk_register.registers.services import RiskFilter, RiskSort, risk_conditions, risk_order

WRITE = requires(Permission.AREA_REGISTER_WRITE)
CODE = r"^[a-z0-9][a-z0-9-]*$"
ActionSort = Literal["due_on", "status", "created_at"]


# --- OpenAPI for the spreadsheet endpoints -------------------------------------------------------------

_CELL = Schema(one_of=[Schema(type=OpenAPIType.STRING), Schema(type=OpenAPIType.NUMBER), Schema(type=OpenAPIType.NULL)])


@dataclass
class ImportOperation(Operation):
    """The import takes the file as the raw request body, in one of three forms."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description=(
                "The register as a file: an XLSX workbook (the first sheet, or ?sheet=), a CSV file (UTF-8, "
                "comma separated, header row first), or JSON rows (an array of objects keyed by column header). "
                f"At most {importing.MAX_IMPORT_BYTES // (1024 * 1024)} MB and {importing.MAX_IMPORT_ROWS} rows."
            ),
            content={
                importing.XLSX_MEDIA_TYPE: OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                ),
                importing.CSV_MEDIA_TYPE: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
                importing.JSON_MEDIA_TYPE: OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.ARRAY,
                        max_items=importing.MAX_IMPORT_ROWS,
                        items=Schema(type=OpenAPIType.OBJECT, additional_properties=_CELL),
                    )
                ),
            },
        )


@dataclass
class ExportOperation(Operation):
    def __post_init__(self) -> None:
        if self.responses is None:  # pragma: no cover - Litestar always generates the success response
            self.responses = {}
        self.responses["200"] = OpenAPIResponse(
            description="The register as a file (Content-Disposition: attachment)",
            content={
                exporting.MEDIA_TYPES["xlsx"]: OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                ),
                "text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
            },
        )


# --- shared query parameters ---------------------------------------------------------------------------


def provide_risk_filter(
    status: Annotated[list[RiskStatus] | None, QueryParameter(name="status", max_items=4)] = None,
    category: Annotated[
        list[str] | None, QueryParameter(name="category", max_items=20, description="Category codes")
    ] = None,
    band: Annotated[
        list[str] | None, QueryParameter(name="band", max_items=10, description="Residual score band codes")
    ] = None,
    above_appetite: Annotated[bool | None, QueryParameter(name="above_appetite")] = None,
    review_overdue: Annotated[bool | None, QueryParameter(name="review_overdue")] = None,
    has_national_reference: Annotated[
        bool | None,
        QueryParameter(name="has_national_reference", description="true: risks that name a national risk"),
    ] = None,
    national_reference: Annotated[
        str | None, QueryParameter(name="national_reference", max_length=32, description="Risks that name this one")
    ] = None,
    q: Annotated[
        str | None, QueryParameter(name="q", max_length=100, description="Text in the title or reference")
    ] = None,
) -> RiskFilter:
    return RiskFilter(
        statuses=list(status or []),
        categories=list(category or []),
        bands=list(band or []),
        above_appetite=above_appetite,
        review_overdue=review_overdue,
        has_national_reference=has_national_reference,
        national_reference=national_reference,
        text=q,
    )


RiskFilterDep = NamedDependency[RiskFilter]
DEPENDENCIES = {**SERVICES, "risk_filter": Provide(provide_risk_filter, sync_to_thread=False)}


def _risk(risk: Risk, context: Any, status_code: int = 200) -> Response[RiskRead]:
    return versioned(risk_read(risk, context.register_rules, context.today), risk.version, status_code)


def _risk_page(items: Any, total: int, page: Any, context: Any) -> Page[RiskRead]:
    return Page(
        items=[risk_read(r, context.register_rules, context.today) for r in items],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


class MatrixController(Controller):
    path = "/api/risk-matrix"
    tags = ["Registers"]

    @get("/", responses=problems.READ_ONE, summary="The risk matrix, bands, word scores, categories and appetites")
    async def matrix(self, context: Ctx) -> MatrixOut:
        return matrix_out(context.register_rules)


class RegisterController(Controller):
    path = "/api/registers"
    tags = ["Registers"]
    dependencies = DEPENDENCIES

    async def _read(self, registers: Any, register: Any) -> RegisterRead:
        counts = await registers.risks_by_status([register.id])
        return RegisterRead.model_validate({**_attrs(register, RegisterRead), "risks_by_status": counts[register.id]})

    @get("/", responses=problems.READ_MANY, summary="List registers: national, Area and regional")
    async def list_registers(
        self,
        registers: Registers,
        page: PageDep,
        context: Ctx,
        level: Annotated[RegisterLevel | None, QueryParameter(name="level")] = None,
        area: Annotated[
            str | None, QueryParameter(name="area", max_length=64, pattern=CODE, description="HMPPS Area code")
        ] = None,
    ) -> Page[RegisterRead]:
        if area is not None and not context.organisation.has_area(area):
            raise RuleViolation.of(FieldProblem("area", f"unknown Area code {area!r}"))
        items, total = await registers.list_registers(level=level, area=area, page=page)
        counts = await registers.risks_by_status([r.id for r in items])
        return Page(
            items=[
                RegisterRead.model_validate({**_attrs(r, RegisterRead), "risks_by_status": counts[r.id]}) for r in items
            ],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )

    @post("/", opt=WRITE, responses=problems.CREATE, summary="Add a regional register")
    async def create_register(
        self, registers: Registers, context: Ctx, data: JSONBody[RegisterCreate]
    ) -> Response[RegisterRead]:
        register = await registers.create_regional(data, context)
        return versioned(await self._read(registers, register), register.version, 201)

    @get("/{register_id:uuid}", responses=problems.READ_ONE, summary="One register")
    async def get_register(self, registers: Registers, register_id: FromPath[UUID]) -> Response[RegisterRead]:
        register = await registers.get_register(register_id)
        return versioned(await self._read(registers, register), register.version)

    @patch("/{register_id:uuid}", opt=WRITE, responses=problems.UPDATE, summary="Rename a register or change its owner")
    async def update_register(
        self,
        registers: Registers,
        register_id: FromPath[UUID],
        version: ExpectedVersion,
        data: JSONBody[RegisterUpdate],
    ) -> Response[RegisterRead]:
        register = await registers.update_register(register_id, data, version)
        return versioned(await self._read(registers, register), register.version)

    @delete(
        "/{register_id:uuid}",
        opt=WRITE,
        responses=problems.DELETE,
        summary="Delete an empty regional register (national and Area registers stay)",
    )
    async def delete_register(
        self, registers: Registers, register_id: FromPath[UUID], version: ExpectedVersion
    ) -> None:
        await registers.delete_register(register_id, version)

    # --- its risks ---------------------------------------------------------------------------------

    @get(
        "/{register_id:uuid}/risks",
        responses=problems.problem_responses(400, 401, 404, 422),
        summary="A register's risks",
    )
    async def list_risks(
        self,
        registers: Registers,
        risks: Risks,
        page: PageDep,
        context: Ctx,
        risk_filter: RiskFilterDep,
        register_id: FromPath[UUID],
        sort: Annotated[RiskSort, QueryParameter(name="sort")] = "reference",
        order: Annotated[SortOrder, QueryParameter(name="order")] = "asc",
    ) -> Page[RiskRead]:
        await registers.get_register(register_id)
        conditions = risk_conditions(_with(risk_filter, register_id=register_id), context)
        items, total = await risks.list_risks(conditions, risk_order(sort, order), page)
        return _risk_page(items, total, page, context)

    @post("/{register_id:uuid}/risks", opt=WRITE, responses=problems.CREATE, summary="Add a risk to a register")
    async def create_risk(
        self, registers: Registers, risks: Risks, context: Ctx, register_id: FromPath[UUID], data: JSONBody[RiskCreate]
    ) -> Response[RiskRead]:
        register = await registers.get_register(register_id)
        return _risk(await risks.create_risk(register, data, context), context, 201)

    @get(
        "/{register_id:uuid}/as-at",
        responses=problems.problem_responses(400, 401, 404, 422),
        summary="The register as it stood at the end of a past day",
    )
    async def as_at(
        self,
        registers: Registers,
        risks: Risks,
        page: PageDep,
        context: Ctx,
        register_id: FromPath[UUID],
        day: Annotated[date, QueryParameter(name="date", description="YYYY-MM-DD")],
        status: Annotated[list[RiskStatus] | None, QueryParameter(name="status", max_items=4)] = None,
    ) -> Page[RiskSnapshot]:
        await registers.get_register(register_id)
        items, total = await risks.as_at(register_id, day, list(status or []), page)
        return Page(
            items=[snapshot_read(v, context.register_rules, day) for v in items],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )

    @get(
        "/{register_id:uuid}/changes",
        responses=problems.problem_responses(400, 401, 404, 422),
        summary="What changed between two days: new, closed, escalated, score up, score down ...",
    )
    async def changes(
        self,
        registers: Registers,
        risks: Risks,
        page: PageDep,
        context: Ctx,
        register_id: FromPath[UUID],
        start: Annotated[date, QueryParameter(name="from", description="Compare the register at the end of this day")],
        end: Annotated[
            date | None, QueryParameter(name="to", description="... with the end of this day (default today)")
        ] = None,
        kind: Annotated[list[ChangeKind] | None, QueryParameter(name="kind", max_items=8)] = None,
    ) -> ChangesReport:
        await registers.get_register(register_id)
        return await reports.changes_report(risks, register_id, start, end, list(kind or []), page, context)

    @get(
        "/{register_id:uuid}/heat-map",
        responses=problems.problem_responses(400, 401, 404),
        summary="Counts of risks in each cell of the 5 x 5 matrix",
    )
    async def heat_map(
        self,
        registers: Registers,
        risks: Risks,
        context: Ctx,
        register_id: FromPath[UUID],
        basis: Annotated[Basis, QueryParameter(name="basis")] = "residual",
        status: Annotated[
            list[RiskStatus] | None,
            QueryParameter(name="status", max_items=4, description="Default: every status but closed"),
        ] = None,
    ) -> HeatMapOut:
        await registers.get_register(register_id)
        return await reports.heat_map_report(risks, register_id, basis, list(status or []), context)

    # --- spreadsheets ------------------------------------------------------------------------------

    @post(
        "/{register_id:uuid}/import",
        opt=WRITE,
        status_code=200,
        request_max_body_size=importing.MAX_IMPORT_BYTES,
        operation_class=ImportOperation,
        responses=problems.problem_responses(400, 401, 403, 404, 409, 412, 413, 422),
        summary="Import the register from a spreadsheet (XLSX or CSV) or JSON rows: upsert by reference",
        description=(
            "Every row is validated and every problem reported (by `row` - the file line, header = 1 - and "
            "column); nothing is written unless the whole file is valid. Header variants are recognised "
            "(Ref/Risk ID/ID, Likelihood/L/Probability, Current/Residual ...); name others with "
            "`mapping=field=Your header` (fields: " + ", ".join(importing.HEADERS) + "). Dates dd/mm/yyyy or "
            "yyyy-mm-dd; likelihood and impact as 1-5 or words (GET /api/risk-matrix). Risks are matched by "
            "reference: new ones are created, changed ones updated (a version each), the rest left alone; "
            "importing the same file again changes nothing. A column the file lacks leaves that field as it is; "
            "a blank cell clears an optional field, and a blank Status reads as open. In CSV, a leading "
            "apostrophe before = + - @ ' (the export's guard against formulas) is removed. `dry_run=true` "
            "reports what would happen and writes nothing."
        ),
    )
    async def import_register(
        self,
        request: Request[Any, Any, Any],
        registers: Registers,
        db_session: DbSession,
        context: Ctx,
        register_id: FromPath[UUID],
        dry_run: Annotated[
            bool, QueryParameter(name="dry_run", description="true: report what would change, write nothing")
        ] = False,
        mapping: Annotated[
            list[str] | None,
            QueryParameter(
                name="mapping",
                max_items=len(importing.HEADERS),
                description="field=Column header, for columns the importer does not recognise",
            ),
        ] = None,
        sheet: Annotated[
            str | None, QueryParameter(name="sheet", max_length=31, description="XLSX sheet (default: the first)")
        ] = None,
        filename: Annotated[
            str | None, QueryParameter(name="filename", max_length=255, description="Kept in the import log")
        ] = None,
        effective_on: Annotated[
            date | None,
            QueryParameter(name="effective_on", description="The day the changes take effect (default today)"),
        ] = None,
    ) -> ImportResult:
        register = await registers.get_register(register_id)
        importing.require_register_write(register)  # before reading a byte of the upload
        upload = importing.Upload(
            content=await request.body(),
            content_type=request.headers.get("content-type"),
            filename=filename,
            sheet=sheet,
            mapping=list(mapping or []),
            dry_run=dry_run,
            effective_on=effective_on,
        )
        return await importing.import_register(db_session, register, upload, context)

    @get(
        "/{register_id:uuid}/imports",
        responses=problems.problem_responses(400, 401, 404),
        summary="The register's import log, newest first",
    )
    async def list_imports(
        self, registers: Registers, db_session: DbSession, page: PageDep, register_id: FromPath[UUID]
    ) -> Page[ImportRead]:
        await registers.get_register(register_id)
        items, total = await registers.list_imports(register_id, page)
        return Page(
            items=[ImportRead.model_validate(r) for r in items], total=total, limit=page.limit, offset=page.offset
        )

    @get(
        "/{register_id:uuid}/export",
        operation_class=ExportOperation,
        responses=problems.problem_responses(400, 401, 404),
        summary="The register as XLSX (formatted, with heat maps) or CSV, re-importable unchanged",
    )
    async def export(
        self,
        registers: Registers,
        db_session: DbSession,
        context: Ctx,
        register_id: FromPath[UUID],
        file_format: Annotated[Literal["xlsx", "csv"], QueryParameter(name="format")] = "xlsx",
    ) -> Response[bytes]:
        register = await registers.get_register(register_id)
        exported = await reports.export_register(db_session, register, file_format, context)
        return Response(
            content=exported.content,
            media_type=exported.media_type,
            headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
        )


def _attrs(record: Any, model: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in model.model_fields if hasattr(record, name)}


def _with(risk_filter: RiskFilter, **changes: Any) -> RiskFilter:
    return replace(risk_filter, **changes)


class RiskController(Controller):
    path = "/api/risks"
    tags = ["Registers: risks"]
    dependencies = DEPENDENCIES

    @get("/", responses=problems.READ_MANY, summary="Risks across registers")
    async def list_risks(
        self,
        risks: Risks,
        page: PageDep,
        context: Ctx,
        risk_filter: RiskFilterDep,
        register_id: Annotated[UUID | None, QueryParameter(name="register_id")] = None,
        level: Annotated[RegisterLevel | None, QueryParameter(name="level")] = None,
        area: Annotated[
            str | None, QueryParameter(name="area", max_length=64, pattern=CODE, description="HMPPS Area code")
        ] = None,
        sort: Annotated[RiskSort, QueryParameter(name="sort")] = "reference",
        order: Annotated[SortOrder, QueryParameter(name="order")] = "asc",
    ) -> Page[RiskRead]:
        conditions = risk_conditions(_with(risk_filter, register_id=register_id, level=level, area=area), context)
        items, total = await risks.list_risks(conditions, risk_order(sort, order), page)
        return _risk_page(items, total, page, context)

    @get("/{risk_id:uuid}", responses=problems.READ_ONE, summary="One risk, with its derived scores and flags")
    async def get_risk(self, risks: Risks, context: Ctx, risk_id: FromPath[UUID]) -> Response[RiskRead]:
        return _risk(await risks.get_risk(risk_id), context)

    @patch(
        "/{risk_id:uuid}",
        opt=WRITE,
        responses=problems.UPDATE,
        summary="Change some of a risk's fields (a new version in its history)",
    )
    async def update_risk(
        self,
        risks: Risks,
        context: Ctx,
        risk_id: FromPath[UUID],
        version: ExpectedVersion,
        data: JSONBody[RiskUpdate],
    ) -> Response[RiskRead]:
        return _risk(await risks.update_risk(risk_id, data, context, version), context)

    @delete(
        "/{risk_id:uuid}",
        opt=WRITE,
        responses=problems.DELETE,
        summary="Delete a risk entered by mistake, with its history (close it instead to keep it)",
    )
    async def delete_risk(self, risks: Risks, risk_id: FromPath[UUID], version: ExpectedVersion) -> None:
        await risks.delete_risk(risk_id, version)

    @get(
        "/{risk_id:uuid}/history",
        responses=problems.problem_responses(400, 401, 404),
        summary="Every version of the risk, newest first",
    )
    async def history(
        self, risks: Risks, page: PageDep, context: Ctx, risk_id: FromPath[UUID]
    ) -> Page[RiskVersionRead]:
        items, total = await risks.history(risk_id, page)
        return Page(
            items=[version_read(v, context.register_rules, context.today) for v in items],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )

    @get("/{risk_id:uuid}/links", responses=problems.problem_responses(400, 401, 404), summary="The risk's links")
    async def list_links(self, risks: Risks, links: Links, page: PageDep, risk_id: FromPath[UUID]) -> Page[LinkRead]:
        await risks.get_risk(risk_id)
        items, total = await links.get_many_and_count(
            RiskLink.risk_id == risk_id, page.as_filter(), _order("created_at"), _order("id")
        )
        return Page(
            items=[LinkRead.model_validate(i) for i in items], total=total, limit=page.limit, offset=page.offset
        )

    @post(
        "/{risk_id:uuid}/links",
        opt=WRITE,
        responses=problems.CREATE,
        summary="Link the risk to a site, hazard type, control or assessment",
    )
    async def create_link(
        self, risks: Risks, links: Links, context: Ctx, risk_id: FromPath[UUID], data: JSONBody[LinkCreate]
    ) -> Response[LinkRead]:
        link = await links.create_link(await risks.get_risk(risk_id), data, context)
        return versioned(LinkRead.model_validate(link), link.version, 201)

    @get(
        "/{risk_id:uuid}/actions",
        responses=problems.problem_responses(400, 401, 404),
        summary="The risk's mitigating actions",
    )
    async def list_actions(
        self, risks: Risks, risk_actions: RiskActions, page: PageDep, context: Ctx, risk_id: FromPath[UUID]
    ) -> Page[ActionRead]:
        await risks.get_risk(risk_id)
        items, total = await risk_actions.list_actions(
            [RiskAction.risk_id == risk_id], [RiskAction.due_on.asc(), RiskAction.id.asc()], page
        )
        return Page(
            items=[action_read(a, context.today) for a in items], total=total, limit=page.limit, offset=page.offset
        )

    @post("/{risk_id:uuid}/actions", opt=WRITE, responses=problems.CREATE, summary="Add a mitigating action")
    async def create_action(
        self,
        risks: Risks,
        risk_actions: RiskActions,
        context: Ctx,
        risk_id: FromPath[UUID],
        data: JSONBody[ActionCreate],
    ) -> Response[ActionRead]:
        action = await risk_actions.create_action(await risks.get_risk(risk_id), data, context)
        return versioned(action_read(action, context.today), action.version, 201)


def _order(name: str) -> Any:
    return OrderBy(field_name=name, sort_order="asc")


class LinkController(Controller):
    path = "/api/risk-links"
    tags = ["Registers: risks"]
    dependencies = DEPENDENCIES

    @get("/{link_id:uuid}", responses=problems.READ_ONE, summary="One link")
    async def get_link(self, links: Links, link_id: FromPath[UUID]) -> Response[LinkRead]:
        link = await links.get_link(link_id)
        return versioned(LinkRead.model_validate(link), link.version)

    @delete("/{link_id:uuid}", opt=WRITE, responses=problems.DELETE, summary="Remove a link")
    async def delete_link(self, links: Links, risks: Risks, link_id: FromPath[UUID], version: ExpectedVersion) -> None:
        await links.delete_link(link_id, risks, version)


class ActionController(Controller):
    path = "/api/risk-actions"
    tags = ["Registers: risks"]
    dependencies = DEPENDENCIES

    @get(
        "/",
        responses=problems.READ_MANY,
        summary="Mitigating actions across registers; overdue=true: most overdue first",
    )
    async def list_actions(
        self,
        risk_actions: RiskActions,
        page: PageDep,
        context: Ctx,
        overdue: Annotated[bool | None, QueryParameter(name="overdue")] = None,
        register_id: Annotated[UUID | None, QueryParameter(name="register_id")] = None,
        area: Annotated[
            str | None, QueryParameter(name="area", max_length=64, pattern=CODE, description="HMPPS Area code")
        ] = None,
        status: Annotated[list[ActionStatus] | None, QueryParameter(name="status", max_items=4)] = None,
        sort: Annotated[ActionSort, QueryParameter(name="sort")] = "due_on",
        order: Annotated[SortOrder, QueryParameter(name="order")] = "asc",
    ) -> Page[ActionRead]:
        problems_found = []
        if area is not None and not context.organisation.has_area(area):
            problems_found.append(FieldProblem("area", f"unknown Area code {area!r}"))
        raise_if_any(problems_found)
        conditions: list[Any] = []
        if overdue is not None:
            is_overdue = queries.action_overdue(context.today)
            conditions.append(is_overdue if overdue else ~is_overdue)
        if register_id is not None:
            conditions.append(RiskAction.risk_id.in_(select(Risk.id).where(Risk.register_id == register_id)))
        if area is not None:
            conditions.append(
                RiskAction.risk_id.in_(
                    select(Risk.id).join(Register, Register.id == Risk.register_id).where(Register.area_code == area)
                )
            )
        if status:
            conditions.append(RiskAction.status.in_([s.value for s in status]))
        column = getattr(RiskAction, sort)
        ordering = [column.desc() if order == "desc" else column.asc(), RiskAction.id.asc()]
        items, total = await risk_actions.list_actions(conditions, ordering, page)
        return Page(
            items=[action_read(a, context.today) for a in items], total=total, limit=page.limit, offset=page.offset
        )

    @get("/{risk_action_id:uuid}", responses=problems.READ_ONE, summary="One mitigating action")
    async def get_action(
        self, risk_actions: RiskActions, context: Ctx, risk_action_id: FromPath[UUID]
    ) -> Response[ActionRead]:
        action = await risk_actions.get_action(risk_action_id)
        return versioned(action_read(action, context.today), action.version)

    @patch("/{risk_action_id:uuid}", opt=WRITE, responses=problems.UPDATE, summary="Change a mitigating action")
    async def update_action(
        self,
        risk_actions: RiskActions,
        context: Ctx,
        risk_action_id: FromPath[UUID],
        version: ExpectedVersion,
        data: JSONBody[ActionUpdate],
    ) -> Response[ActionRead]:
        action = await risk_actions.update_action(risk_action_id, data, context, version)
        return versioned(action_read(action, context.today), action.version)

    @delete("/{risk_action_id:uuid}", opt=WRITE, responses=problems.DELETE, summary="Delete a mitigating action")
    async def delete_action(
        self, risk_actions: RiskActions, risk_action_id: FromPath[UUID], version: ExpectedVersion
    ) -> None:
        await risk_actions.delete_action(risk_action_id, version)
