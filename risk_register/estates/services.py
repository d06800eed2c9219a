"""Estates services: Advanced Alchemy repository services plus the rules each write must keep.

Services never commit: the SQLAlchemy plugin commits after a 2xx response and rolls back otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from advanced_alchemy.filters import LimitOffset, OrderBy
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import ColumnElement, RowMapping, func, select, update

from risk_register.core.concurrency import check_version
from risk_register.core.context import Context
from risk_register.core.errors import Conflict, FieldProblem, NotFound, RuleViolation, raise_if_any
from risk_register.core.filters import OrgFilter
from risk_register.estates import rules
from risk_register.estates.enums import OPEN_FINDING_STATUSES, AccessibilityStatus
from risk_register.estates.models import AccessibilityFinding, RefurbishmentProject, RemediationAction, Site
from risk_register.estates.queries import belongs_to_matching_site, site_matches
from risk_register.estates.remediation_list import RemediationListQuery
from risk_register.estates.schemas import (
    FindingCreate,
    FindingUpdate,
    ProjectCreate,
    ProjectUpdate,
    RemediationCreate,
    RemediationUpdate,
    SiteCreate,
    SiteUpdate,
)
from risk_register.organisation.reference import Organisation


def placement_problems(organisation: Organisation, region_code: str, pdu_code: str | None) -> list[FieldProblem]:
    if organisation.region(region_code) is None:
        return [FieldProblem("region_code", f"unknown region code {region_code!r}")]
    if pdu_code is None:
        return []
    pdu = organisation.pdu(pdu_code)
    if pdu is None:
        return [FieldProblem("pdu_code", f"unknown PDU code {pdu_code!r}")]
    if pdu.region_code != region_code:
        return [FieldProblem("pdu_code", f"PDU {pdu_code!r} is not in region {region_code!r}")]
    return []


def _apply(model: Any, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(model, name, value)


async def _delete_checked(service: Any, record: Any, expected_version: int) -> None:
    check_version(record, expected_version)
    await service.delete(record.id)


class SiteRepository(SQLAlchemyAsyncRepository[Site]):
    model_type = Site


class SiteService(SQLAlchemyAsyncRepositoryService[Site, SiteRepository]):
    repository_type = SiteRepository
    count_with_window_function = False

    async def get_site(self, site_id: UUID) -> Site:
        site = await self.get_one_or_none(Site.id == site_id)
        if site is None:
            raise NotFound(f"No site with id {site_id}")
        return site

    async def site_for_reference(self, site_id: UUID) -> Site:
        """A site named in a request body: missing is a 422 on ``site_id``, not a 404 of the URL."""
        site = await self.get_one_or_none(Site.id == site_id)
        if site is None:
            raise RuleViolation.of(FieldProblem("site_id", f"no site with id {site_id}"))
        return site

    async def list_sites(
        self,
        org: OrgFilter,
        ctx: Context,
        *,
        conditions: Sequence[ColumnElement[bool]],
        page: LimitOffset,
        order: OrderBy,
    ) -> tuple[Sequence[Site], int]:
        where = site_matches(ctx.organisation, area=org.area, region=org.region, pdu=org.pdu, site_types=org.site_types)
        return await self.get_many_and_count(
            *where, *conditions, page, order, OrderBy(field_name="id", sort_order="asc")
        )

    async def _refuse_duplicate_code(self, code: str, except_id: UUID | None = None) -> None:
        existing = await self.get_one_or_none(Site.code == code)
        if existing is not None and existing.id != except_id:
            raise Conflict(f"Site code {code!r} is already used", [FieldProblem("code", "is already used")])

    async def create_site(self, data: SiteCreate, ctx: Context) -> Site:
        raise_if_any(
            placement_problems(ctx.organisation, data.region_code, data.pdu_code)
            + rules.site_problems(
                tenure=data.tenure, lease_end_date=data.lease_end_date, staff_headcount=data.staff_headcount
            )
        )
        await self._refuse_duplicate_code(data.code)
        fields = data.model_dump()
        fields["postcode"] = _normalise_postcode(data.postcode)
        site = await self.create(Site(**fields, accessibility_status=AccessibilityStatus.ACCESSIBLE))
        return await self.get_site(site.id)

    async def update_site(self, site_id: UUID, data: SiteUpdate, ctx: Context, expected_version: int) -> Site:
        site = await self.get_site(site_id)
        check_version(site, expected_version)
        changes = data.changes()
        if "postcode" in changes:
            changes["postcode"] = _normalise_postcode(changes["postcode"])
        if "code" in changes:
            await self._refuse_duplicate_code(changes["code"], except_id=site.id)
        if "region_code" in changes and "pdu_code" not in changes and site.pdu_code is not None:
            changes["pdu_code"] = None  # the old PDU belongs to the old region
        _apply(site, changes)
        raise_if_any(
            placement_problems(ctx.organisation, site.region_code, site.pdu_code)
            + rules.site_problems(
                tenure=site.tenure, lease_end_date=site.lease_end_date, staff_headcount=site.staff_headcount
            )
        )
        await self.update(site)
        return await self.get_site(site_id)

    async def delete_site(self, site_id: UUID, expected_version: int) -> None:
        site = await self.get_site(site_id)
        check_version(site, expected_version)
        session = self.repository.session
        for child in (AccessibilityFinding, RefurbishmentProject, RemediationAction):
            count = await session.scalar(select(func.count()).select_from(child).where(child.site_id == site_id))
            if count:
                raise Conflict(
                    f"Site {site.code} has {count} {child.__tablename__.replace('_', ' ')} record(s); "
                    "set operational_status to 'disposed' instead of deleting it",
                )
        await self.delete(site_id)


def _normalise_postcode(postcode: str) -> str:
    compact = postcode.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}"


# --- accessibility findings ----------------------------------------------------------------------------


class FindingRepository(SQLAlchemyAsyncRepository[AccessibilityFinding]):
    model_type = AccessibilityFinding


class FindingService(SQLAlchemyAsyncRepositoryService[AccessibilityFinding, FindingRepository]):
    repository_type = FindingRepository
    count_with_window_function = False

    async def get_finding(self, finding_id: UUID) -> AccessibilityFinding:
        finding = await self.get_one_or_none(AccessibilityFinding.id == finding_id)
        if finding is None:
            raise NotFound(f"No accessibility finding with id {finding_id}")
        return finding

    def _check(self, finding: AccessibilityFinding, ctx: Context) -> None:
        raise_if_any(
            rules.finding_problems(
                status=finding.status,
                raised_on=finding.raised_on,
                target_date=finding.target_date,
                resolved_on=finding.resolved_on,
                accepted_reason=finding.accepted_reason,
                today=ctx.today,
            )
        )

    async def create_finding(self, data: FindingCreate, sites: SiteService, ctx: Context) -> AccessibilityFinding:
        await sites.site_for_reference(data.site_id)
        finding = AccessibilityFinding(**data.model_dump())
        self._check(finding, ctx)
        created = await self.create(finding)
        await refresh_site_accessibility(sites, data.site_id, ctx)
        return await self.get_finding(created.id)

    async def update_finding(
        self, finding_id: UUID, data: FindingUpdate, sites: SiteService, ctx: Context, expected_version: int
    ) -> AccessibilityFinding:
        finding = await self.get_finding(finding_id)
        check_version(finding, expected_version)
        _apply(finding, data.changes())
        self._check(finding, ctx)
        await self.update(finding)
        await refresh_site_accessibility(sites, finding.site_id, ctx)
        return await self.get_finding(finding_id)

    async def delete_finding(self, finding_id: UUID, sites: SiteService, ctx: Context, expected_version: int) -> None:
        finding = await self.get_finding(finding_id)
        check_version(finding, expected_version)
        site_id = finding.site_id
        await self.delete(finding_id)
        await refresh_site_accessibility(sites, site_id, ctx)


async def refresh_site_accessibility(sites: SiteService, site_id: UUID, ctx: Context) -> None:
    """Recompute one site's stored accessibility status from its open findings."""
    session = sites.repository.session
    priorities = (
        await session.scalars(
            select(AccessibilityFinding.priority).where(
                AccessibilityFinding.site_id == site_id,
                AccessibilityFinding.status.in_([s.value for s in OPEN_FINDING_STATUSES]),
            )
        )
    ).all()
    status = rules.accessibility_status(priorities, ctx.estates_rules)
    site = await sites.get_site(site_id)
    if site.accessibility_status != status:
        site.accessibility_status = status
        await sites.update(site)


