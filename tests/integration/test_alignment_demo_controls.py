"""The 1x demo links register risks to the hazards demo's controls and assessments, so every reason a risk is
uncontrolled occurs in it, and the links are deterministic (both engines)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from risk_register.alignment.reports import Uncontrolled
from risk_register.demo.loader import load_demo
from risk_register.estates.rules import load_estates_rules
from risk_register.hazards import rules as hazard_rules
from risk_register.hazards.models import HazardControl, RiskAssessment
from risk_register.organisation.reference import load_organisation
from risk_register.registers.enums import LinkKind
from risk_register.registers.models import Risk, RiskLink
from risk_register.settings import PROJECT_ROOT
from tests.conftest import TODAY

CONFIG = PROJECT_ROOT / "config"


async def test_every_uncontrolled_reason_occurs_in_the_1x_demo(client, db) -> None:
    await load_demo(db, load_organisation(CONFIG), load_estates_rules(CONFIG), scale=1, today=TODAY)
    await db.commit()
    links = (await db.execute(select(RiskLink.risk_id, RiskLink.kind, RiskLink.target))).all()
    kinds = Counter(LinkKind(link.kind) for link in links)
    assert kinds[LinkKind.CONTROL] > 30
    assert kinds[LinkKind.ASSESSMENT] > 10
    # Every control and assessment linked exists and is current.
    controls = {
        str(row.id): row
        for row in (
            await db.execute(
                select(
                    HazardControl.id, HazardControl.next_due_on, HazardControl.last_outcome, HazardControl.retired_on
                )
            )
        ).all()
    }
    assessments = {str(row.id) for row in (await db.execute(select(RiskAssessment.id))).all()}
    for link in links:
        if link.kind == LinkKind.CONTROL:
            assert controls[link.target].retired_on is None
        elif link.kind == LinkKind.ASSESSMENT:
            assert link.target in assessments
    linked = [controls[link.target] for link in links if link.kind == LinkKind.CONTROL]
    assert any(hazard_rules.is_overdue(c.next_due_on, TODAY) for c in linked)
    assert any(hazard_rules.is_failing(c.last_outcome) for c in linked)
    # A minority of the health and safety and estates risks link no control.
    controlled = {link.risk_id for link in links if link.kind == LinkKind.CONTROL}
    hs = (await db.scalars(select(Risk.id).where(Risk.category.in_(["health-and-safety", "estates"])))).all()
    assert 0 < len(set(hs) - controlled) < len(hs) / 2

    uncontrolled = (await client.get("/api/alignment/reports/uncontrolled")).json()["risks"]
    reasons = Counter(reason["code"] for risk in uncontrolled for reason in risk["reasons"])
    assert set(reasons) == {code.value for code in Uncontrolled}, reasons
    # The alignment picture is unchanged by these links: the 1x demo's share.
    report = (await client.get("/api/alignment/reports/alignment")).json()
    assert round(report["aligned_share"], 2) == 0.47
