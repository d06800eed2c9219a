"""Risk assessments through the API: the checklist item by item, suitable and sufficient, review dates,
superseding, the attention list, and every error path."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from risk_register.hazards.models import RiskAssessment
from tests.access.scope_cases_hazards import (
    assert_problem,
    assessment_body,
    created,
    day,
    make_site,
    make_team,
    survey_body,
)

ASSESSMENTS = "/api/risk-assessments"


async def count(db: Any) -> int:
    await db.rollback()  # a fresh snapshot: SQLite keeps the first read's otherwise
    return int(await db.scalar(select(func.count()).select_from(RiskAssessment)) or 0)


async def test_a_complete_assessment_is_suitable_and_sufficient_with_a_default_review_date(client) -> None:
    site = await make_site(client)
    body = await created(client, ASSESSMENTS, assessment_body(site, assessed_on="2024-02-29"))
    assert body["suitable_and_sufficient"] is True
    assert body["missing_items"] == []
    assert body["review_interval_months"] == 24  # legionella default in config
    assert body["next_review_on"] == "2026-02-28"  # 29 Feb 2024 + 24 months
    assert body["state"] == "current"
    assert body["review_overdue"] is False
    assert body["indicator_findings"] is None
    assert [e["item"] for e in body["checklist"]][:2] == ["hazards_identified", "who_might_be_harmed"]
    assert all(e["met"] and e["required"] for e in body["checklist"])
    assert body["actions"][0] == {
        "description": "Remove dead leg",
        "owner": "Facilities",
        "due_on": day(30),
        "completed_on": None,
        "overdue": False,
    }


async def test_missing_and_contradicted_items_make_it_not_suitable(client) -> None:
    site = await make_site(client)
    checklist = assessment_body(site)["checklist"]
    body = await created(
        client,
        ASSESSMENTS,
        assessment_body(
            site,
            significant_findings=None,  # ticked, but nothing written down
            actions=[{"description": "Fit TMVs", "owner": "Estates"}],  # no date
            # hazards_identified not recorded at all; workers_consulted recorded as not met
            checklist={k: v for k, v in checklist.items() if k != "hazards_identified"} | {"workers_consulted": False},
        ),
    )
    assert body["suitable_and_sufficient"] is False
    assert body["missing_items"] == [
        "hazards_identified",
        "further_actions_with_owners_and_dates",
        "significant_findings_recorded",
        "workers_consulted",
    ]
    entries = {e["item"]: e for e in body["checklist"]}
    assert entries["hazards_identified"]["recorded"] is None
    assert entries["significant_findings_recorded"] == {
        **entries["significant_findings_recorded"],
        "recorded": True,
        "met": False,
    }
    assert entries["workers_consulted"]["recorded"] is False


async def test_patching_the_checklist_merges_items_and_recomputes(client) -> None:
    site = await make_site(client)
    body = await created(
        client, ASSESSMENTS, assessment_body(site, checklist={"hazards_identified": True}, assessed_on=day(-10))
    )
    assert len(body["missing_items"]) == 7
    url = f"{ASSESSMENTS}/{body['id']}"
    rest = {k: True for k in assessment_body(site)["checklist"] if k != "hazards_identified"}
    response = await client.patch(url, json={"checklist": rest}, headers={"If-Match": body["_etag"]})
    assert response.status_code == 200, response.text
    assert response.json()["suitable_and_sufficient"] is True
    assert response.headers["etag"] == '"2"'
    # A review date that was the default follows the assessment date.
    moved = await client.patch(url, json={"assessed_on": day(-5)}, headers={"If-Match": '"2"'})
    assert moved.json()["next_review_on"] == "2027-06-25"


async def test_review_overdue_boundary_and_the_attention_list(client) -> None:
    site = await make_site(client, "wales", site_type="unpaid_work")
    other = await make_site(client, "london")
    third = await make_site(client, "london")
    due_today = await created(client, ASSESSMENTS, assessment_body(site, assessed_on=day(-400), next_review_on=day(0)))
    overdue = await created(client, ASSESSMENTS, assessment_body(other, assessed_on=day(-400), next_review_on=day(-1)))
    not_suitable = await created(client, ASSESSMENTS, assessment_body(third, checklist={}))
    assert (due_today["review_overdue"], due_today["review_days_overdue"]) == (False, 0)
    assert (overdue["review_overdue"], overdue["review_days_overdue"]) == (True, 1)
    attention = (await client.get(f"{ASSESSMENTS}/attention")).json()
    assert [r["id"] for r in attention["items"]] == [overdue["id"], not_suitable["id"]]
    assert attention["items"][1]["missing_items"][0] == "hazards_identified"
    assert (await client.get(f"{ASSESSMENTS}/attention", params={"site_type": "unpaid_work"})).json()["total"] == 0
    assert (await client.get(f"{ASSESSMENTS}/attention", params={"area": "london"})).json()["total"] == 2
    listed = await client.get(ASSESSMENTS, params={"review_overdue": True})
    assert [r["id"] for r in listed.json()["items"]] == [overdue["id"]]
    assert (await client.get(ASSESSMENTS, params={"suitable_and_sufficient": False})).json()["total"] == 1


async def test_a_later_assessment_supersedes_and_deleting_it_restores_the_earlier(client) -> None:
    site = await make_site(client)
    first = await created(client, ASSESSMENTS, assessment_body(site, assessed_on=day(-800), next_review_on=day(-70)))
    second = await created(client, ASSESSMENTS, assessment_body(site, assessed_on=day(-5)))
    earlier_entered_late = await created(client, ASSESSMENTS, assessment_body(site, assessed_on=day(-900)))
    assert earlier_entered_late["state"] == "superseded"
    assert earlier_entered_late["superseded_by_id"] == second["id"]
    old = (await client.get(f"{ASSESSMENTS}/{first['id']}")).json()
    assert (old["state"], old["superseded_by_id"], old["review_overdue"]) == ("superseded", second["id"], False)
    assert (await client.get(f"{ASSESSMENTS}/attention")).json()["total"] == 0
    current = (await client.get(ASSESSMENTS, params={"site_id": site["id"]})).json()
    assert [r["id"] for r in current["items"]] == [second["id"]]
    response = await client.delete(f"{ASSESSMENTS}/{second['id']}", headers={"If-Match": second["_etag"]})
    assert response.status_code == 204
    restored = (await client.get(f"{ASSESSMENTS}/{first['id']}")).json()
    assert restored["state"] == "current"
    assert (await client.get(f"{ASSESSMENTS}/attention")).json()["total"] == 1


async def test_people_hazards_are_assessed_for_teams_with_survey_findings(client) -> None:
    team = await make_team(client)
    site = await make_site(client)
    body = assessment_body(site, hazard_code="work_related_stress")
    assert_problem(await client.post(ASSESSMENTS, json=body), 422, "team_id")
    stress = await created(
        client, ASSESSMENTS, {**body, "site_id": None, "team_id": team["id"], "title": "Stress risk assessment"}
    )
    assert stress["indicator_findings"] == []  # no survey yet
    assert stress["subject"]["kind"] == "team"
    await created(client, f"/api/teams/{team['id']}/stress-surveys", survey_body())
    read = (await client.get(f"{ASSESSMENTS}/{stress['id']}")).json()
    # Every scale scores 3.00 (answers 3, 4 and 2 on every item): all below target, furthest (role) first.
    assert [f["scale"] for f in read["indicator_findings"]][:1] == ["role"]
    assert len(read["indicator_findings"]) == 7
    assert all(f["score"] < f["target"] for f in read["indicator_findings"])


async def test_bad_assessments_are_refused_naming_the_field_and_nothing_is_written(client, db) -> None:
    site = await make_site(client)
    for body, field in [
        (assessment_body(site, assessed_on=day(1)), "assessed_on"),
        (assessment_body(site, next_review_on=day(-30)), "next_review_on"),
        (assessment_body(site, hazard_code="meteor"), "hazard_code"),
        (assessment_body(site, checklist={"vibes": True}), "checklist.vibes"),
        (assessment_body(site, checklist={"hazards_identified": "yes"}), "checklist.hazards_identified"),
        (assessment_body(site, review_interval_months=0), "review_interval_months"),
        (assessment_body(site, actions=[{"description": "x", "completed_on": day(3)}]), "actions.0.completed_on"),
        (assessment_body(site, assessor_name=""), "assessor_name"),
        ({**assessment_body(site), "site_id": None}, "site_id"),
    ]:
        response = await client.post(ASSESSMENTS, json=body)
        assert response.status_code == 422, (field, response.text)
        fields = [e["field"] for e in response.json()["errors"]]
        assert any(field in f for f in fields), (field, fields)
    assert await count(db) == 0
    assert_problem(await client.get(f"{ASSESSMENTS}/00000000-0000-0000-0000-000000000000"), 404)
