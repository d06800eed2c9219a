"""The demo loader's bulk path stores the hazards rows exactly as the ORM reads them, on each engine: the API's
lists over the loaded demo agree with the rules applied to the generated rows."""

from __future__ import annotations

from sqlalchemy import func, select

from risk_register.demo.generator import generate_estate
from risk_register.demo.hazards import generate_hazards
from risk_register.demo.loader import load_demo
from risk_register.estates.rules import load_estates_rules
from risk_register.hazards import rules
from risk_register.hazards.config import load_hazard_rules
from risk_register.hazards.models import ControlCheck, HazardControl, LegionellaReading, RiskAssessment, StressSurvey
from risk_register.organisation.reference import load_organisation
from risk_register.settings import PROJECT_ROOT
from tests.conftest import TODAY

CONFIG = PROJECT_ROOT / "config"


async def test_the_loaded_demo_answers_as_the_rules_say(client, db, monkeypatch) -> None:
    # Small chunks: the streamed load must make exactly the rows generate_hazards makes in one go.
    monkeypatch.setattr("risk_register.demo.hazards.SITES_PER_CHUNK", 97)
    organisation = load_organisation(CONFIG)
    estates_rules = load_estates_rules(CONFIG)
    await load_demo(db, organisation, estates_rules, scale=1, today=TODAY)
    await db.commit()
    estate = generate_estate(organisation, estates_rules, scale=1, today=TODAY)
    expected = generate_hazards(organisation, load_hazard_rules(CONFIG), estate.sites, scale=1, today=TODAY)
    for model, rows in [
        (HazardControl, expected.controls),
        (ControlCheck, expected.checks),
        (LegionellaReading, expected.readings),
        (RiskAssessment, expected.assessments),
        (StressSurvey, expected.surveys),
    ]:
        assert await db.scalar(select(func.count()).select_from(model)) == len(rows)
    overdue = sorted(
        (c for c in expected.controls if rules.is_overdue(c["next_due_on"], TODAY)),
        key=lambda c: (c["next_due_on"], c["id"]),
    )
    body = (await client.get("/api/controls/overdue", params={"page_size": 100})).json()
    assert body["total"] == len(overdue)
    assert [r["id"] for r in body["items"]] == [str(c["id"]) for c in overdue[:100]]
    first = body["items"][0]
    assert first["days_overdue"] == (TODAY - overdue[0]["next_due_on"]).days
    # A control read through the ORM round-trips every stored field.
    one = (await client.get(f"/api/controls/{overdue[0]['id']}")).json()
    assert (one["frequency"]["count"], one["template_code"]) == (
        overdue[0]["frequency_count"],
        overdue[0]["template_code"],
    )
    attention = (await client.get("/api/risk-assessments/attention")).json()
    assert attention["total"] == sum(
        1
        for a in expected.assessments
        if not a["suitable_and_sufficient"] or rules.review_overdue(a["next_review_on"], TODAY)
    )
    failing_reading = next(r for r in expected.readings if not r["passed"])
    status = (await client.get(f"/api/sites/{failing_reading['site_id']}/legionella")).json()
    assert status["status"] == "failing"
    summary = (await client.get("/api/controls/summary")).json()
    assert summary["totals"]["overdue"]["total"] == len(overdue)
    assert summary["totals"]["in_use"]["total"] == len(expected.controls)
    survey = (await client.get("/api/stress-surveys/" + str(expected.surveys[0]["id"]))).json()
    assert survey["responses"] == expected.surveys[0]["responses"]
