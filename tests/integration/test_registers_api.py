"""Registers, risks, links and mitigating actions through the API, on every engine."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from risk_register.accounts.roles import Role
from risk_register.app import create_app
from risk_register.registers.models import Register, Risk, RiskVersion
from tests.access.scope_cases_registers import area_register, risk_body
from tests.conftest import TODAY, engine_url, if_match
from tests.helpers import assert_problem, create_site

REGISTERS = "/api/registers"
RISKS = "/api/risks"


def day(offset: int = 0) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


async def national_register(client: Any) -> str:
    page = (await client.get(REGISTERS, params={"level": "national"})).json()
    assert page["total"] == 1
    return str(page["items"][0]["id"])


async def create_risk(client: Any, register_id: str, **overrides: Any) -> dict[str, Any]:
    response = await client.post(f"{REGISTERS}/{register_id}/risks", json={**risk_body(), **overrides})
    assert response.status_code == 201, response.text
    return response.json()


async def count(db: Any, model: Any) -> int:
    await db.rollback()  # a new snapshot: SQLite would otherwise answer from the one the last read began
    return int(await db.scalar(select(func.count()).select_from(model)))


# --- registers -------------------------------------------------------------------------------------------


async def test_start_up_creates_the_national_and_seven_area_registers_once(client, database, db_engine, db) -> None:
    page = (await client.get(REGISTERS)).json()
    assert page["total"] == 8
    assert [r["level"] for r in page["items"]][:2] == ["national", "area"]
    areas = sorted(r["area_code"] for r in page["items"] if r["level"] == "area")
    assert len(areas) == 7
    assert "north-west" in areas
    national = page["items"][0]
    assert national["area_code"] is None
    assert national["owner"] == "HMPPS Leadership Team"
    assert national["risks_by_status"] == {"open": 0, "escalated": 0, "tolerated": 0, "closed": 0}
    # A second start (another worker, a restart) creates nothing more.
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=create_app(database.settings(database_url=engine_url(db_engine)))):
        pass
    assert await count(db, Register) == 8


async def test_registers_filter_by_level_and_area(client) -> None:
    page = (await client.get(REGISTERS, params={"level": "area", "area": "wales"})).json()
    assert [r["name"] for r in page["items"]] == ["Wales Area business risk register"]
    assert_problem(await client.get(REGISTERS, params={"area": "atlantis"}), 422, "area")
    assert_problem(await client.get(REGISTERS, params={"level": "galactic"}), 400)


async def test_a_regional_register_is_added_once_per_region_and_deleted_only_when_empty(client, db) -> None:
    created = await client.post(
        REGISTERS, json={"region_code": "greater-manchester", "owner": "RPD Greater Manchester"}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["level"], body["area_code"], body["region_code"]) == ("regional", "north-west", "greater-manchester")
    assert body["name"] == "Greater Manchester regional risk register"
    assert created.headers["etag"] == '"1"'
    again = await client.post(REGISTERS, json={"region_code": "greater-manchester", "owner": "x"})
    assert_problem(again, 409, "region_code")
    assert_problem(await client.post(REGISTERS, json={"region_code": "atlantis", "owner": "x"}), 422, "region_code")
    assert_problem(await client.post(REGISTERS, json={"owner": "x"}), 422, "region_code")
    assert await count(db, Register) == 9

    url = f"{REGISTERS}/{body['id']}"
    await create_risk(client, body["id"], reference="GM-1")
    assert_problem(await client.delete(url, headers=await if_match(client, url)), 409)
    risk_id = (await client.get(f"{url}/risks")).json()["items"][0]["id"]
    assert (
        await client.delete(f"{RISKS}/{risk_id}", headers=await if_match(client, f"{RISKS}/{risk_id}"))
    ).status_code == 204
    assert (await client.delete(url, headers=await if_match(client, url))).status_code == 204
    assert (await client.get(url)).status_code == 404


async def test_national_and_area_registers_cannot_be_deleted(client) -> None:
    for register_id in (await national_register(client), await area_register(client, "london")):
        url = f"{REGISTERS}/{register_id}"
        assert_problem(await client.delete(url, headers=await if_match(client, url)), 409)


async def test_a_register_owner_changes_with_if_match(client) -> None:
    url = f"{REGISTERS}/{await area_register(client, 'midlands')}"
    assert_problem(await client.patch(url, json={"owner": "AED"}), 428, "If-Match")
    response = await client.patch(url, json={"owner": "Acting AED, Midlands"}, headers=await if_match(client, url))
    assert response.status_code == 200, response.text
    assert response.json()["owner"] == "Acting AED, Midlands"
    assert response.headers["etag"] == '"2"'
    assert_problem(await client.patch(url, json={"owner": "again"}, headers={"If-Match": '"1"'}), 412, "If-Match")
    assert_problem(await client.patch(url, json={"owner": None}, headers=await if_match(client, url)), 422, "owner")


async def test_the_risk_matrix_is_served_from_config(client) -> None:
    body = (await client.get("/api/risk-matrix")).json()
    assert next(lv["label"] for lv in body["likelihood"]) == "Rare"
    assert [b["code"] for b in body["bands"]] == ["low", "moderate", "high", "extreme"]
    assert body["words"]["likelihood"]["high"] == 4
    assert {c["code"] for c in body["categories"]} >= {"health-and-safety", "estates", "finance"}
    health = next(c for c in body["categories"] if c["code"] == "health-and-safety")
    assert (health["appetite"], health["tolerance"]) == ("averse", 3)


# --- risks -----------------------------------------------------------------------------------------------


async def test_a_risk_is_created_with_its_derived_facts_and_first_version(client, db) -> None:
    register_id = await area_register(client, "north-west")
    response = await client.post(
        f"{REGISTERS}/{register_id}/risks",
        json={
            **risk_body("NW-001"),
            "category": "health-and-safety",
            "inherent_likelihood": 5,
            "inherent_impact": 5,
            "residual_likelihood": 2,
            "residual_impact": 3,
            "target_likelihood": 1,
            "target_impact": 3,
            "next_review_on": day(-1),
            "national_reference": "NR-07",
        },
    )
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    body = response.json()
    assert (body["inherent_score"], body["residual_score"], body["target_score"]) == (25, 6, 3)
    assert body["inherent_band"]["code"] == "extreme"
    assert body["residual_band"] == {"code": "moderate", "label": "Moderate", "rag": "amber", "colour": "#FFDD00"}
    assert body["target_band"]["rag"] == "green"
    assert body["appetite"] == {"level": "averse", "tolerance": 3}
    assert body["above_appetite"] is True
    assert body["review_overdue"] is True
    assert body["status"] == "open"
    assert (body["register_level"], body["area_code"], body["national_reference"]) == ("area", "north-west", "NR-07")
    versions = (await db.scalars(select(RiskVersion).where(RiskVersion.risk_id == uuid.UUID(body["id"])))).all()
    assert [(v.version_no, v.valid_from, v.valid_to, v.source.value) for v in versions] == [(1, TODAY, None, "api")]
    assert (await client.get(f"{REGISTERS}/{register_id}")).json()["risks_by_status"]["open"] == 1


@pytest.mark.parametrize(
    ("next_review", "overdue"), [(-1, True), (0, False), (1, False)], ids=["yesterday", "today", "tomorrow"]
)
async def test_review_due_today_is_not_overdue(client, next_review: int, overdue: bool) -> None:
    register_id = await area_register(client, "london")
    body = await create_risk(client, register_id, next_review_on=day(next_review))
    assert body["review_overdue"] is overdue
    listed = (await client.get(f"{REGISTERS}/{register_id}/risks", params={"review_overdue": "true"})).json()
    assert listed["total"] == (1 if overdue else 0)


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"category": "weather"}, "category", 422),
        ({"category": "Health & Safety"}, "category", 422),
        ({"inherent_likelihood": 3}, "inherent_impact", 422),
        ({"identified_on": day(1)}, "identified_on", 422),
        ({"identified_on": "30/06/2025"}, "identified_on", 422),
        ({"residual_likelihood": 6}, "residual_likelihood", 422),
        ({"residual_likelihood": 0}, "residual_likelihood", 422),
        ({"residual_likelihood": "3"}, "residual_likelihood", 422),
        ({"residual_likelihood": True}, "residual_likelihood", 422),
        ({"residual_likelihood": 2.5}, "residual_likelihood", 422),
        ({"reference": "=HYPERLINK(x)"}, "reference", 422),
        ({"reference": "x" * 33}, "reference", 422),
        ({"next_review_on": "2024-12-01"}, "next_review_on", 422),
        ({"effective_on": day(1)}, "effective_on", 422),
        ({"effective_on": "2025-01-01", "identified_on": "2025-02-01"}, "effective_on", 422),
        ({"status": "pending"}, "status", 422),
        ({"surprise": 1}, "surprise", 422),
    ],
)
async def test_bad_risks_are_refused_whole(client, db, change: dict[str, Any], field: str, status: int) -> None:
    register_id = await area_register(client, "wales")
    body = {**risk_body(), **change}
    assert_problem(await client.post(f"{REGISTERS}/{register_id}/risks", json=body), status, field)
    assert await count(db, Risk) == 0
    assert await count(db, RiskVersion) == 0


async def test_a_missing_required_field_is_named(client) -> None:
    register_id = await area_register(client, "wales")
    body = risk_body()
    del body["owner"]
    assert_problem(await client.post(f"{REGISTERS}/{register_id}/risks", json=body), 422, "owner")


async def test_national_risks_name_no_national_reference(client) -> None:
    register_id = await national_register(client)
    response = await client.post(f"{REGISTERS}/{register_id}/risks", json={**risk_body(), "national_reference": "NR"})
    assert_problem(response, 422, "national_reference")
    assert (await client.post(f"{REGISTERS}/{register_id}/risks", json=risk_body("NR-01"))).status_code == 201


async def test_references_are_unique_within_a_register_only(client, db) -> None:
    nw, wales = await area_register(client, "north-west"), await area_register(client, "wales")
    await create_risk(client, nw, reference="R-1")
    assert_problem(await client.post(f"{REGISTERS}/{nw}/risks", json=risk_body("R-1")), 409, "reference")
    await create_risk(client, wales, reference="R-1")
    assert await count(db, Risk) == 2


async def test_unknown_register_is_404(client) -> None:
    response = await client.post(f"{REGISTERS}/{uuid.uuid4()}/risks", json=risk_body())
    assert_problem(response, 404)
    assert_problem(await client.get(f"{REGISTERS}/{uuid.uuid4()}/risks"), 404)


async def test_a_change_writes_a_version_and_an_unchanged_patch_writes_nothing(client, db) -> None:
    register_id = await area_register(client, "north-east")
    risk = await create_risk(client, register_id, reference="NE-1")
    url = f"{RISKS}/{risk['id']}"
    assert_problem(await client.patch(url, json={"residual_impact": 5}), 428, "If-Match")
    response = await client.patch(url, json={"residual_impact": 5, "status": "escalated"}, headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    assert (response.json()["residual_score"], response.json()["status"]) == (15, "escalated")
    same = await client.patch(url, json={"residual_impact": 5}, headers={"If-Match": '"2"'})
    assert same.status_code == 200
    assert same.headers["etag"] == '"2"'
    assert_problem(await client.patch(url, json={"title": "x"}, headers={"If-Match": '"1"'}), 412, "If-Match")
    history = (await client.get(f"{url}/history")).json()
    assert [(v["version_no"], v["changed"]) for v in history["items"]] == [
        (2, ["residual_impact", "status"]),
        (1, list(history["items"][1]["changed"])),
    ]
    assert history["items"][1]["valid_to"] == TODAY.isoformat()
    assert history["items"][0]["valid_to"] is None
    assert history["items"][0]["recorded_by"] == "test-admin"
    assert await count(db, RiskVersion) == 2


async def test_patch_clears_only_clearable_fields_and_keeps_the_rules(client) -> None:
    register_id = await area_register(client, "london")
    risk = await create_risk(client, register_id, inherent_likelihood=4, inherent_impact=4, cause="Old boilers")
    url = f"{RISKS}/{risk['id']}"
    cleared = await client.patch(
        url, json={"cause": None, "inherent_likelihood": None, "inherent_impact": None}, headers={"If-Match": '"1"'}
    )
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["cause"], cleared.json()["inherent_score"]) == (None, None)
    assert_problem(await client.patch(url, json={"title": None}, headers={"If-Match": '"2"'}), 422, "title")
    assert_problem(
        await client.patch(url, json={"inherent_likelihood": 2}, headers={"If-Match": '"2"'}), 422, "inherent_impact"
    )
    other = await create_risk(client, register_id)
    assert_problem(
        await client.patch(url, json={"reference": other["reference"]}, headers={"If-Match": '"2"'}), 409, "reference"
    )
    assert (await client.get(url)).headers["etag"] == '"2"'


async def test_a_risk_with_actions_or_links_is_not_deleted(client, db) -> None:
    register_id = await area_register(client, "london")
    risk = await create_risk(client, register_id)
    url = f"{RISKS}/{risk['id']}"
    action = (await client.post(f"{url}/actions", json={"description": "d", "owner": "o", "due_on": day()})).json()
    assert_problem(await client.delete(url, headers={"If-Match": '"1"'}), 409)
    action_url = f"/api/risk-actions/{action['id']}"
    assert (await client.delete(action_url, headers=await if_match(client, action_url))).status_code == 204
    assert_problem(await client.delete(url, headers={"If-Match": '"9"'}), 412)
    assert (await client.delete(url, headers={"If-Match": '"1"'})).status_code == 204
    assert await count(db, Risk) == 0
    assert await count(db, RiskVersion) == 0


async def test_risk_lists_filter_and_sort(client) -> None:
    nw = await area_register(client, "north-west")
    national = await national_register(client)
    await create_risk(client, nw, reference="A", category="finance", residual_likelihood=1, residual_impact=2)
    await create_risk(
        client,
        nw,
        reference="B",
        category="health-and-safety",
        residual_likelihood=4,
        residual_impact=4,
        national_reference="NR-1",
    )
    await create_risk(
        client, nw, reference="C", category="rehabilitation", residual_likelihood=3, residual_impact=4, status="closed"
    )
    await create_risk(client, national, reference="NR-1", category="estates", residual_likelihood=5, residual_impact=5)

    async def refs(url: str, **params: Any) -> list[str]:
        response = await client.get(url, params=params)
        assert response.status_code == 200, response.text
        return [r["reference"] for r in response.json()["items"]]

    url = f"{REGISTERS}/{nw}/risks"
    assert await refs(url) == ["A", "B", "C"]
    assert await refs(url, sort="residual_score", order="desc") == ["B", "C", "A"]
    assert await refs(url, status="closed") == ["C"]
    assert await refs(url, band=["high", "extreme"]) == ["B", "C"]
    # C scores 12, exactly the tolerance of rehabilitation's open appetite: not above it.
    assert await refs(url, above_appetite="true") == ["B"]
    assert await refs(url, above_appetite="false") == ["A", "C"]
    assert await refs(url, has_national_reference="true") == ["B"]
    assert await refs(url, q="b") == ["B"]
    assert await refs(url, category="finance") == ["A"]
    assert await refs(RISKS, national_reference="NR-1") == ["B"]
    assert await refs(RISKS, level="national") == ["NR-1"]
    assert await refs(RISKS, area="north-west", sort="residual_score", order="desc") == ["B", "C", "A"]
    assert_problem(await client.get(url, params={"band": "purple"}), 422, "band")
    assert_problem(await client.get(url, params={"category": "weather"}), 422, "category")
    assert_problem(await client.get(RISKS, params={"area": "atlantis"}), 422, "area")
    assert_problem(await client.get(url, params={"sort": "secret"}), 400)


async def test_the_heat_map_counts_open_risks_by_cell(client) -> None:
    nw = await area_register(client, "north-west")
    await create_risk(client, nw, residual_likelihood=5, residual_impact=1)
    await create_risk(client, nw, residual_likelihood=5, residual_impact=1)
    await create_risk(client, nw, residual_likelihood=2, residual_impact=2, status="closed")
    body = (await client.get(f"{REGISTERS}/{nw}/heat-map")).json()
    assert body["counts"][4][0] == 2
    assert sum(map(sum, body["counts"])) == 2
    assert body["cell_bands"][4][4] == "extreme"
    assert body["cell_bands"][0][0] == "low"
    every = (await client.get(f"{REGISTERS}/{nw}/heat-map", params={"status": ["open", "closed"]})).json()
    assert sum(map(sum, every["counts"])) == 3


# --- links -----------------------------------------------------------------------------------------------


async def test_links_to_sites_hazard_types_controls_and_assessments(client, db) -> None:
    risk = await create_risk(client, await area_register(client, "north-west"))
    site = await create_site(client, region_code="greater-manchester")
    links = f"{RISKS}/{risk['id']}/links"

    by_code = await client.post(links, json={"kind": "site", "target": site["code"], "note": "UPW depot"})
    assert by_code.status_code == 201, by_code.text
    assert (by_code.json()["target"], by_code.json()["site_id"]) == (site["id"], site["id"])
    assert_problem(await client.post(links, json={"kind": "site", "target": site["id"]}), 409, "target")
    assert_problem(await client.post(links, json={"kind": "site", "target": "NOPE"}), 422, "target")
    assert_problem(await client.post(links, json={"kind": "site", "target": str(uuid.uuid4())}), 422, "target")

    hazard = await client.post(links, json={"kind": "hazard_type", "target": "legionella"})
    assert hazard.status_code == 201, hazard.text
    assert_problem(await client.post(links, json={"kind": "hazard_type", "target": "dragons"}), 422, "target")

    for kind in ("control", "assessment"):
        response = await client.post(links, json={"kind": kind, "target": str(uuid.uuid4())})
        assert_problem(response, 422)
        assert_problem(await client.post(links, json={"kind": kind, "target": "not-an-id"}), 422)
    assert_problem(await client.post(links, json={"kind": "planet", "target": "x"}), 422, "kind")

    listed = (await client.get(links)).json()
    assert [(item["kind"], item["target"]) for item in listed["items"]] == [
        ("site", site["id"]),
        ("hazard_type", "legionella"),
    ]
    link_url = f"/api/risk-links/{hazard.json()['id']}"
    assert_problem(await client.delete(link_url), 428)
    assert (await client.delete(link_url, headers=await if_match(client, link_url))).status_code == 204
    assert (await client.get(link_url)).status_code == 404


async def test_links_reach_existing_controls_and_assessments(client) -> None:
    """Controls and assessments come from the hazards work, linked by id."""
    risk = await create_risk(client, await area_register(client, "north-west"))
    site = await create_site(client, region_code="greater-manchester")
    control = await client.post(
        "/api/controls",
        json={"hazard_code": "fire", "template_code": "fire_alarm_weekly_test", "site_id": site["id"], "owner": "SM"},
    )
    assert control.status_code == 201, control.text
    assessment = await client.post(
        "/api/risk-assessments",
        json={
            "hazard_code": "legionella",
            "site_id": site["id"],
            "title": "Legionella risk assessment",
            "assessor_name": "W. Ater",
            "assessed_on": day(-30),
        },
    )
    links = f"{RISKS}/{risk['id']}/links"
    to_control = await client.post(links, json={"kind": "control", "target": control.json()["id"]})
    assert to_control.status_code == 201, to_control.text
    if assessment.status_code == 201:
        to_assessment = await client.post(links, json={"kind": "assessment", "target": assessment.json()["id"]})
        assert to_assessment.status_code == 201, to_assessment.text
    # an assessment's id is not a control's
    assert_problem(await client.post(links, json={"kind": "assessment", "target": control.json()["id"]}), 422, "target")


# --- mitigating actions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("due", "overdue"), [(-1, True), (0, False)], ids=["yesterday", "today"])
async def test_an_action_due_today_is_not_overdue(client, due: int, overdue: bool) -> None:
    risk = await create_risk(client, await area_register(client, "wales"))
    created = await client.post(
        f"{RISKS}/{risk['id']}/actions", json={"description": "Weekly flushing", "owner": "SPO", "due_on": day(due)}
    )
    assert created.status_code == 201, created.text
    assert created.json()["overdue"] is overdue
    assert created.json()["risk_reference"] == risk["reference"]
    listed = (await client.get("/api/risk-actions", params={"overdue": "true"})).json()
    assert listed["total"] == (1 if overdue else 0)


async def test_actions_change_and_keep_their_rules(client) -> None:
    risk = await create_risk(client, await area_register(client, "wales"))
    action = (
        await client.post(f"{RISKS}/{risk['id']}/actions", json={"description": "d", "owner": "o", "due_on": day(-3)})
    ).json()
    url = f"/api/risk-actions/{action['id']}"
    assert_problem(
        await client.patch(url, json={"status": "completed"}, headers={"If-Match": '"1"'}), 422, "completed_on"
    )
    done = await client.patch(url, json={"status": "completed", "completed_on": day()}, headers={"If-Match": '"1"'})
    assert done.status_code == 200, done.text
    assert done.json()["overdue"] is False
    assert_problem(
        await client.post(f"{RISKS}/{risk['id']}/actions", json={"description": "d", "owner": "o", "due_on": "soon"}),
        422,
        "due_on",
    )
    by_area = (await client.get("/api/risk-actions", params={"area": "wales", "status": "completed"})).json()
    assert by_area["total"] == 1
    assert (await client.get("/api/risk-actions", params={"area": "london"})).json()["total"] == 0


# --- access ----------------------------------------------------------------------------------------------


async def test_an_area_leader_writes_their_own_register_only(client, auth_headers, db) -> None:
    leader = await auth_headers(Role.AREA_LEADER, "north-west")
    national = await national_register(client)
    response = await client.post(f"{REGISTERS}/{national}/risks", json=risk_body(), headers=leader)
    assert_problem(response, 403)
    wales = await area_register(client, "wales")
    assert_problem(await client.post(f"{REGISTERS}/{wales}/risks", json=risk_body(), headers=leader), 403)
    home = await area_register(client, "north-west")
    assert (await client.post(f"{REGISTERS}/{home}/risks", json=risk_body(), headers=leader)).status_code == 201
    assert await count(db, Risk) == 1
    # A national risk stays out of reach through every route.
    national_risk = await create_risk(client, national, reference="NR-9")
    url = f"{RISKS}/{national_risk['id']}"
    assert_problem(await client.patch(url, json={"title": "x"}, headers={**leader, "If-Match": '"1"'}), 403)
    assert_problem(
        await client.post(f"{url}/actions", json={"description": "d", "owner": "o", "due_on": day()}, headers=leader),
        403,
    )
    viewer = await auth_headers(Role.VIEWER)
    assert_problem(await client.post(f"{REGISTERS}/{home}/risks", json=risk_body(), headers=viewer), 403)
    assert (await client.get(url, headers=viewer)).status_code == 200


async def test_an_area_leader_reads_every_register(client, auth_headers) -> None:
    leader = await auth_headers(Role.AREA_LEADER, "north-west")
    assert (await client.get(REGISTERS, headers=leader)).json()["total"] == 8


async def test_the_audit_trail_records_risk_changes(client, db) -> None:
    risk = await create_risk(client, await area_register(client, "london"))
    rows = (await db.execute(text("SELECT action FROM audit_event WHERE entity_type = 'risk'"))).scalars().all()
    assert rows == ["create"]
    assert risk["version"] == 1