async def refresh_all_accessibility(session: Any, estates_rules: rules.EstatesRules) -> int:
    """Recompute every site's accessibility status (after demo loads, or when the config's cut-offs change).
    Returns how many sites changed. Bulk SQL: it is derived data, so it does not bump record versions."""
    rows = (
        await session.execute(
            select(Site.id, Site.accessibility_status, func.min(AccessibilityFinding.priority))
            .outerjoin(
                AccessibilityFinding,
                (AccessibilityFinding.site_id == Site.id)
                & AccessibilityFinding.status.in_([s.value for s in OPEN_FINDING_STATUSES]),
            )
            .group_by(Site.id, Site.accessibility_status)
        )
    ).all()
    changed: dict[AccessibilityStatus, list[UUID]] = {}
    for site_id, current, worst in rows:
        status = rules.accessibility_status([] if worst is None else [worst], estates_rules)
        if status != current:
            changed.setdefault(status, []).append(site_id)
    for status, ids in changed.items():
        for start in range(0, len(ids), 5000):
            await session.execute(
                update(Site)
                .where(Site.id.in_(ids[start : start + 5000]))
                .values(accessibility_status=status)
                .execution_options(synchronize_session=False)
            )
    return sum(len(ids) for ids in changed.values())


# --- refurbishment projects ----------------------------------------------------------------------------


