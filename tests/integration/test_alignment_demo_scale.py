"""The demo registers and alignment at a larger scale: N times the risks, links and coverage marks, and the
alignment reports find the same kinds of answer as at 1x (both engines)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from risk_register.alignment import views
from risk_register.alignment.graph import build_graph
from risk_register.alignment.models import AlignmentLink, NationalCoverage
from risk_register.alignment.services import all_risk_facts
from risk_register.alignment.settings import load_alignment_settings
from risk_register.core.context import Context
from risk_register.demo.alignment import load_alignment_demo
from risk_register.demo.registers import load_register_demo
from risk_register.estates.rules import load_estates_rules
from risk_register.hazards.config import load_hazard_rules
from risk_register.organisation.reference import load_organisation
from risk_register.registers.models import Risk, RiskAction
from risk_register.registers.rules import load_register_rules
from risk_register.settings import PROJECT_ROOT
from tests.conftest import TODAY

ORGANISATION = load_organisation(PROJECT_ROOT / "config")


async def _load(db, scale: int) -> dict[str, int]:
    risks = await load_register_demo(db, ORGANISATION, today=TODAY, scale=scale)
    links = await load_alignment_demo(db)
    await db.commit()
    counts = {"risks": risks, "links": links}
    for name, model in (("actions", RiskAction), ("coverage", NationalCoverage), ("alignment", AlignmentLink)):
        counts[name] = await db.scalar(select(func.count()).select_from(model)) or 0
    assert await db.scalar(select(func.count()).select_from(Risk)) == risks
    return counts


async def test_the_scaled_demo_aligns_like_the_1x_demo(client, db) -> None:
    counts = await _load(db, scale=3)
    assert counts["risks"] == 3 * 107
    assert counts["coverage"] == 3 * 6  # the national health and safety and estates risks, in each cohort
    assert counts["links"] == counts["alignment"] > 3 * 30
    report = (await client.get("/api/alignment/reports/alignment")).json()
    assert 0.35 <= report["aligned_share"] <= 0.6
    assert all(a["risks"] >= 3 * 10 and a["unaligned_risks"] and a["coverage_gaps"] for a in report["areas"])
    assert (await client.get("/api/alignment/reports/divergence")).json()["pairs"]
    assert (await client.get("/api/alignment/reports/escalation-candidates")).json()["risks"]
    uncontrolled = (await client.get("/api/alignment/reports/uncontrolled")).json()["risks"]
    reasons = Counter(reason["code"] for risk in uncontrolled for reason in risk["reasons"])
    assert {"no_controls_linked", "above_appetite_without_open_action", "action_overdue"} <= set(reasons)


async def test_the_risks_only_graph_answers_the_risk_reports_as_the_whole_graph_does(db, database) -> None:
    await _load(db, scale=2)
    config = PROJECT_ROOT / "config"
    context = Context(
        organisation=ORGANISATION,
        estates_rules=load_estates_rules(config),
        hazard_rules=load_hazard_rules(config),
        settings=database.settings(),
        today=TODAY,
        register_rules=load_register_rules(config),
        alignment=load_alignment_settings(config),
    )
    settings = replace(context.alignment, divergence_margin=3)
    whole = await build_graph(db, context)
    risks_only = await build_graph(db, context, dependencies=False)
    assert risks_only.number_of_nodes() < whole.number_of_nodes()
    for area in (None, "wales"):
        assert views.alignment_report(risks_only, context, area) == views.alignment_report(whole, context, area)
        assert views.divergence_report(risks_only, context, settings, area) == views.divergence_report(
            whole, context, settings, area
        )
        assert views.escalation_report(risks_only, context, settings, area) == views.escalation_report(
            whole, context, settings, area
        )
    with pytest.raises(ValueError, match="without what risks depend on"):
        all_risk_facts(risks_only)
