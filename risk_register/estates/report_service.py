"""Queries behind the estate summary and the accessibility report; the arithmetic is in estates/reports.py."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.core.context import Context
from risk_register.core.filters import OrgFilter
from risk_register.estates.enums import AccessibilityStatus, RefurbishmentStatus
from risk_register.estates.models import RefurbishmentProject, RemediationAction, Site
from risk_register.estates.queries import remediation_open, remediation_overdue, site_matches
from risk_register.estates.reports import (
    EstateSummary,
    RefurbishmentGroupRow,
    RemediationGroupRow,
    SiteGroupRow,
    summarise_estate,
)

GroupBy = Literal["area", "region"]


def _groups(ctx: Context, group_by: GroupBy, org: OrgFilter) -> tuple[dict[str, str], dict[str, str]]:
    """Groups in scope (code -> name) and each region's group."""
    regions = [
        r
        for r in ctx.organisation.regions
        if (org.area is None or r.area_code == org.area) and (org.region is None or r.code == org.region)
    ]
    if group_by == "region":
        return {r.code: r.name for r in regions}, {r.code: r.code for r in regions}
    area_names = {a.code: a.name for a in ctx.organisation.areas}
    return ({r.area_code: area_names[r.area_code] for r in regions}, {r.code: r.area_code for r in regions})


async def estate_summary(session: AsyncSession, ctx: Context, group_by: GroupBy, org: OrgFilter) -> list[EstateSummary]:
    groups, group_of_region = _groups(ctx, group_by, org)
    where = site_matches(ctx.organisation, area=org.area, region=org.region, pdu=org.pdu, site_types=org.site_types)
    site_rows = (
        await session.execute(
            select(
                Site.region_code,
                Site.site_type,
                Site.tenure,
                Site.condition_grade,
                Site.suitability,
                Site.accessibility_status,
                func.count(),
            )
            .where(*where)
            .group_by(
                Site.region_code,
                Site.site_type,
                Site.tenure,
                Site.condition_grade,
                Site.suitability,
                Site.accessibility_status,
            )
        )
    ).all()
    remediation_rows = (
        await session.execute(
            select(
                Site.region_code,
                Site.site_type,
                func.count(),
                func.sum(case((remediation_overdue(ctx.today), 1), else_=0)),
            )
            .join(RemediationAction, RemediationAction.site_id == Site.id)
            .where(*where, remediation_open())
            .group_by(Site.region_code, Site.site_type)
        )
    ).all()
    refurbishment_rows = (
        await session.execute(
            select(Site.region_code, Site.site_type, RefurbishmentProject.kind, func.count())
            .join(RefurbishmentProject, RefurbishmentProject.site_id == Site.id)
            .where(*where, RefurbishmentProject.status == RefurbishmentStatus.COMPLETE)
            .group_by(Site.region_code, Site.site_type, RefurbishmentProject.kind)
        )
    ).all()
    return summarise_estate(
        groups,
        [SiteGroupRow(group_of_region[r[0]], r[1], r[2], r[3], r[4], r[5], r[6]) for r in site_rows],
        [RemediationGroupRow(group_of_region[r[0]], r[1], r[2], int(r[3] or 0)) for r in remediation_rows],
        [RefurbishmentGroupRow(group_of_region[r[0]], r[1], r[2], r[3]) for r in refurbishment_rows],
    )


async def accessibility_by_region(
    session: AsyncSession, ctx: Context, org: OrgFilter, sites_per_region: int
) -> list[dict[str, object]]:
    """Per region: sites by accessibility status (UPW split out) and the inaccessible and partially accessible
    sites themselves, worst first, up to ``sites_per_region`` each."""
    groups, _ = _groups(ctx, "region", org)
    where = site_matches(ctx.organisation, area=org.area, region=org.region, pdu=org.pdu, site_types=org.site_types)
    counts = (
        await session.execute(
            select(Site.region_code, Site.site_type, Site.accessibility_status, func.count())
            .where(*where)
            .group_by(Site.region_code, Site.site_type, Site.accessibility_status)
        )
    ).all()
    not_accessible = [AccessibilityStatus.INACCESSIBLE.value, AccessibilityStatus.PARTIALLY_ACCESSIBLE.value]
    ranked = (
        select(
            Site.id,
            Site.code,
            Site.name,
            Site.site_type,
            Site.region_code,
            Site.accessibility_status,
            func.row_number()
            .over(partition_by=Site.region_code, order_by=(Site.accessibility_status, Site.code))
            .label("rank"),
        )
        .where(*where, Site.accessibility_status.in_(not_accessible))
        .subquery()
    )
    listed = (
        await session.execute(
            select(ranked).where(ranked.c.rank <= sites_per_region).order_by(ranked.c.region_code, ranked.c.rank)
        )
    ).all()
    report: dict[str, dict[str, object]] = {
        code: {"region_code": code, "name": name, "counts": {}, "sites": []} for code, name in groups.items()
    }
    for region_code, site_type, status, count in counts:
        entry_counts = report[region_code]["counts"]
        assert isinstance(entry_counts, dict)
        split = entry_counts.setdefault(status, {"unpaid_work": 0, "rest_of_estate": 0, "total": 0})
        split["unpaid_work" if site_type == "unpaid_work" else "rest_of_estate"] += count
        split["total"] += count
    for row in listed:
        sites = report[row.region_code]["sites"]
        assert isinstance(sites, list)
        sites.append(
            {
                "id": str(row.id),
                "code": row.code,
                "name": row.name,
                "site_type": row.site_type,
                "accessibility_status": row.accessibility_status,
            }
        )
    return list(report.values())
