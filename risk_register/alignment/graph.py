"""The organisation's risk picture as one networkx graph, built from the database.

Nodes (``kind`` attribute): area, region, register, risk, action, control, assessment, hazard, site.
Edges (``kind`` attribute), pointing from the whole to the part or from the risk to what it depends on:
part_of (region -> area, register -> area), contains (register -> risk), aligns_to (Area risk -> national
risk, confirmed links only), mitigated_by (risk -> action | control), assessed_by (risk -> assessment),
concerns_hazard (risk | control | assessment -> hazard), located_at (risk | control | assessment -> site).

Each node carries the facts the reports need, already derived by its own domain's one rule function (a
control's overdue and failing flags from hazards.rules, a risk's appetite from registers.rules ...), so the
reports never re-derive them. The graph is built per request: measured in benchmarks/alignment_report.py.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any
from uuid import UUID

import networkx as nx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.alignment.models import AlignmentLink, LinkStatus, NationalCoverage
from risk_register.core.context import Context
from risk_register.estates.models import Site
from risk_register.hazards import rules as hazard_rules
from risk_register.hazards.models import HazardControl, RiskAssessment
from risk_register.registers import rules as register_rules
from risk_register.registers.enums import LinkKind, RegisterLevel, RiskStatus
from risk_register.registers.models import Register, Risk, RiskAction, RiskLink


def node(kind: str, key: object) -> str:
    return f"{kind}:{key}"


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: building the graph and the reports' facts allocates tens of
    thousands of small dicts and tuples, none of them garbage yet, and each full collection this triggers walks
    every object in the process. Measured at 100x (benchmarks/alignment_report.py), the collections were about
    a third of the build. Nested and concurrent uses are counted; collection resumes when the last one ends."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


async def build_graph(session: AsyncSession, ctx: Context, *, dependencies: bool = True) -> nx.DiGraph:
    """The whole risk picture; without ``dependencies``, only Areas, regions, registers, risks and their
    confirmed alignment (no actions, controls, assessments, hazards or sites): all that the alignment,
    divergence and escalation reports read, at well under half the cost at 100x."""
    with gc_paused():
        return await _build_graph(session, ctx, dependencies=dependencies)


async def _build_graph(session: AsyncSession, ctx: Context, *, dependencies: bool) -> nx.DiGraph:
    graph: nx.DiGraph = nx.DiGraph(dependencies=dependencies)
    today = ctx.today
    for area in ctx.organisation.areas:
        graph.add_node(node("area", area.code), kind="area", label=area.name)
    for region in ctx.organisation.regions:
        graph.add_node(node("region", region.code), kind="region", label=region.name)
        graph.add_edge(node("region", region.code), node("area", region.area_code), kind="part_of")

    registers = (await session.execute(select(Register.id, Register.level, Register.area_code, Register.name))).all()
    area_of_register: dict[Any, str | None] = {}
    for register_id, level, area_code, name in registers:
        area_of_register[register_id] = area_code
        graph.add_node(
            node("register", register_id), kind="register", label=name, level=str(level), area_code=area_code
        )
        if area_code:
            graph.add_edge(node("register", register_id), node("area", area_code), kind="part_of")

    risks = (
        await session.execute(
            select(
                Risk.id,
                Risk.register_id,
                Risk.reference,
                Risk.title,
                Risk.category,
                Risk.status,
                Risk.residual_likelihood,
                Risk.residual_impact,
                Risk.next_review_on,
                NationalCoverage.applies_to_every_area,
                Register.level,
            )
            .join(Register, Register.id == Risk.register_id)
            .outerjoin(NationalCoverage, NationalCoverage.national_risk_id == Risk.id)
        )
    ).all()
    for row in risks:
        residual = register_rules.score(row.residual_likelihood, row.residual_impact) or 0
        graph.add_node(
            node("risk", row.id),
            kind="risk",
            label=f"{row.reference} {row.title}",
            reference=row.reference,
            title=row.title,
            category=row.category,
            status=str(row.status),
            is_open=RiskStatus(row.status) != RiskStatus.CLOSED,
            residual_score=residual,
            above_appetite=register_rules.is_above_appetite(residual, row.category, ctx.register_rules),
            review_overdue=register_rules.is_review_overdue(RiskStatus(row.status), row.next_review_on, today),
            national=RegisterLevel(row.level) == RegisterLevel.NATIONAL,
            area_code=area_of_register[row.register_id],
            applies_to_every_area=bool(row.applies_to_every_area),
        )
        graph.add_edge(node("register", row.register_id), node("risk", row.id), kind="contains")

    if dependencies:
        await _add_dependencies(graph, session, ctx)

    for area_risk_id, national_risk_id in (
        await session.execute(
            select(AlignmentLink.area_risk_id, AlignmentLink.national_risk_id).where(
                AlignmentLink.status == LinkStatus.CONFIRMED
            )
        )
    ).all():
        graph.add_edge(node("risk", area_risk_id), node("risk", national_risk_id), kind="aligns_to")
    return graph


async def _add_dependencies(graph: nx.DiGraph, session: AsyncSession, ctx: Context) -> None:
    """What each risk depends on: its actions, and the controls, assessments, hazards and sites it links to."""
    today = ctx.today
    for action in (
        await session.execute(
            select(RiskAction.id, RiskAction.risk_id, RiskAction.description, RiskAction.status, RiskAction.due_on)
        )
    ).all():
        graph.add_node(
            node("action", action.id),
            kind="action",
            label=action.description[:80],
            status=str(action.status),
            open=register_rules.is_action_open(action.status),
            overdue=register_rules.is_action_overdue(action.status, action.due_on, today),
        )
        graph.add_edge(node("risk", action.risk_id), node("action", action.id), kind="mitigated_by")

    # Only what some risk links to belongs in the risk picture: load the links first, then just those
    # controls, assessments and sites (at 100x the estate has half a million controls).
    links = (await session.execute(select(RiskLink.risk_id, RiskLink.kind, RiskLink.target, RiskLink.site_id))).all()
    control_ids = _uuids(link.target for link in links if LinkKind(link.kind) == LinkKind.CONTROL)
    assessment_ids = _uuids(link.target for link in links if LinkKind(link.kind) == LinkKind.ASSESSMENT)
    controls = await _rows_in(
        session,
        [
            HazardControl.id,
            HazardControl.title,
            HazardControl.hazard_code,
            HazardControl.site_id,
            HazardControl.next_due_on,
            HazardControl.last_outcome,
            HazardControl.retired_on,
        ],
        HazardControl.id,
        control_ids,
    )
    assessments = await _rows_in(
        session,
        [
            RiskAssessment.id,
            RiskAssessment.title,
            RiskAssessment.hazard_code,
            RiskAssessment.site_id,
            RiskAssessment.next_review_on,
            RiskAssessment.suitable_and_sufficient,
            RiskAssessment.superseded_by_id,
        ],
        RiskAssessment.id,
        assessment_ids,
    )
    site_ids = {link.site_id for link in links if link.site_id} | {
        row.site_id for row in (*controls, *assessments) if row.site_id
    }
    sites = {
        row.id: row
        for row in await _rows_in(
            session, [Site.id, Site.code, Site.name, Site.site_type, Site.region_code], Site.id, site_ids
        )
    }

    def add_site(site_id: Any) -> str:
        key = node("site", site_id)
        if key not in graph and site_id in sites:
            site = sites[site_id]
            graph.add_node(
                key,
                kind="site",
                label=f"{site.code} {site.name}",
                site_type=str(site.site_type),
                region_code=site.region_code,
            )
            graph.add_edge(key, node("region", site.region_code), kind="part_of")
        return key

    def add_hazard(code: str) -> str:
        key = node("hazard", code)
        if key not in graph:
            graph.add_node(key, kind="hazard", label=code)
        return key

    for control in controls:
        key = node("control", control.id)
        graph.add_node(
            key,
            kind="control",
            label=control.title,
            hazard_code=control.hazard_code,
            status=str(
                hazard_rules.control_status(control.last_outcome, control.next_due_on, today, control.retired_on)
            ),
            overdue=hazard_rules.is_overdue(control.next_due_on, today, control.retired_on),
            failing=hazard_rules.is_failing(control.last_outcome, control.retired_on),
            next_due_on=control.next_due_on.isoformat(),
        )
        graph.add_edge(key, add_hazard(control.hazard_code), kind="concerns_hazard")
        if control.site_id:
            graph.add_edge(key, add_site(control.site_id), kind="located_at")

    for assessment in assessments:
        key = node("assessment", assessment.id)
        graph.add_node(
            key,
            kind="assessment",
            label=assessment.title,
            hazard_code=assessment.hazard_code,
            suitable_and_sufficient=bool(assessment.suitable_and_sufficient),
            review_overdue=hazard_rules.review_overdue(
                assessment.next_review_on, today, assessment.superseded_by_id is not None
            ),
        )
        graph.add_edge(key, add_hazard(assessment.hazard_code), kind="concerns_hazard")
        if assessment.site_id:
            graph.add_edge(key, add_site(assessment.site_id), kind="located_at")

    for link in links:
        source = node("risk", link.risk_id)
        kind = LinkKind(link.kind)
        if kind == LinkKind.SITE and link.site_id:
            graph.add_edge(source, add_site(link.site_id), kind="located_at")
        elif kind == LinkKind.HAZARD_TYPE:
            graph.add_edge(source, add_hazard(link.target), kind="concerns_hazard")
        elif kind == LinkKind.CONTROL and graph.has_node(node("control", link.target)):
            graph.add_edge(source, node("control", link.target), kind="mitigated_by")
        elif kind == LinkKind.ASSESSMENT and graph.has_node(node("assessment", link.target)):
            graph.add_edge(source, node("assessment", link.target), kind="assessed_by")


def _uuids(values: Iterable[str]) -> list[UUID]:
    found = []
    for value in values:
        with suppress(ValueError):
            found.append(UUID(value))
    return found


async def _rows_in(session: AsyncSession, columns: list[Any], key: Any, ids: Iterable[Any]) -> list[Any]:
    wanted = list(ids)
    rows: list[Any] = []
    for start in range(0, len(wanted), 1000):  # keep each IN list within every engine's parameter limits
        rows.extend((await session.execute(select(*columns).where(key.in_(wanted[start : start + 1000])))).all())
    return rows


def neighbours(graph: nx.DiGraph, key: str, edge_kind: str, node_kind: str | None = None) -> list[str]:
    nodes = graph.nodes
    return [
        target
        for target, edge in graph.succ[key].items()
        if edge["kind"] == edge_kind and (node_kind is None or nodes[target]["kind"] == node_kind)
    ]


def aligned_area_risks(graph: nx.DiGraph, national_key: str) -> list[str]:
    return [source for source, edge in graph.pred[national_key].items() if edge["kind"] == "aligns_to"]
