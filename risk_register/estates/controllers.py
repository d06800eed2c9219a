"""HTTP handlers for the estates register. Thin: parse, call a service, shape the answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.core import problems
from risk_register.core.context import Context
from risk_register.core.filters import OrgFilter
from risk_register.core.pagination import PageRequest, SortOrder, order_by
from risk_register.core.schemas import Page
from risk_register.estates.deps import SERVICES
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
from risk_register.estates.queries import remediation_overdue
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
)
from risk_register.estates.services import (
    FindingService,
    ProjectService,
    RemediationService,
    SiteService,
    child_filters,
)

SiteSort = Literal["code", "name", "region_code", "site_type", "condition_grade", "staff_headcount", "created_at"]
FindingSort = Literal["raised_on", "priority", "target_date", "status", "created_at"]
ProjectSort = Literal["planned_start", "planned_end", "actual_end", "status", "kind", "created_at"]
RemediationSort = Literal["target_date", "reported_on", "priority", "status", "created_at"]


def _in(column: Any, values: Sequence[object] | None) -> list[ColumnElement[bool]]:
    return [column.in_([v.value if hasattr(v, "value") else v for v in values])] if values else []


class SiteController(Controller):
    path = "/api/sites"
    tags = ["Estates: sites"]
    dependencies = SERVICES

    @get("/", responses=problems.READ_MANY, summary="List sites")
    async def list_sites(
        self, sites: SiteService, org: OrgFilter, page: PageRequest, context: Context,
        condition_grade: Annotated[list[ConditionGrade] | None, Parameter(query="condition_grade", max_items=4)] = None,
        tenure: Annotated[list[Tenure] | None, Parameter(query="tenure", max_items=3)] = None,
        suitability: Annotated[list[Suitability] | None, Parameter(query="suitability", max_items=3)] = None,
        accessibility_status: Annotated[list[AccessibilityStatus] | None,
                                        Parameter(query="accessibility_status", max_items=3)] = None,
        operational_status: Annotated[list[OperationalStatus] | None,
                                      Parameter(query="operational_status", max_items=4)] = None,
        sort: Annotated[SiteSort, Parameter(query="sort")] = "code",
        order: Annotated[SortOrder, Parameter(query="order")] = "asc",
    ) -> Page[SiteRead]:
        conditions = [
            *_in(Site.condition_grade, condition_grade), *_in(Site.tenure, tenure),
            *_in(Site.suitability, suitability), *_in(Site.accessibility_status, accessibility_status),
            *_in(Site.operational_status, operational_status),
        ]
        items, total = await sites.list_sites(org, context, conditions=conditions, page=page.as_filter(),
                                              order=order_by(sort, order))
        return Page(items=[SiteRead.model_validate(s) for s in items], total=total, limit=page.limit,
                    offset=page.offset)

    @post("/", responses=problems.CREATE, summary="Add a site")
    async def create_site(self, sites: SiteService, context: Context, data: SiteCreate) -> SiteRead:
        return SiteRead.model_validate(await sites.create_site(data, context))

    @get("/{site_id:uuid}", responses=problems.READ_ONE, summary="One site")
    async def get_site(self, sites: SiteService, site_id: UUID) -> SiteRead:
        return SiteRead.model_validate(await sites.get_site(site_id))

    @patch("/{site_id:uuid}", responses=problems.UPDATE, summary="Change some of a site's fields")
    async def update_site(self, sites: SiteService, context: Context, site_id: UUID, data: SiteUpdate) -> SiteRead:
        return SiteRead.model_validate(await sites.update_site(site_id, data, context))

    @delete("/{site_id:uuid}", responses=problems.DELETE,
            summary="Delete a site entered by mistake (one with records is refused: dispose of it instead)")
    async def delete_site(self, sites: SiteService, site_id: UUID) -> None:
        await sites.delete_site(site_id)


class FindingController(Controller):
    path = "/api/accessibility-findings"
    tags = ["Estates: accessibility"]
    dependencies = SERVICES

    @get("/", responses=problems.READ_MANY, summary="List access-audit findings")
    async def list_findings(
        self, findings: FindingService, org: OrgFilter, page: PageRequest, context: Context,
        site_id: Annotated[UUID | None, Parameter(query="site_id")] = None,
        status: Annotated[list[FindingStatus] | None, Parameter(query="status", max_items=4)] = None,
        category: Annotated[list[FindingCategory] | None, Parameter(query="category", max_items=10)] = None,
        priority: Annotated[list[int] | None, Parameter(query="priority", max_items=4)] = None,
        sort: Annotated[FindingSort, Parameter(query="sort")] = "raised_on",
        order: Annotated[SortOrder, Parameter(query="order")] = "desc",
    ) -> Page[FindingRead]:
        conditions = [
            *child_filters(AccessibilityFinding.site_id, org, context),
            *([AccessibilityFinding.site_id == site_id] if site_id else []),
            *_in(AccessibilityFinding.status, status), *_in(AccessibilityFinding.category, category),
            *_in(AccessibilityFinding.priority, priority),
        ]
        items, total = await findings.get_many_and_count(
            *conditions, page.as_filter(), order_by(sort, order), order_by("id", "asc"))
        return Page(items=[FindingRead.model_validate(f) for f in items], total=total, limit=page.limit,
                    offset=page.offset)

    @post("/", responses=problems.CREATE, summary="Record an access-audit finding")
    async def create_finding(self, findings: FindingService, sites: SiteService, context: Context,
                             data: FindingCreate) -> FindingRead:
        return FindingRead.model_validate(await findings.create_finding(data, sites, context))

    @get("/{finding_id:uuid}", responses=problems.READ_ONE, summary="One finding")
    async def get_finding(self, findings: FindingService, finding_id: UUID) -> FindingRead:
        return FindingRead.model_validate(await findings.get_finding(finding_id))

    @patch("/{finding_id:uuid}", responses=problems.UPDATE, summary="Change some of a finding's fields")
    async def update_finding(self, findings: FindingService, sites: SiteService, context: Context,
                             finding_id: UUID, data: FindingUpdate) -> FindingRead:
        return FindingRead.model_validate(await findings.update_finding(finding_id, data, sites, context))

    @delete("/{finding_id:uuid}", responses=problems.DELETE, summary="Delete a finding entered by mistake")
    async def delete_finding(self, findings: FindingService, sites: SiteService, context: Context,
                             finding_id: UUID) -> None:
        await findings.delete_finding(finding_id, sites, context)


class ProjectController(Controller):
    path = "/api/refurbishment-projects"
    tags = ["Estates: refurbishment"]
    dependencies = SERVICES

    @get("/", responses=problems.READ_MANY, summary="List refurbishment projects")
    async def list_projects(
        self, projects: ProjectService, org: OrgFilter, page: PageRequest, context: Context,
        site_id: Annotated[UUID | None, Parameter(query="site_id")] = None,
        kind: Annotated[list[RefurbishmentKind] | None, Parameter(query="kind", max_items=4)] = None,
        status: Annotated[list[RefurbishmentStatus] | None, Parameter(query="status", max_items=6)] = None,
        sort: Annotated[ProjectSort, Parameter(query="sort")] = "created_at",
        order: Annotated[SortOrder, Parameter(query="order")] = "desc",
    ) -> Page[ProjectRead]:
        conditions = [
            *child_filters(RefurbishmentProject.site_id, org, context),
            *([RefurbishmentProject.site_id == site_id] if site_id else []),
            *_in(RefurbishmentProject.kind, kind), *_in(RefurbishmentProject.status, status),
        ]
        items, total = await projects.get_many_and_count(
            *conditions, page.as_filter(), order_by(sort, order), order_by("id", "asc"))
        return Page(items=[ProjectRead.model_validate(p) for p in items], total=total, limit=page.limit,
                    offset=page.offset)

    @post("/", responses=problems.CREATE, summary="Propose or record a refurbishment project")
    async def create_project(self, projects: ProjectService, sites: SiteService, context: Context,
                             data: ProjectCreate) -> ProjectRead:
        return ProjectRead.model_validate(await projects.create_project(data, sites, context))

    @get("/{project_id:uuid}", responses=problems.READ_ONE, summary="One project")
    async def get_project(self, projects: ProjectService, project_id: UUID) -> ProjectRead:
        return ProjectRead.model_validate(await projects.get_project(project_id))

    @patch("/{project_id:uuid}", responses=problems.UPDATE, summary="Change some of a project's fields")
    async def update_project(self, projects: ProjectService, context: Context, project_id: UUID,
                             data: ProjectUpdate) -> ProjectRead:
        return ProjectRead.model_validate(await projects.update_project(project_id, data, context))

    @delete("/{project_id:uuid}", responses=problems.DELETE, summary="Delete a project entered by mistake")
    async def delete_project(self, projects: ProjectService, project_id: UUID) -> None:
        await projects.get_project(project_id)
        await projects.delete(project_id)


class RemediationController(Controller):
    path = "/api/remediation-actions"
    tags = ["Estates: remediation"]
    dependencies = SERVICES

    @get("/", responses=problems.READ_MANY,
         summary="List repairs; with overdue=true, the overdue ones, most overdue first")
    async def list_actions(
        self, remediation: RemediationService, org: OrgFilter, page: PageRequest, context: Context,
        overdue: Annotated[bool | None, Parameter(query="overdue",
                                                  description="true: overdue only, most overdue first")] = None,
        site_id: Annotated[UUID | None, Parameter(query="site_id")] = None,
        system: Annotated[list[BuildingSystem] | None, Parameter(query="system", max_items=10)] = None,
        priority: Annotated[list[RepairPriority] | None, Parameter(query="priority", max_items=4)] = None,
        status: Annotated[list[RemediationStatus] | None, Parameter(query="status", max_items=5)] = None,
        sort: Annotated[RemediationSort | None, Parameter(query="sort")] = None,
        order: Annotated[SortOrder | None, Parameter(query="order")] = None,
    ) -> Page[RemediationRead]:
        conditions = [
            *child_filters(RemediationAction.site_id, org, context),
            *([RemediationAction.site_id == site_id] if site_id else []),
            *_in(RemediationAction.system, system), *_in(RemediationAction.priority, priority),
            *_in(RemediationAction.status, status),
        ]
        if overdue is not None:
            is_overdue = remediation_overdue(context.today)
            conditions.append(is_overdue if overdue else ~is_overdue)
        # Most overdue first = earliest target first.
        default_sort: RemediationSort = "target_date" if overdue else "reported_on"
        default_order: SortOrder = "asc" if overdue else "desc"
        items, total = await remediation.get_many_and_count(
            *conditions, page.as_filter(), order_by(sort or default_sort, order or default_order),
            order_by("id", "asc"))
        return Page(items=[remediation_read(a, context.today) for a in items], total=total, limit=page.limit,
                    offset=page.offset)

    @post("/", responses=problems.CREATE, summary="Report a repair or defect")
    async def create_action(self, remediation: RemediationService, sites: SiteService, context: Context,
                            data: RemediationCreate) -> RemediationRead:
        return remediation_read(await remediation.create_action(data, sites, context), context.today)

    @get("/{action_id:uuid}", responses=problems.READ_ONE, summary="One repair")
    async def get_action(self, remediation: RemediationService, context: Context, action_id: UUID
                         ) -> RemediationRead:
        return remediation_read(await remediation.get_action(action_id), context.today)

    @patch("/{action_id:uuid}", responses=problems.UPDATE, summary="Change some of a repair's fields")
    async def update_action(self, remediation: RemediationService, context: Context, action_id: UUID,
                            data: RemediationUpdate) -> RemediationRead:
        return remediation_read(await remediation.update_action(action_id, data, context), context.today)

    @delete("/{action_id:uuid}", responses=problems.DELETE, summary="Delete a repair entered by mistake")
    async def delete_action(self, remediation: RemediationService, action_id: UUID) -> None:
        await remediation.get_action(action_id)
        await remediation.delete(action_id)


class EstateReportController(Controller):
    path = "/api/estate"
    tags = ["Estates: reports"]
    dependencies = SERVICES

    @get("/summary", responses=problems.READ_MANY,
         summary="Estate summary per Area or region, UPW sites beside the rest of the estate")
    async def summary(
        self, db_session: AsyncSession, org: OrgFilter, context: Context,
        group_by: Annotated[GroupBy, Parameter(query="group_by")] = "area",
    ) -> EstateSummaryReport:
        groups = await estate_summary(db_session, context, group_by, org)
        return EstateSummaryReport.model_validate({
            "as_of": context.today, "group_by": group_by,
            "groups": [g.as_dict() for g in groups], "total": national_total(groups).as_dict(),
        })

    @get("/accessibility", responses=problems.READ_MANY,
         summary="Inaccessible and partially accessible sites per region")
    async def accessibility(
        self, db_session: AsyncSession, org: OrgFilter, context: Context,
        sites_per_region: Annotated[int, Parameter(query="sites_per_region", ge=0, le=1000)] = 100,
    ) -> AccessibilityReport:
        regions = await accessibility_by_region(db_session, context, org, sites_per_region)
        return AccessibilityReport.model_validate({"as_of": context.today, "regions": regions})
