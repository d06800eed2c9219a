"""Alignment services: links between Area and national risks, suggestions, and the reports over the graph."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import networkx as nx
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.accounts.roles import Permission
from risk_register.accounts.scope import acting, require
from risk_register.alignment import reports
from risk_register.alignment.graph import aligned_area_risks, build_graph, gc_paused, neighbours, node
from risk_register.alignment.models import AlignmentLink, LinkSource, LinkStatus, NationalCoverage
from risk_register.alignment.settings import AlignmentSettings
from risk_register.alignment.suggestions import RiskProfile, Suggestion, suggest
from risk_register.core.concurrency import check_version
from risk_register.core.context import Context
from risk_register.core.errors import Conflict, FieldProblem, NotFound, RuleViolation
from risk_register.registers.enums import RegisterLevel
from risk_register.registers.models import Register, Risk


class AlignmentLinkRepository(SQLAlchemyAsyncRepository[AlignmentLink]):
    model_type = AlignmentLink


class AlignmentLinkService(SQLAlchemyAsyncRepositoryService[AlignmentLink, AlignmentLinkRepository]):
    repository_type = AlignmentLinkRepository
    count_with_window_function = False

    async def get_link(self, link_id: UUID) -> AlignmentLink:
        link = await self.get_one_or_none(AlignmentLink.id == link_id)
        if link is None:
            raise NotFound(f"No alignment link with id {link_id}")
        return link

    async def _pair(self, area_risk_id: UUID, national_risk_id: UUID) -> tuple[Risk, Register, Risk]:
        session = self.repository.session
        area_row = (
            await session.execute(
                select(Risk, Register).join(Register, Register.id == Risk.register_id).where(Risk.id == area_risk_id)
            )
        ).first()
        national_row = (
            await session.execute(
                select(Risk, Register)
                .join(Register, Register.id == Risk.register_id)
                .where(Risk.id == national_risk_id)
            )
        ).first()
        problems = []
        if area_row is None:
            problems.append(FieldProblem("area_risk_id", f"no risk with id {area_risk_id}"))
        elif area_row[1].level == RegisterLevel.NATIONAL:
            problems.append(FieldProblem("area_risk_id", "is a national risk: link an Area or regional risk"))
        if national_row is None:
            problems.append(FieldProblem("national_risk_id", f"no risk with id {national_risk_id}"))
        elif national_row[1].level != RegisterLevel.NATIONAL:
            problems.append(FieldProblem("national_risk_id", "is not on the national register"))
        if problems:
            raise RuleViolation.of(*problems)
        assert area_row is not None
        assert national_row is not None
        return area_row[0], area_row[1], national_row[0]

    async def link(
        self,
        area_risk_id: UUID,
        national_risk_id: UUID,
        *,
        status: LinkStatus,
        source: LinkSource,
        rationale: str | None,
        score: float | None = None,
    ) -> AlignmentLink:
        _, area_register, _ = await self._pair(area_risk_id, national_risk_id)
        require(Permission.AREA_REGISTER_WRITE, area_register.area_code)
        existing = await self.get_one_or_none(
            AlignmentLink.area_risk_id == area_risk_id, AlignmentLink.national_risk_id == national_risk_id
        )
        if existing is not None:
            raise Conflict(
                "These risks are already linked; confirm or reject the existing link",
                [FieldProblem("national_risk_id", f"already linked (link {existing.id})")],
            )
        link = AlignmentLink(
            area_risk_id=area_risk_id,
            national_risk_id=national_risk_id,
            status=status,
            source=source,
            rationale=rationale,
            score=score,
            **_decision(status),
        )
        created = await self.create(link)
        return await self.get_link(created.id)

    async def decide(
        self, link_id: UUID, status: LinkStatus, rationale: str | None, expected_version: int
    ) -> AlignmentLink:
        link = await self.get_link(link_id)
        _, area_register, _ = await self._pair(link.area_risk_id, link.national_risk_id)
        require(Permission.AREA_REGISTER_WRITE, area_register.area_code)
        check_version(link, expected_version)
        link.status = status
        if rationale is not None:
            link.rationale = rationale
        for name, value in _decision(status).items():
            setattr(link, name, value)
        await self.update(link)
        return await self.get_link(link_id)

    async def reconcile_references(self, register_id: UUID) -> tuple[list[AlignmentLink], list[FieldProblem]]:
        """Turn each risk's claimed national reference into a confirmed link; a reference naming no national
        risk is a problem (reported, not written). Existing links are left as they are."""
        session = self.repository.session
        register = await session.get(Register, register_id)
        if register is None:
            raise NotFound(f"No register with id {register_id}")
        if register.level == RegisterLevel.NATIONAL:
            raise RuleViolation.of(FieldProblem("register_id", "is the national register"))
        require(Permission.AREA_REGISTER_WRITE, register.area_code)
        national = {
            r.reference: r.id
            for r in (
                await session.scalars(
                    select(Risk)
                    .join(Register, Register.id == Risk.register_id)
                    .where(Register.level == RegisterLevel.NATIONAL)
                )
            ).all()
        }
        claims = (
            await session.scalars(
                select(Risk).where(Risk.register_id == register_id, Risk.national_reference.is_not(None))
            )
        ).all()
        existing = {
            (link.area_risk_id, link.national_risk_id)
            for link in (
                await session.scalars(
                    select(AlignmentLink).where(AlignmentLink.area_risk_id.in_([r.id for r in claims]))
                )
            ).all()
        }
        created, problems = [], []
        for risk in claims:
            national_id = national.get(risk.national_reference or "")
            if national_id is None:
                problems.append(
                    FieldProblem(
                        f"risks.{risk.reference}.national_reference",
                        f"names no national risk: {risk.national_reference!r}",
                    )
                )
            elif (risk.id, national_id) not in existing:
                link = AlignmentLink(
                    area_risk_id=risk.id,
                    national_risk_id=national_id,
                    status=LinkStatus.CONFIRMED,
                    source=LinkSource.IMPORT,
                    rationale="national reference in the Area register",
                    **_decision(LinkStatus.CONFIRMED),
                )
                created.append(await self.create(link))
        return created, problems


class CoverageRepository(SQLAlchemyAsyncRepository[NationalCoverage]):
    model_type = NationalCoverage


class CoverageService(SQLAlchemyAsyncRepositoryService[NationalCoverage, CoverageRepository]):
    repository_type = CoverageRepository
    count_with_window_function = False

    async def get_coverage(self, coverage_id: UUID) -> NationalCoverage:
        coverage = await self.get_one_or_none(NationalCoverage.id == coverage_id)
        if coverage is None:
            raise NotFound(f"No coverage mark with id {coverage_id}")
        return coverage

    async def mark(
        self, national_risk_id: UUID, applies_to_every_area: bool, rationale: str | None
    ) -> NationalCoverage:
        session = self.repository.session
        level = await session.scalar(
            select(Register.level).join(Risk, Risk.register_id == Register.id).where(Risk.id == national_risk_id)
        )
        if level is None or RegisterLevel(level) != RegisterLevel.NATIONAL:
            raise RuleViolation.of(FieldProblem("national_risk_id", "is not a risk on the national register"))
        if await self.get_one_or_none(NationalCoverage.national_risk_id == national_risk_id) is not None:
            raise Conflict(
                "That national risk is already marked; change the existing mark",
                [FieldProblem("national_risk_id", "is already marked")],
            )
        created = await self.create(
            NationalCoverage(
                national_risk_id=national_risk_id, applies_to_every_area=applies_to_every_area, rationale=rationale
            )
        )
        return await self.get_coverage(created.id)


def _decision(status: LinkStatus) -> dict[str, Any]:
    if status == LinkStatus.SUGGESTED:
        return {"decided_by": None, "decided_at": None}
    principal = acting()
    return {"decided_by": principal.username if principal else "system", "decided_at": datetime.now(UTC)}


# --- suggestions ------------------------------------------------------------------------------------------


def _links_of(graph: nx.DiGraph, key: str) -> frozenset[str]:
    linked = set()
    for target in graph.successors(key):
        kind = graph.nodes[target]["kind"]
        if kind in {"hazard", "control", "site", "assessment"}:
            linked.add(target)
    return frozenset(linked)


async def suggestions_for(
    session: AsyncSession,
    graph: nx.DiGraph,
    settings: AlignmentSettings,
    area_code: str | None = None,
    risk_ids: Sequence[UUID] | None = None,
) -> dict[str, list[Suggestion]]:
    """Ranked national risks for each open, unaligned Area risk (optionally one Area's, or given ones)."""
    rows = (
        await session.execute(
            select(Risk.id, Risk.reference, Risk.title, Risk.description, Risk.cause, Risk.effect, Risk.category)
        )
    ).all()
    text = {str(r.id): r for r in rows}

    def profile(key: str) -> RiskProfile:
        risk_id = key.split(":", 1)[1]
        r = text[risk_id]
        return RiskProfile(
            id=risk_id,
            title=r.title,
            description=r.description or "",
            cause=r.cause or "",
            effect=r.effect or "",
            category=r.category,
            links=_links_of(graph, key),
        )

    national, area, background = [], [], []
    wanted = {str(i) for i in risk_ids} if risk_ids else None
    for key, data in graph.nodes(data=True):
        if data["kind"] != "risk" or not data["is_open"]:
            continue
        if data["national"]:
            national.append(profile(key))
            continue
        background.append(profile(key))
        if (
            (area_code is None or data["area_code"] == area_code)
            and (wanted is None or key[5:] in wanted)
            and not neighbours(graph, key, "aligns_to")
        ):
            area.append(profile(key))
    return suggest(area, national, settings.weights, background=background)


# --- reports ----------------------------------------------------------------------------------------------


def risk_facts(graph: nx.DiGraph, key: str, *, with_links: bool = True) -> reports.RiskFacts:
    """The risk's facts from its node, and (``with_links``) those of the controls, assessments and actions it
    links to, in one pass over its edges. Without them the facts are only fit for reports that never look at
    controls, assessments or actions (alignment, divergence, escalation)."""
    data = graph.nodes[key]
    controls: list[reports.ControlFacts] = []
    assessments: list[reports.AssessmentFacts] = []
    actions: list[reports.ActionFacts] = []
    if with_links:
        if not graph.graph.get("dependencies", True):
            raise ValueError("this graph was built without what risks depend on: its risks' links are unknown")
        nodes = graph.nodes
        for target, edge in graph.succ[key].items():
            kind, facts = edge["kind"], nodes[target]
            if kind == "mitigated_by" and facts["kind"] == "control":
                controls.append(
                    reports.ControlFacts(_id(target), overdue=facts["overdue"], last_check_failed=facts["failing"])
                )
            elif kind == "assessed_by" and facts["kind"] == "assessment":
                assessments.append(
                    reports.AssessmentFacts(_id(target), facts["suitable_and_sufficient"], facts["review_overdue"])
                )
            elif kind == "mitigated_by" and facts["kind"] == "action":
                actions.append(reports.ActionFacts(_id(target), open=facts["open"], overdue=facts["overdue"]))
    return reports.RiskFacts(
        id=_id(key),
        reference=data["reference"],
        title=data["title"],
        area_code=None if data["national"] else data["area_code"],
        residual_score=data["residual_score"],
        above_appetite=data["above_appetite"],
        is_open=data["is_open"],
        applies_to_every_area=data["applies_to_every_area"],
        controls=tuple(controls),
        assessments=tuple(assessments),
        actions=tuple(actions),
    )


def _id(key: str) -> str:
    return key.split(":", 1)[1]


def all_risk_facts(graph: nx.DiGraph, *, with_links: bool = True) -> dict[str, reports.RiskFacts]:
    with gc_paused():
        return {
            key: risk_facts(graph, key, with_links=with_links)
            for key, kind in graph.nodes(data="kind")
            if kind == "risk"
        }


def confirmed_pairs(graph: nx.DiGraph) -> list[tuple[str, str]]:
    return [(s.split(":", 1)[1], t.split(":", 1)[1]) for s, t, d in graph.edges(data=True) if d["kind"] == "aligns_to"]


async def load(session: AsyncSession, ctx: Context, *, dependencies: bool = True) -> nx.DiGraph:
    return await build_graph(session, ctx, dependencies=dependencies)


__all__ = [
    "AlignmentLinkService",
    "AlignmentSettings",
    "aligned_area_risks",
    "all_risk_facts",
    "confirmed_pairs",
    "load",
    "node",
    "risk_facts",
    "suggestions_for",
]
