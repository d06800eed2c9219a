"""HTTP handlers for the estates register. Thin: parse, call a service, shape the answer.

Writes need Permission.ESTATES_WRITE (national estates team, admins); reads are open to every signed-in role.
Single records answer with an ETag; PATCH and DELETE need it back in If-Match.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy import ColumnElement

from risk_register.accounts.guards import requires
from risk_register.accounts.roles import Permission
from risk_register.core import problems
from risk_register.core.concurrency import ExpectedVersion, versioned
from risk_register.core.deps import Ctx, DbSession, OrgScope, PageDep
from risk_register.core.pagination import SortOrder, order_by
from risk_register.core.schemas import Page
from risk_register.estates.deps import SERVICES, Findings, Projects, Remediation, Sites
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
    Suitability,
    Tenure,
)
from risk_register.estates.models import AccessibilityFinding, RefurbishmentProject, RemediationAction, Site
from risk_register.estates.remediation_list import RemediationListQuery, RemediationSort, SiteFilter
from risk_register.estates.report_service import GroupBy, accessibility_by_region, estate_summary
from risk_register.estates.reports import national_total
from risk_register.estates.schemas import (
    AccessibilityReport,
    EstateSummaryReport,
    FindingCreate,
    FindingRead,
    FindingUpdate,
    ProjectCreate,
    ProjectRead,
    ProjectUpdate,
    RemediationCreate,
    RemediationRead,
    RemediationUpdate,
    SiteCreate,
    SiteRead,
    SiteUpdate,
    remediation_read,
    remediation_read_row,
)
from risk_register.estates.services import child_filters

SiteSort = Literal["code", "name", "region_code", "site_type", "condition_grade", "staff_headcount", "created_at"]
FindingSort = Literal["raised_on", "priority", "target_date", "status", "created_at"]
ProjectSort = Literal["planned_start", "planned_end", "actual_end", "status", "kind", "created_at"]
WRITE = requires(Permission.ESTATES_WRITE)


def _in(column: Any, values: Sequence[object] | None) -> list[ColumnElement[bool]]:
    return [column.in_([getattr(v, "value", v) for v in values])] if values else []


def _values(values: Sequence[StrEnum] | None) -> tuple[str, ...]:
    """Enum query parameters as the values the remediation list binds."""
    return tuple(v.value for v in values or ())


def _site(site: Site, status_code: int = 200) -> Response[SiteRead]:
    return versioned(SiteRead.model_validate(site), site.version, status_code)


class SiteController(Controller):
    path = "/api/sites"
    tags = ["Estates: sites"]
    dependencies = SERVICES

    @get("/", responses=problems.READ_MANY, summary="List sites")
    async def list_sites(
        self,
        sites: Sites,
        org: OrgScope,
        page: PageDep,
        context: Ctx,
        condition_grade: Annotated[
            list[ConditionGrade] | None, QueryParameter(name="condition_grade", max_items=4)
        ] = None,
        tenure: Annotated[list[Tenure] | None, QueryParameter(name="tenure", max_items=3)] = None,
        suitability: Annotated[list[Suitability] | None, QueryParameter(name="suitability", max_items=3)] = None,
        accessibility_status: Annotated[
            list[AccessibilityStatus] | None, QueryParameter(name="accessibility_status", max_items=3)
        ] = None,
        operational_status: Annotated[
            list[OperationalStatus] | None, QueryParameter(name="operational_status", max_items=4)
        ] = None,
        sort: Annotated[SiteSort, QueryParameter(name="sort")] = "code",
        order: Annotated[SortOrder, QueryParameter(name="order")] = "asc",
    ) -> Page[SiteRead]:
        conditions = [
            *_in(Site.condition_grade, condition_grade),
            *_in(Site.tenure, tenure),
            *_in(Site.suitability, suitability),
            *_in(Site.accessibility_status, accessibility_status),
            *_in(Site.operational_status, operational_status),
        ]
        items, total = await sites.list_sites(
            org, context, conditions=conditions, page=page.as_filter(), order=order_by(sort, order)
        )
        return Page(
            items=[SiteRead.model_validate(s) for s in items], total=total, limit=page.limit, offset=page.offset
        )

    @post("/", opt=WRITE, responses=problems.CREATE, summary="Add a site")
    async def create_site(self, sites: Sites, context: Ctx, data: JSONBody[SiteCreate]) -> Response[SiteRead]:
        return _site(await sites.create_site(data, context), 201)

    @get("/{site_id:uuid}", responses=problems.READ_ONE, summary="One site")
    async def get_site(self, sites: Sites, site_id: FromPath[UUID]) -> Response[SiteRead]:
        return _site(await sites.get_site(site_id))

    @patch("/{site_id:uuid}", opt=WRITE, responses=problems.UPDATE, summary="Change some of a site's fields")
    async def update_site(
        self,
        sites: Sites,
        context: Ctx,
        site_id: FromPath[UUID],
        version: ExpectedVersion,
        data: JSONBody[SiteUpdate],
    ) -> Response[SiteRead]:
        return _site(await sites.update_site(site_id, data, context, version))

    @delete(
        "/{site_id:uuid}",
        opt=WRITE,
        responses=problems.DELETE,
        summary="Delete a site entered by mistake (one with records is refused: dispose of it instead)",
    )
    async def delete_site(self, sites: Sites, site_id: FromPath[UUID], version: ExpectedVersion) -> None:
        await sites.delete_site(site_id, version)


def _finding(finding: AccessibilityFinding, status_code: int = 200) -> Response[FindingRead]:
    return versioned(FindingRead.model_validate(finding), finding.version, status_code)


class FindingController(Controller):
    path = "/api/accessibility-findings"
    tags = ["Estates: accessibility"]
    dependencies = SERVICES

    @get("/", responses=problems.READ_MANY, summary="List access-audit findings")
    async def list_findings(
        self,
        findings: Findings,
        org: OrgScope,
        page: PageDep,
        context: Ctx,
        site_id: Annotated[UUID | None, QueryParameter(name="site_id")] = None,
        status: Annotated[list[FindingStatus] | None, QueryParameter(name="status", max_items=4)] = None,
        category: Annotated[list[FindingCategory] | None, QueryParameter(name="category", max_items=10)] = None,
        priority: Annotated[list[int] | None, QueryParameter(name="priority", max_items=4)] = None,
        sort: Annotated[FindingSort, QueryParameter(name="sort")] = "raised_on",
        order: Annotated[SortOrder, QueryParameter(name="order")] = "desc",
    ) -> Page[FindingRead]:
        conditions = [
            *child_filters(AccessibilityFinding.site_id, org, context),
            *([AccessibilityFinding.site_id == site_id] if site_id else []),
            *_in(AccessibilityFinding.status, status),
            *_in(AccessibilityFinding.category, category),
            *_in(AccessibilityFinding.priority, priority),
        ]
        items, total = await findings.get_many_and_count(
            *conditions, page.as_filter(), order_by(sort, order), order_by("id", "asc")
        )
        return Page(
            items=[FindingRead.model_validate(f) for f in items], total=total, limit=page.limit, offset=page.offset
        )

    @post("/", opt=WRITE, responses=problems.CREATE, summary="Record an access-audit finding")
    async def create_finding(
        self, findings: Findings, sites: Sites, context: Ctx, data: JSONBody[FindingCreate]
    ) -> Response[FindingRead]:
        return _finding(await findings.create_finding(data, sites, context), 201)

    @get("/{finding_id:uuid}", responses=problems.READ_ONE, summary="One finding")
    async def get_finding(self, findings: Findings, finding_id: FromPath[UUID]) -> Response[FindingRead]:
        return _finding(await findings.get_finding(finding_id))

    @patch("/{finding_id:uuid}", opt=WRITE, responses=problems.UPDATE, summary="Change some of a finding's fields")
    async def update_finding(
        self,
        findings: Findings,
        sites: Sites,
        context: Ctx,
        finding_id: FromPath[UUID],
        version: ExpectedVersion,
        data: JSONBody[FindingUpdate],
    ) -> Response[FindingRead]:
        return _finding(await findings.update_finding(finding_id, data, sites, context, version))

    @delete("/{finding_id:uuid}", opt=WRITE, responses=problems.DELETE, summary="Delete a finding entered by mistake")
    async def delete_finding(
        self, findings: Findings, sites: Sites, context: Ctx, finding_id: FromPath[UUID], version: ExpectedVersion
    ) -> None:
        await findings.delete_finding(finding_id, sites, context, version)


def _project(project: RefurbishmentProject, status_code: int = 200) -> Response[ProjectRead]:
    return versioned(ProjectRead.model_validate(project), project.version, status_code)


class ProjectController(Controller):
    path = "/api/refurbishment-projects"
    tags = ["Estates: refurbishment"]
    dependencies = SERVICES

    @get("/", responses=problems.READ_MANY, summary="List refurbishment projects")
    async def list_projects(
        self,
        projects: Projects,
        org: OrgScope,
        page: PageDep,
        context: Ctx,
        site_id: Annotated[UUID | None, QueryParameter(name="site_id")] = None,
        kind: Annotated[list[RefurbishmentKind] | None, QueryParameter(name="kind", max_items=4)] = None,
        status: Annotated[list[RefurbishmentStatus] | None, QueryParameter(name="status", max_items=6)] = None,
        sort: Annotated[ProjectSort, QueryParameter(name="sort")] = "created_at",
        order: Annotated[SortOrder, QueryParameter(name="order")] = "desc",
    ) -> Page[ProjectRead]:
        conditions = [
            *child_filters(RefurbishmentProject.site_id, org, context),
            *([RefurbishmentProject.site_id == site_id] if site_id else []),
            *_in(RefurbishmentProject.kind, kind),
            *_in(RefurbishmentProject.status, status),
        ]
        items, total = await projects.get_many_and_count(
            *conditions, page.as_filter(), order_by(sort, order), order_by("id", "asc")
        )
        return Page(
            items=[ProjectRead.model_validate(p) for p in items], total=total, limit=page.limit, offset=page.offset
        )

    @post("/", opt=WRITE, responses=problems.CREATE, summary="Propose or record a refurbishment project")
    async def create_project(
        self, projects: Projects, sites: Sites, context: Ctx, data: JSONBody[ProjectCreate]
    ) -> Response[ProjectRead]:
        return _project(await projects.create_project(data, sites, context), 201)

    @get("/{project_id:uuid}", responses=problems.READ_ONE, summary="One project")
    async def get_project(self, projects: Projects, project_id: FromPath[UUID]) -> Response[ProjectRead]:
        return _project(await projects.get_project(project_id))

    @patch("/{project_id:uuid}", opt=WRITE, responses=problems.UPDATE, summary="Change some of a project's fields")
    async def update_project(
        self,
        projects: Projects,
        context: Ctx,
        project_id: FromPath[UUID],
        version: ExpectedVersion,
        data: JSONBody[ProjectUpdate],
    ) -> Response[ProjectRead]:
        return _project(await projects.update_project(project_id, data, context, version))

    @delete("/{project_id:uuid}", opt=WRITE, responses=problems.DELETE, summary="Delete a project entered by mistake")
    async def delete_project(self, projects: Projects, project_id: FromPath[UUID], version: ExpectedVersion) -> None:
        await projects.delete_project(project_id, version)


def _action(action: RemediationAction, today: Any, status_code: int = 200) -> Response[RemediationRead]:
    return versioned(remediation_read(action, today), action.version, status_code)


class RemediationController(Controller):
    path = "/api/remediation-actions"
    tags = ["Estates: remediation"]
    dependencies = SERVICES

    @get(
        "/",
        responses=problems.READ_MANY,
        summary="List repairs; with overdue=true, the overdue ones, most overdue first",
    )
    async def list_actions(
        self,
        remediation: Remediation,
        org: OrgScope,
        page: PageDep,
        context: Ctx,
        overdue: Annotated[
            bool | None, QueryParameter(name="overdue", description="true: overdue only, most overdue first")
        ] = None,
        site_id: Annotated[UUID | None, QueryParameter(name="site_id")] = None,
        system: Annotated[list[BuildingSystem] | None, QueryParameter(name="system", max_items=10)] = None,
        priority: Annotated[list[RepairPriority] | None, QueryParameter(name="priority", max_items=4)] = None,
        status: Annotated[list[RemediationStatus] | None, QueryParameter(name="status", max_items=5)] = None,
        sort: Annotated[RemediationSort | None, QueryParameter(name="sort")] = None,
        order: Annotated[SortOrder | None, QueryParameter(name="order")] = None,
    ) -> Page[RemediationRead]:
        # Most overdue first = earliest target first.
        default_sort: RemediationSort = "target_date" if overdue else "reported_on"
        default_order: SortOrder = "asc" if overdue else "desc"
        query = RemediationListQuery(
            today=context.today,
            overdue=overdue,
            site_id=site_id,
            systems=_values(system),
            priorities=_values(priority),
            statuses=_values(status),
            site=SiteFilter.of(
                context.organisation, area=org.area, region=org.region, pdu=org.pdu, site_types=org.site_types
            ),
            sort=sort or default_sort,
            descending=(order or default_order) == "desc",
            limit=page.limit,
            offset=page.offset,
        )
        rows, total = await remediation.list_page(query)
        return Page(
            items=[remediation_read_row(r, context.today) for r in rows],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )

    @post("/", opt=WRITE, responses=problems.CREATE, summary="Report a repair or defect")
    async def create_action(
        self, remediation: Remediation, sites: Sites, context: Ctx, data: JSONBody[RemediationCreate]
    ) -> Response[RemediationRead]:
        return _action(await remediation.create_action(data, sites, context), context.today, 201)

    @get("/{action_id:uuid}", responses=problems.READ_ONE, summary="One repair")
    async def get_action(
        self, remediation: Remediation, context: Ctx, action_id: FromPath[UUID]
    ) -> Response[RemediationRead]:
        return _action(await remediation.get_action(action_id), context.today)

    @patch("/{action_id:uuid}", opt=WRITE, responses=problems.UPDATE, summary="Change some of a repair's fields")
    async def update_action(
        self,
        remediation: Remediation,
        context: Ctx,
        action_id: FromPath[UUID],
        version: ExpectedVersion,
        data: JSONBody[RemediationUpdate],
    ) -> Response[RemediationRead]:
        return _action(await remediation.update_action(action_id, data, context, version), context.today)

    @delete("/{action_id:uuid}", opt=WRITE, responses=problems.DELETE, summary="Delete a repair entered by mistake")
    async def delete_action(
        self, remediation: Remediation, action_id: FromPath[UUID], version: ExpectedVersion
    ) -> None:
        await remediation.delete_action(action_id, version)


class EstateReportController(Controller):
    path = "/api/estate"
    tags = ["Estates: reports"]
    dependencies = SERVICES

    @get(
        "/summary",
        responses=problems.READ_MANY,
        summary="Estate summary per Area or region, UPW sites beside the rest of the estate",
    )
    async def summary(
        self,
        db_session: DbSession,
        org: OrgScope,
        context: Ctx,
        group_by: Annotated[GroupBy, QueryParameter(name="group_by")] = "area",
    ) -> EstateSummaryReport:
        groups = await estate_summary(db_session, context, group_by, org)
        return EstateSummaryReport.model_validate(
            {
                "as_of": context.today,
                "group_by": group_by,
                "groups": [g.as_dict() for g in groups],
                "total": national_total(groups).as_dict(),
            }
        )

    @get(
        "/accessibility", responses=problems.READ_MANY, summary="Inaccessible and partially accessible sites per region"
    )
    async def accessibility(
        self,
        db_session: DbSession,
        org: OrgScope,
        context: Ctx,
        sites_per_region: Annotated[int, QueryParameter(name="sites_per_region", ge=0, le=1000)] = 100,
    ) -> AccessibilityReport:
        regions = await accessibility_by_region(db_session, context, org, sites_per_region)
        return AccessibilityReport.model_validate({"as_of": context.today, "regions": regions})