class ProjectRepository(SQLAlchemyAsyncRepository[RefurbishmentProject]):
    model_type = RefurbishmentProject


class ProjectService(SQLAlchemyAsyncRepositoryService[RefurbishmentProject, ProjectRepository]):
    repository_type = ProjectRepository
    count_with_window_function = False

    async def get_project(self, project_id: UUID) -> RefurbishmentProject:
        project = await self.get_one_or_none(RefurbishmentProject.id == project_id)
        if project is None:
            raise NotFound(f"No refurbishment project with id {project_id}")
        return project

    async def delete_project(self, project_id: UUID, expected_version: int) -> None:
        await _delete_checked(self, await self.get_project(project_id), expected_version)

    def _check(self, project: RefurbishmentProject, ctx: Context) -> None:
        raise_if_any(
            rules.refurbishment_problems(
                status=project.status,
                planned_start=project.planned_start,
                planned_end=project.planned_end,
                actual_start=project.actual_start,
                actual_end=project.actual_end,
                today=ctx.today,
            )
        )

    async def create_project(self, data: ProjectCreate, sites: SiteService, ctx: Context) -> RefurbishmentProject:
        await sites.site_for_reference(data.site_id)
        project = RefurbishmentProject(**data.model_dump())
        self._check(project, ctx)
        created = await self.create(project)
        return await self.get_project(created.id)

    async def update_project(
        self, project_id: UUID, data: ProjectUpdate, ctx: Context, expected_version: int
    ) -> RefurbishmentProject:
        project = await self.get_project(project_id)
        check_version(project, expected_version)
        _apply(project, data.changes())
        self._check(project, ctx)
        await self.update(project)
        return await self.get_project(project_id)


# --- remediation actions -------------------------------------------------------------------------------


class RemediationRepository(SQLAlchemyAsyncRepository[RemediationAction]):
    model_type = RemediationAction


class RemediationService(SQLAlchemyAsyncRepositoryService[RemediationAction, RemediationRepository]):
    repository_type = RemediationRepository
    count_with_window_function = False

    async def list_page(self, query: RemediationListQuery) -> tuple[list[RowMapping], int]:
        """A page of actions as rows carrying their site's reference (queries.remediation_rows), and the total.

        Rows, not ORM objects: on the 100x estate building and mapping the objects cost more than the query
        itself (benchmarks/README.md). The statements are built once per shape of question and run as Core on
        the session's connection, in its transaction (remediation_list.py says why).
        """
        page, count, parameters = query.prepared()
        connection = await self.repository.session.connection()
        rows = (await connection.execute(page, parameters)).mappings().all()
        total = (await connection.execute(count, parameters)).scalar_one()
        return list(rows), total

    async def get_action(self, action_id: UUID) -> RemediationAction:
        action = await self.get_one_or_none(RemediationAction.id == action_id)
        if action is None:
            raise NotFound(f"No remediation action with id {action_id}")
        return action

    async def delete_action(self, action_id: UUID, expected_version: int) -> None:
        await _delete_checked(self, await self.get_action(action_id), expected_version)

    def _check(self, action: RemediationAction, ctx: Context) -> None:
        raise_if_any(
            rules.remediation_problems(
                status=action.status,
                reported_on=action.reported_on,
                target_date=action.target_date,
                completed_on=action.completed_on,
                today=ctx.today,
            )
        )

    async def create_action(self, data: RemediationCreate, sites: SiteService, ctx: Context) -> RemediationAction:
        await sites.site_for_reference(data.site_id)
        fields = data.model_dump()
        fields["target_date_set_by_hand"] = fields["target_date"] is not None
        if fields["target_date"] is None:
            fields["target_date"] = rules.default_target_date(data.priority, data.reported_on, ctx.estates_rules)
        action = RemediationAction(**fields)
        self._check(action, ctx)
        created = await self.create(action)
        return await self.get_action(created.id)

    async def update_action(
        self, action_id: UUID, data: RemediationUpdate, ctx: Context, expected_version: int
    ) -> RemediationAction:
        action = await self.get_action(action_id)
        check_version(action, expected_version)
        changes = data.changes()
        _apply(action, changes)
        if "target_date" in changes:
            action.target_date_set_by_hand = True
        # A target nobody chose follows a change of priority or reported date; one set by hand stays as it was.
        elif not action.target_date_set_by_hand and {"priority", "reported_on"} & changes.keys():
            action.target_date = rules.default_target_date(action.priority, action.reported_on, ctx.estates_rules)
        self._check(action, ctx)
        await self.update(action)
        return await self.get_action(action_id)


def child_filters(column: Any, org: OrgFilter, ctx: Context) -> list[ColumnElement[bool]]:
    """Organisation and site-type filters applied to a table that belongs to a site."""
    return belongs_to_matching_site(
        column, site_matches(ctx.organisation, area=org.area, region=org.region, pdu=org.pdu, site_types=org.site_types)
    )
