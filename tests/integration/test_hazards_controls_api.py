"""Controls and checks through the API: templates, schedules, status, the H&S lead's lists and every error path."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.accounts.roles import Role
from risk_register.hazards.models import ControlCheck, HazardControl
from tests.access.scope_cases_hazards import (
    assert_problem,
    check_body,
    control_body,
    created,
    day,
    make_control,
    make_site,
    make_team,
)

CONTROLS = "/api/controls"


async def count(db: AsyncSession, model: Any) -> int:
    await db.rollback()  # a fresh snapshot: SQLite keeps the first read's otherwise
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def add_check(client: Any, control_id: str, **overrides: Any) -> dict[str, Any]:
    return await created(client, f"{CONTROLS}/{control_id}/checks", check_body(**overrides))


async def page(client: Any, path: str, **params: Any) -> dict[str, Any]:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


# --- the catalogue ------------------------------------------------------------------------------------------


async def test_the_catalogue_lists_hazards_with_their_templates(client) -> None:
    body = await page(client, "/api/hazards", page_size=100)
    codes = [h["code"] for h in body["items"]]
    assert {"legionella", "work_related_stress", "upw_site_welfare", "lone_working"} <= set(codes)
    legionella = (await client.get("/api/hazards/legionella")).json()
    sentinel = next(t for t in legionella["controls"] if t["code"] == "sentinel_outlet_temperatures")
    assert sentinel["frequency"] == {"unit": "month", "count": 1, "description": "monthly"}
    assert sentinel["confidence"] == "V"
    assert_problem(await client.get("/api/hazards/nothing"), 404)


# --- applying controls --------------------------------------------------------------------------------------


async def test_a_template_control_takes_the_templates_title_frequency_and_basis(client) -> None:
    control = await make_control(client, template_code="emergency_lighting_monthly")
    assert control["title"] == "Emergency lighting short functional test"
    assert control["frequency"]["description"] == "monthly"
    assert control["basis"] == "BS 5266-1"
    assert control["hazard"] == {"code": "fire", "name": "Fire"}
    assert control["subject"]["kind"] == "site"
    assert control["first_due_on"] == control["next_due_on"] == day(0)  # first check due today by default
    assert control["status"] == "not_yet_checked"
    assert (control["overdue"], control["days_overdue"], control["overdue_since"]) == (False, 0, None)
    response = await client.get(f"{CONTROLS}/{control['id']}")
    assert response.headers["etag"] == '"1"'


async def test_a_custom_control_needs_a_title_and_a_frequency(client, db) -> None:
    site = await make_site(client)
    body = control_body(site, template_code=None)
    response = await client.post(CONTROLS, json=body)
    problem = assert_problem(response, 422, "title")
    assert "frequency" in [e["field"] for e in problem["errors"]]
    custom = await created(
        client, CONTROLS, {**body, "title": "Check the ramp handrail", "frequency": {"unit": "day", "count": 14}}
    )
    assert custom["template_code"] is None
    assert custom["frequency"]["description"] == "every 2 weeks"
    assert await count(db, HazardControl) == 1


async def test_bad_controls_are_refused_naming_the_field_and_nothing_is_written(client, db) -> None:
    site = await make_site(client)
    upw = await make_site(client, site_type="unpaid_work")
    team = await make_team(client)
    cases = [
        (control_body(site, hazard_code="radon", template_code=None), "hazard_code"),
        (control_body(site, template_code="eicr"), "template_code"),
        ({**control_body(site), "team_id": team["id"]}, "site_id"),
        ({k: v for k, v in control_body(site).items() if k != "site_id"}, "site_id"),
        (control_body({"id": "00000000-0000-0000-0000-000000000000"}), "site_id"),
        (control_body(site, hazard_code="work_related_stress", template_code="indicator_tool_survey"), "team_id"),
        (
            {**control_body(team, hazard_code="fire"), "site_id": None, "team_id": team["id"]},
            "site_id",
        ),
        (
            control_body(site, hazard_code="upw_site_welfare", template_code="upw_welfare_facilities_inspection"),
            "site_id",
        ),
        (control_body(site, owner=""), "owner"),
        (control_body(site, first_due_on="30/06/2025"), "first_due_on"),
        (control_body(site, frequency={"unit": "month", "count": 0}), "frequency.count"),
        (control_body(site, frequency={"unit": "month", "count": "1"}), "frequency.count"),
        (control_body(site, colour="red"), "colour"),
    ]
    for body, field in cases:
        response = await client.post(CONTROLS, json=body)
        assert response.status_code == 422, (field, response.text)
        errors = [e["field"] for e in response.json()["errors"]]
        assert any(field in e for e in errors), (field, errors)
    assert await count(db, HazardControl) == 0
    # The UPW welfare controls do apply to a UPW site.
    await created(
        client,
        CONTROLS,
        control_body(upw, hazard_code="upw_site_welfare", template_code="upw_welfare_facilities_inspection"),
    )


async def test_team_controls_for_people_hazards(client) -> None:
    team = await make_team(client)
    body = {
        "hazard_code": "lone_working",
        "template_code": "personal_safety_device_test",
        "team_id": team["id"],
        "owner": "SPO",
    }
    control = await created(client, CONTROLS, body)
    assert control["subject"]["kind"] == "team"
    assert control["subject"]["site_type"] is None
    assert control["subject"]["area_code"] == "london"


# --- checks, next due and status ----------------------------------------------------------------------------


async def test_a_check_moves_next_due_on_by_calendar_months(client) -> None:
    control = await make_control(client, template_code="emergency_lighting_monthly", first_due_on="2025-01-01")
    first = await add_check(client, control["id"], checked_on="2025-01-31")
    assert first["control"]["next_due_on"] == "2025-02-28"  # 31 January + 1 month
    assert first["control"]["last_outcome"] == "pass"
    second = await add_check(client, control["id"], checked_on="2025-06-15")
    assert second["control"]["next_due_on"] == "2025-07-15"
    assert second["control"]["status"] == "effective"
    back_dated = await add_check(client, control["id"], checked_on="2025-03-01", outcome="fail")
    assert back_dated["control"]["last_checked_on"] == "2025-06-15"  # the latest check still speaks
    assert back_dated["control"]["status"] == "effective"


async def test_failing_wins_over_overdue_and_a_retest_clears_it(client) -> None:
    control = await make_control(client, template_code="emergency_lighting_monthly")
    failed = await add_check(client, control["id"], checked_on=day(-45), outcome="fail", notes="two fittings dark")
    row = failed["control"]
    assert (row["status"], row["failing"], row["overdue"], row["days_overdue"]) == ("failing", True, True, 14)
    partial = await add_check(client, control["id"], checked_on=day(-1), outcome="partial")
    assert partial["control"]["status"] == "failing"
    passed = await add_check(client, control["id"], checked_on=day(0), outcome="pass")
    assert passed["control"]["status"] == "effective"
    assert passed["control"]["next_due_on"] == "2025-07-30"


async def test_deleting_a_check_restores_the_state_before_it(client, db) -> None:
    control = await make_control(client, template_code="emergency_lighting_monthly")
    await add_check(client, control["id"], checked_on=day(-40))
    failing = await add_check(client, control["id"], checked_on=day(-2), outcome="fail")
    url = f"{CONTROLS}/{control['id']}/checks/{failing['id']}"
    assert_problem(await client.delete(url), 428, "If-Match")
    assert_problem(await client.delete(url, headers={"If-Match": '"7"'}), 412, "If-Match")
    response = await client.delete(url, headers={"If-Match": failing["_etag"]})
    assert response.status_code == 204
    after = (await client.get(f"{CONTROLS}/{control['id']}")).json()
    assert after["last_checked_on"] == day(-40)
    assert (after["status"], after["days_overdue"]) == ("overdue", 9)  # 21 May + 1 month = 21 June
    assert await count(db, ControlCheck) == 1
    checks = await page(client, f"{CONTROLS}/{control['id']}/checks")
    assert [c["checked_on"] for c in checks["items"]] == [day(-40)]


async def test_bad_checks_are_refused_and_nothing_is_written(client, db) -> None:
    control = await make_control(client)
    url = f"{CONTROLS}/{control['id']}/checks"
    for body, field in [
        (check_body(checked_on=day(1)), "checked_on"),
        (check_body(outcome="ok"), "outcome"),
        (check_body(checked_by=""), "checked_by"),
        (check_body(checked_on="2025-02-30"), "checked_on"),
        (check_body(evidence_ref="x" * 501), "evidence_ref"),
    ]:
        assert_problem(await client.post(url, json=body), 422, field)
    assert_problem(await client.post(f"{CONTROLS}/00000000-0000-0000-0000-000000000000/checks", json=check_body()), 404)
    assert await count(db, ControlCheck) == 0
    assert (await client.get(f"{CONTROLS}/{control['id']}")).headers["etag"] == '"1"'


async def test_overdue_boundary_due_today_is_not_overdue(client) -> None:
    due_today = await make_control(client, first_due_on=day(0))
    due_yesterday = await make_control(client, first_due_on=day(-1))
    assert (due_today["overdue"], due_today["status"]) == (False, "not_yet_checked")
    assert (due_yesterday["overdue"], due_yesterday["days_overdue"]) == (True, 1)
    assert due_yesterday["overdue_since"] == day(0)
    assert due_yesterday["status"] == "overdue"
    listed = await page(client, f"{CONTROLS}/overdue")
    assert [r["id"] for r in listed["items"]] == [due_yesterday["id"]]


# --- changing, retiring and deleting controls -------------------------------------------------------------


async def test_changing_the_frequency_recomputes_next_due(client) -> None:
    control = await make_control(client, template_code="emergency_lighting_monthly")
    await add_check(client, control["id"], checked_on="2025-05-31")
    url = f"{CONTROLS}/{control['id']}"
    headers = {"If-Match": (await client.get(url)).headers["etag"]}
    response = await client.patch(url, json={"frequency": {"unit": "month", "count": 3}}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["next_due_on"] == "2025-08-31"
    assert response.json()["frequency"]["description"] == "every 3 months"


async def test_patch_needs_a_current_etag_and_refuses_nulls(client) -> None:
    control = await make_control(client)
    url = f"{CONTROLS}/{control['id']}"
    assert_problem(await client.patch(url, json={"owner": "X"}), 428, "If-Match")
    assert_problem(await client.patch(url, json={"owner": "X"}, headers={"If-Match": '"9"'}), 412, "If-Match")
    assert_problem(await client.patch(url, json={"owner": None}, headers={"If-Match": '"1"'}), 422, "owner")
    assert_problem(await client.patch(url, json={"retired_on": day(1)}, headers={"If-Match": '"1"'}), 422, "retired_on")
    assert (await client.get(url)).json()["owner"] == "Site manager"


async def test_a_retired_control_leaves_the_lists_and_takes_no_checks(client) -> None:
    control = await make_control(client, first_due_on=day(-10))
    url = f"{CONTROLS}/{control['id']}"
    response = await client.patch(url, json={"retired_on": day(0)}, headers={"If-Match": control["_etag"]})
    assert response.json()["status"] == "retired"
    assert (response.json()["overdue"], response.json()["days_overdue"]) == (False, 0)
    assert (await page(client, f"{CONTROLS}/overdue"))["total"] == 0
    assert_problem(await client.post(f"{url}/checks", json=check_body()), 422, "control_id")
    assert (await page(client, CONTROLS, status="retired"))["total"] == 1


async def test_a_control_with_checks_is_retired_not_deleted(client, db) -> None:
    control = await make_control(client)
    await add_check(client, control["id"])
    url = f"{CONTROLS}/{control['id']}"
    etag = (await client.get(url)).headers["etag"]
    assert_problem(await client.delete(url, headers={"If-Match": etag}), 409)
    assert await count(db, HazardControl) == 1
    unused = await make_control(client)
    response = await client.delete(f"{CONTROLS}/{unused['id']}", headers={"If-Match": unused["_etag"]})
    assert response.status_code == 204
    assert_problem(await client.get(f"{CONTROLS}/{unused['id']}"), 404)


# --- the H&S lead's lists -------------------------------------------------------------------------------------


async def overdue_estate(client: Any) -> dict[str, Any]:
    """Controls overdue by 40, 10 and 1 days in London, Wales (a UPW site) and for a North West team."""
    london = await make_site(client, "london", pdu_code="london--camden-and-islington")
    upw = await make_site(client, "wales", site_type="unpaid_work")
    team = await make_team(client, "north-west")
    made = {
        "london": await created(client, CONTROLS, control_body(london, first_due_on=day(-40), owner="Office Manager")),
        "upw": await created(
            client,
            CONTROLS,
            control_body(
                upw,
                hazard_code="upw_site_welfare",
                template_code="upw_welfare_facilities_inspection",
                first_due_on=day(-10),
            ),
        ),
        "team": await created(
            client,
            CONTROLS,
            {
                "hazard_code": "lone_working",
                "template_code": "personal_safety_device_test",
                "team_id": team["id"],
                "owner": "SPO",
                "first_due_on": day(-1),
            },
        ),
        "not_yet": await created(client, CONTROLS, control_body(london, first_due_on=day(5))),
    }
    return made


async def test_overdue_list_is_most_overdue_first_and_says_where_what_and_since_when(client) -> None:
    made = await overdue_estate(client)
    body = await page(client, f"{CONTROLS}/overdue")
    assert body["total"] == 3
    assert [r["id"] for r in body["items"]] == [made["london"]["id"], made["upw"]["id"], made["team"]["id"]]
    first = body["items"][0]
    assert first["days_overdue"] == 40
    assert first["overdue_since"] == day(-39)
    assert first["next_due_on"] == day(-40)
    assert first["hazard"]["code"] == "fire"
    assert first["subject"]["area_code"] == "london"
    assert first["subject"]["pdu_code"] == "london--camden-and-islington"
    assert body["items"][1]["subject"]["site_type"] == "unpaid_work"
    assert body["items"][2]["subject"]["kind"] == "team"


async def test_overdue_list_filters(client) -> None:
    made = await overdue_estate(client)

    async def ids(**params: Any) -> list[str]:
        return [r["id"] for r in (await page(client, f"{CONTROLS}/overdue", **params))["items"]]

    assert await ids(area="wales") == [made["upw"]["id"]]
    assert await ids(region="north-west") == [made["team"]["id"]]
    assert await ids(pdu="london--camden-and-islington") == [made["london"]["id"]]
    assert await ids(site_type="unpaid_work") == [made["upw"]["id"]]
    assert await ids(site_type="probation_office") == [made["london"]["id"]]
    assert await ids(hazard="lone_working") == [made["team"]["id"]]
    assert await ids(hazard=["lone_working", "fire"]) == [made["london"]["id"], made["team"]["id"]]
    assert await ids(owner="office manager") == [made["london"]["id"]]
    assert await ids(min_days_overdue=10) == [made["london"]["id"], made["upw"]["id"]]
    assert await ids(min_days_overdue=11) == [made["london"]["id"]]
    assert await ids(subject="team") == [made["team"]["id"]]
    second_page = await page(client, f"{CONTROLS}/overdue", page_size=1, page=2)
    assert (second_page["total"], [r["id"] for r in second_page["items"]]) == (3, [made["upw"]["id"]])


async def test_list_parameters_are_bounded(client) -> None:
    assert_problem(await client.get(f"{CONTROLS}/overdue", params={"hazard": "radon"}), 422, "hazard")
    assert_problem(await client.get(f"{CONTROLS}/overdue", params={"area": "mars"}), 422, "area")
    assert_problem(await client.get(f"{CONTROLS}/overdue", params={"min_days_overdue": 0}), 400)
    assert_problem(await client.get(f"{CONTROLS}/overdue", params={"site_type": "castle"}), 400)
    assert_problem(await client.get(f"{CONTROLS}/due", params={"within_days": 367}), 400)
    assert_problem(await client.get(CONTROLS, params={"sort": "owner; drop table"}), 400)
    assert_problem(await client.get(CONTROLS, params={"page_size": 501}), 400)


async def test_due_soon_includes_today_and_the_last_day(client) -> None:
    today = await make_control(client, first_due_on=day(0))
    week = await make_control(client, first_due_on=day(7))
    await make_control(client, first_due_on=day(8))
    await make_control(client, first_due_on=day(-1))
    body = await page(client, f"{CONTROLS}/due", within_days=7)
    assert [r["id"] for r in body["items"]] == [today["id"], week["id"]]
    assert (await page(client, f"{CONTROLS}/due", within_days=0))["total"] == 1


async def test_failing_list_and_status_filter(client) -> None:
    failing = await make_control(client)
    await add_check(client, failing["id"], checked_on=day(-3), outcome="fail")
    partial = await make_control(client)
    await add_check(client, partial["id"], checked_on=day(-5), outcome="partial")
    ok = await make_control(client)
    await add_check(client, ok["id"], checked_on=day(-1))
    body = await page(client, f"{CONTROLS}/failing")
    assert [r["id"] for r in body["items"]] == [partial["id"], failing["id"]]  # longest failing first
    assert (await page(client, CONTROLS, status="effective"))["total"] == 1
    assert (await page(client, CONTROLS, status=["failing", "effective"]))["total"] == 3


async def test_summary_counts_by_hazard_and_area_with_upw_beside_the_rest(client) -> None:
    made = await overdue_estate(client)
    await add_check(client, made["not_yet"]["id"], checked_on=day(-1), outcome="fail")
    body = await page(client, f"{CONTROLS}/summary")
    cells = {(c["hazard"]["code"], c["area_code"]): c for c in body["cells"]}
    assert cells[("fire", "london")]["in_use"] == {"unpaid_work": 0, "rest_of_estate": 2, "teams": 0, "total": 2}
    assert cells[("fire", "london")]["overdue"]["rest_of_estate"] == 1
    assert cells[("fire", "london")]["failing"]["rest_of_estate"] == 1
    assert cells[("upw_site_welfare", "wales")]["overdue"] == {
        "unpaid_work": 1,
        "rest_of_estate": 0,
        "teams": 0,
        "total": 1,
    }
    assert cells[("lone_working", "north-west")]["overdue"]["teams"] == 1
    assert body["totals"]["overdue"]["total"] == 3
    assert body["totals"]["failing"]["total"] == 1
    only_upw = await page(client, f"{CONTROLS}/summary", site_type="unpaid_work")
    assert [(c["hazard"]["code"], c["area_code"]) for c in only_upw["cells"]] == [("upw_site_welfare", "wales")]


# --- access ---------------------------------------------------------------------------------------------------


async def test_an_area_hs_lead_writes_only_in_their_area_and_everyone_reads(client, auth_headers, db) -> None:
    wales = await make_site(client, "wales")
    lead = await auth_headers(Role.HS_LEAD, "north-west")
    response = await client.post(CONTROLS, json=control_body(wales), headers=lead)
    assert_problem(response, 403)
    assert await count(db, HazardControl) == 0
    viewer = await auth_headers(Role.VIEWER)
    assert (await client.get(f"{CONTROLS}/overdue", headers=viewer)).status_code == 200
    assert_problem(await client.post(CONTROLS, json=control_body(wales), headers=viewer), 403)
    national_lead = await auth_headers(Role.HS_LEAD)
    assert (await client.post(CONTROLS, json=control_body(wales), headers=national_lead)).status_code == 201


async def test_checks_recorded_at_the_same_time_all_land(client, db) -> None:
    import asyncio

    control = await make_control(client, template_code="emergency_lighting_monthly")
    url = f"{CONTROLS}/{control['id']}/checks"
    responses = await asyncio.gather(
        *(client.post(url, json=check_body(checked_on=day(-offset))) for offset in range(1, 6))
    )
    assert [r.status_code for r in responses] == [201] * 5, [r.text for r in responses]
    after = await client.get(f"{CONTROLS}/{control['id']}")
    assert after.json()["last_checked_on"] == day(-1)  # whichever landed last, the latest check speaks
    assert await count(db, ControlCheck) == 5
