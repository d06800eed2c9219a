"""Read-only views over a register assembled from the services' rows: what changed between two days, the heat
map, and the export file. Every derived value comes from registers/rules.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.core.context import Context
from risk_register.core.errors import FieldProblem, RuleViolation
from risk_register.core.pagination import PageRequest
from risk_register.registers import exporting, rules
from risk_register.registers.enums import ChangeKind, RiskStatus
from risk_register.registers.models import Register, Risk
from risk_register.registers.schemas import ChangeItem, ChangesReport, HeatMapOut, LevelOut, SnapshotBrief
from risk_register.registers.services import RiskService

Basis = Literal["inherent", "residual", "target"]
NOT_CLOSED = [s for s in RiskStatus if s != RiskStatus.CLOSED]


def _brief(version: Any, register_rules: rules.RegisterRules) -> SnapshotBrief:
    residual = rules.score(version.residual_likelihood, version.residual_impact)
    band = rules.band_of(residual, register_rules)
    return SnapshotBrief(
        version_no=version.version_no,
        status=version.status,
        residual_score=residual,
        residual_band=band.code if band else None,
    )


async def changes_report(
    risks: RiskService,
    register_id: UUID,
    start: date,
    end: date | None,
    kinds: Sequence[ChangeKind],
    page: PageRequest,
    ctx: Context,
) -> ChangesReport:
    """Each risk that changed between the end of ``start`` and the end of ``end`` (default today), with what
    happened; counts per kind over all of them, items filtered to ``kinds`` (if any) and paged."""
    end = end or ctx.today
    if end < start:
        raise RuleViolation.of(FieldProblem("to", "must not be before from"))
    found = await risks.changes(register_id, start, end)
    wanted = set(kinds)
    selected = [item for item in found if not wanted or wanted & item[0]]
    order = list(ChangeKind)
    return ChangesReport(
        register_id=register_id,
        from_date=start,
        to_date=end,
        counts={k: sum(1 for found_kinds, _, _ in found if k in found_kinds) for k in ChangeKind},
        items=[
            ChangeItem(
                risk_id=now.risk_id,
                reference=now.reference,
                title=now.title,
                kinds=sorted(found_kinds, key=order.index),
                before=None if then is None else _brief(then, ctx.register_rules),
                after=_brief(now, ctx.register_rules),
            )
            for found_kinds, then, now in selected[page.offset : page.offset + page.limit]
        ],
        total=len(selected),
        limit=page.limit,
        offset=page.offset,
    )


def cell_bands(register_rules: rules.RegisterRules) -> list[list[str]]:
    grid = []
    for likelihood in register_rules.likelihood:
        row = []
        for impact in register_rules.impact:
            band = rules.band_of(rules.score(likelihood.score, impact.score), register_rules)
            row.append(band.code if band else "")
        grid.append(row)
    return grid


async def heat_map_report(
    risks: RiskService, register_id: UUID, basis: Basis, statuses: Sequence[RiskStatus], ctx: Context
) -> HeatMapOut:
    chosen = list(statuses or NOT_CLOSED)
    rr = ctx.register_rules
    return HeatMapOut(
        register_id=register_id,
        as_of=ctx.today,
        basis=basis,
        statuses=chosen,
        likelihood=[LevelOut.model_validate(lv) for lv in rr.likelihood],
        impact=[LevelOut.model_validate(lv) for lv in rr.impact],
        counts=await risks.heat_map(register_id, basis, chosen),
        cell_bands=cell_bands(rr),
    )


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


def _grid(risks: Sequence[Risk], basis: Basis) -> list[list[int]]:
    likelihood, impact = rules.SCORE_PAIRS[basis]
    return rules.heat_map((getattr(r, likelihood), getattr(r, impact)) for r in risks if r.status != RiskStatus.CLOSED)


async def export_register(
    session: AsyncSession, register: Register, file_format: exporting.ExportFormat, ctx: Context
) -> ExportFile:
    found = (
        await session.scalars(select(Risk).where(Risk.register_id == register.id).order_by(Risk.reference, Risk.id))
    ).all()
    rows = exporting.export_rows(found, ctx.register_rules, ctx.today)
    if file_format == "csv":
        content = exporting.to_csv(rows)
    else:
        info = exporting.RegisterInfo(
            name=register.name,
            level=register.level.value,
            area=register.area_code,
            region=register.region_code,
            owner=register.owner,
            exported_on=ctx.today,
        )
        heat_maps: dict[str, list[list[int]]] = {basis: _grid(found, basis) for basis in ("residual", "inherent")}
        content = exporting.to_xlsx(rows, ctx.register_rules, info, heat_maps)
    stem = f"{register.scope_key.replace(':', '-')}-risk-register-{ctx.today.isoformat()}"
    return ExportFile(content, exporting.MEDIA_TYPES[file_format], f"{stem}.{file_format}")
