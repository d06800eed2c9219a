"""Write a generated demo estate into an empty database, in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.demo.alignment import load_alignment_demo
from risk_register.demo.generator import generate_estate
from risk_register.demo.hazards import load_hazards_demo
from risk_register.demo.registers import load_register_demo
from risk_register.estates.models import AccessibilityFinding, RefurbishmentProject, RemediationAction, Site
from risk_register.estates.rules import EstatesRules
from risk_register.estates.services import refresh_all_accessibility
from risk_register.organisation.reference import Organisation
from risk_register.organisation.services import sync_organisation

BATCH = 2000


@dataclass(frozen=True)
class LoadResult:
    sites: int
    findings: int
    projects: int
    actions: int
    skipped: bool = False


async def _insert(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    # Core executemany: the ORM unit of work would take minutes for the 100x estate.
    for start in range(0, len(rows), BATCH):
        await session.execute(insert(model), list(rows[start : start + BATCH]))


async def load_demo(
    session: AsyncSession,
    organisation: Organisation,
    rules: EstatesRules,
    *,
    scale: int,
    today: date,
    seed: int = 20250401,
    only_if_empty: bool = True,
) -> LoadResult:
    await sync_organisation(session, organisation)
    existing = await session.scalar(select(func.count()).select_from(Site))
    if existing and only_if_empty:
        return LoadResult(sites=existing, findings=0, projects=0, actions=0, skipped=True)
    estate = generate_estate(organisation, rules, scale=scale, seed=seed, today=today)
    await _insert(session, Site, estate.sites)
    await _insert(session, AccessibilityFinding, estate.findings)
    await _insert(session, RefurbishmentProject, estate.projects)
    await _insert(session, RemediationAction, estate.actions)
    await refresh_all_accessibility(session, rules)
    await load_hazards_demo(session, organisation, estate.sites, scale=scale, today=today, seed=seed)
    await load_register_demo(session, organisation, today=today, seed=seed, scale=scale)
    await load_alignment_demo(session)
    return LoadResult(
        sites=len(estate.sites),
        findings=len(estate.findings),
        projects=len(estate.projects),
        actions=len(estate.actions),
    )
