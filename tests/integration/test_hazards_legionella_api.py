"""Legionella monitoring through the API: readings judged against HSG274 (config), the control and the site's
status following them, and the CSV log upload - every bad line reported, nothing written unless all is valid."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from risk_register.hazards.models import ControlCheck, LegionellaReading
from tests.access.scope_cases_hazards import (
    assert_problem,
    assessment_body,
    control_body,
    created,
    day,
    make_site,
    readings_body,
)

HEADER = "Outlet,Outlet type,Water,Date,Temp (C),Seconds,Taken by\n"


async def count(db: Any, model: Any) -> int:
    await db.rollback()  # a fresh snapshot: SQLite keeps the first read's otherwise
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def site_with_controls(client: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    site = await make_site(client)
    controls = {}
    for template in ("sentinel_outlet_temperatures", "tmv_hot_supply", "calorifier_flow_return"):
        controls[template] = await created(
            client,
            "/api/controls",
            control_body(site, hazard_code="legionella", template_code=template, first_due_on=day(-3)),
        )
    return site, controls


def reading(**overrides: Any) -> dict[str, Any]:
    return readings_body(**overrides)["readings"][0]


async def test_passing_readings_make_a_passing_check_on_the_right_control(client) -> None:
    site, controls = await site_with_controls(client)
    url = f"/api/sites/{site['id']}/legionella-readings"
    body = {
        "readings": [
            reading(outlet="GF kitchen sink", water="hot", temperature_c=50.0),
            reading(outlet="GF kitchen sink", water="cold", temperature_c=19.9, run_seconds=120),
            reading(outlet="1F WC basin", water="mixed_tmv", temperature_c=50),
        ]
    }
    result = await created(client, url, body)
    assert (result["created"], result["failed"], result["warnings"]) == (3, 0, [])
    assert {(c["template_code"], c["outcome"]) for c in result["checks"]} == {
        ("sentinel_outlet_temperatures", "pass"),
        ("tmv_hot_supply", "pass"),
    }
    sentinel = (await client.get(f"/api/controls/{controls['sentinel_outlet_temperatures']['id']}")).json()
    assert (sentinel["status"], sentinel["last_checked_on"], sentinel["next_due_on"]) == (
        "effective",
        day(-1),
        "2025-07-29",
    )
    status = (await client.get(f"/api/sites/{site['id']}/legionella")).json()
    # The calorifier control has no reading yet: its first check fell due three days ago.
    assert status["status"] == "overdue"
    assert len(status["latest_readings"]) == 3
    assert status["failing_points"] == []


async def test_a_failing_reading_marks_the_control_failing_and_shows_in_the_site_status(client) -> None:
    site, controls = await site_with_controls(client)
    url = f"/api/sites/{site['id']}/legionella-readings"
    result = await created(
        client,
        url,
        {
            "readings": [
                reading(outlet="GF kitchen sink", water="hot", temperature_c=49.9),
                reading(outlet="GF kitchen sink", water="cold", temperature_c=20.0),
                reading(outlet="GF shower", water="hot", temperature_c=58),
                reading(outlet="Calorifier 1", kind="calorifier", water="flow", temperature_c=59.9, run_seconds=None),
                reading(outlet="Calorifier 1", kind="calorifier", water="return", temperature_c=50.0, run_seconds=None),
            ]
        },
    )
    assert result["failed"] == 3
    by_outlet = {(r["outlet"], r["water"]): r for r in result["readings"]}
    assert by_outlet[("GF kitchen sink", "hot")]["requirement"] == "at least 50.0 C within 60 s"
    assert by_outlet[("GF kitchen sink", "cold")]["passed"] is False
    assert by_outlet[("Calorifier 1", "return")]["passed"] is True
    assert {c["outcome"] for c in result["checks"]} == {"fail"}
    sentinel = (await client.get(f"/api/controls/{controls['sentinel_outlet_temperatures']['id']}")).json()
    assert sentinel["status"] == "failing"
    check = (await client.get(f"/api/controls/{sentinel['id']}/checks")).json()["items"][0]
    assert check["source"] == "legionella_monitoring"
    assert check["notes"].startswith("2 of 3 reading(s) failed")
    status = (await client.get(f"/api/sites/{site['id']}/legionella")).json()
    assert status["status"] == "failing"
    assert {(r["outlet"], r["water"]) for r in status["failing_points"]} == {
        ("GF kitchen sink", "hot"),
        ("GF kitchen sink", "cold"),
        ("Calorifier 1", "flow"),
    }
    failing = (await client.get("/api/controls/failing")).json()
    assert {r["template_code"] for r in failing["items"]} == {"sentinel_outlet_temperatures", "calorifier_flow_return"}
    # A later passing round at the same outlets clears the points and the control.
    await created(
        client,
        url,
        {
            "readings": [
                reading(outlet="GF kitchen sink", water="hot", temperature_c=55, taken_on=day(0)),
                reading(outlet="GF kitchen sink", water="cold", temperature_c=15, taken_on=day(0)),
            ]
        },
    )
    status = (await client.get(f"/api/sites/{site['id']}/legionella")).json()
    assert {(r["outlet"], r["water"]) for r in status["failing_points"]} == {("Calorifier 1", "flow")}
    sentinel = (await client.get(f"/api/controls/{sentinel['id']}")).json()
    assert sentinel["status"] == "effective"


async def test_readings_added_later_the_same_day_rejudge_that_days_check(client) -> None:
    site, controls = await site_with_controls(client)
    url = f"/api/sites/{site['id']}/legionella-readings"
    await created(client, url, {"readings": [reading(outlet="Sink A", temperature_c=60)]})
    second = await created(client, url, {"readings": [reading(outlet="Sink B", temperature_c=45)]})
    assert second["checks"][0]["outcome"] == "fail"
    checks = (await client.get(f"/api/controls/{controls['sentinel_outlet_temperatures']['id']}/checks")).json()
    assert checks["total"] == 1


async def test_readings_without_a_control_are_kept_with_a_warning(client, db) -> None:
    site = await make_site(client)
    result = await created(client, f"/api/sites/{site['id']}/legionella-readings", readings_body())
    assert result["checks"] == []
    assert result["warnings"] == [
        f"no sentinel_outlet_temperatures control is applied at {site['code']}: sentinel.hot readings kept"
    ]
    assert await count(db, LegionellaReading) == 1
    status = (await client.get(f"/api/sites/{site['id']}/legionella")).json()
    assert status["status"] == "no_controls"


async def test_bad_readings_are_refused_whole(client, db) -> None:
    site, _ = await site_with_controls(client)
    url = f"/api/sites/{site['id']}/legionella-readings"
    for body, field in [
        (readings_body(temperature_c=49.95), "readings.0.temperature_c"),
        (readings_body(temperature_c="55"), "readings.0.temperature_c"),
        (readings_body(temperature_c=True), "readings.0.temperature_c"),
        (readings_body(temperature_c=101), "readings.0.temperature_c"),
        (readings_body(kind="calorifier", water="hot"), "readings.0.water"),
        (readings_body(water="lukewarm"), "readings.0.water"),
        (readings_body(taken_on=day(1)), "readings.0.taken_on"),
        (readings_body(run_seconds=-1), "readings.0.run_seconds"),
        ({"readings": []}, "readings"),
    ]:
        response = await client.post(url, json=body)
        assert response.status_code == 422, (field, response.text)
        fields = [e["field"] for e in response.json()["errors"]]
        assert field in fields, (field, fields)
    twice = {"readings": [reading(), reading(outlet="gf  KITCHEN sink", temperature_c=40)]}
    problem = assert_problem(await client.post(url, json=twice), 422, "readings.1.outlet")
    assert "repeats readings.0" in problem["errors"][0]["reason"]
    assert await count(db, LegionellaReading) == 0
    assert await count(db, ControlCheck) == 0
    assert_problem(
        await client.post("/api/sites/00000000-0000-0000-0000-000000000000/legionella-readings", json=readings_body()),
        404,
    )


# --- CSV upload -------------------------------------------------------------------------------------------


async def test_a_valid_log_uploads_with_uk_dates_and_word_spellings(client, db) -> None:
    site, _ = await site_with_controls(client)
    csv = HEADER + (
        "GF kitchen sink,Sentinel,Hot,28/06/2025,55.2,45,J. Smith\n"
        "GF kitchen sink,sentinel,COLD,28/06/2025,14.0,100,J. Smith\n"
        "\n"
        "1F basin,Sentinel,Mixed/TMV,2025-06-28,51,,J. Smith\n"
        "Calorifier 1,Calorifier,Flow,28/06/2025,62.0,,J. Smith\n"
        "Calorifier 1,Calorifier,Return,28/06/2025,49.0,,J. Smith\n"
    )
    result = await created(client, f"/api/sites/{site['id']}/legionella-readings/import", {"csv": csv})
    assert (result["created"], result["failed"]) == (5, 1)
    assert {r["taken_on"] for r in result["readings"]} == {"2025-06-28"}
    outcome = {c["template_code"]: c["outcome"] for c in result["checks"]}
    assert outcome == {
        "sentinel_outlet_temperatures": "pass",
        "tmv_hot_supply": "pass",
        "calorifier_flow_return": "fail",
    }
    assert result["readings"][0]["taken_by"] == "J. Smith"
    assert await count(db, LegionellaReading) == 5


async def test_every_bad_line_is_reported_by_line_and_column_and_nothing_is_written(client, db) -> None:
    site, _ = await site_with_controls(client)
    url = f"/api/sites/{site['id']}/legionella-readings/import"
    await created(
        client, f"/api/sites/{site['id']}/legionella-readings", readings_body(outlet="Sink 9", taken_on="2025-06-20")
    )
    before = await count(db, LegionellaReading), await count(db, ControlCheck)
    csv = HEADER + (
        "GF kitchen sink,Sentinel,Hot,31/06/2025,55.2,45,\n"  # line 2: no 31 June
        "GF kitchen sink,Sentinal,Cold,28/06/2025,14.0,100,\n"  # line 3: kind misspelt
        "GF kitchen sink,Sentinel,Hot,28/06/2025,hot,,\n"  # line 4: temperature not a number
        "Calorifier,Calorifier,Hot,28/06/2025,61,,\n"  # line 5: a calorifier has flow and return
        "1F basin,Sentinel,Hot,28/06/2025,52.25,,\n"  # line 6: two decimal places
        "1F basin,Sentinel,Hot,28/06/2025,52.2,,\n"  # line 7: fine on its own
        "1F basin,Sentinel,Hot,28/06/2025,52.2,,\n"  # line 8: repeats line 7
        "Sink 9,Sentinel,Hot,20/06/2025,52.2,,\n"  # line 9: already recorded
        ",Sentinel,Hot,28/06/2025,52.2,4000,\n"  # line 10: no outlet, seconds out of range
        f"Sink 10,Sentinel,Hot,{day(1)},52.2,,\n"  # line 11: in the future
    )
    problem = assert_problem(await client.post(url, json={"csv": csv}), 422)
    found = {(e.get("row"), e["field"]) for e in problem["errors"]}
    assert {
        (2, "Date"),
        (3, "Outlet type"),
        (4, "Temp (C)"),
        (5, "Water"),
        (6, "Temp (C)"),
        (8, "Outlet"),
        (9, "Outlet"),
        (10, "Outlet"),
        (10, "Seconds"),
        (11, "Date"),
    } <= found, found
    assert not any(row == 7 for row, _ in found)
    assert (await count(db, LegionellaReading), await count(db, ControlCheck)) == before


async def test_missing_columns_and_explicit_mapping(client) -> None:
    site, _ = await site_with_controls(client)
    url = f"/api/sites/{site['id']}/legionella-readings/import"
    problem = assert_problem(await client.post(url, json={"csv": "Outlet,Water,Date\nA,Hot,28/06/2025\n"}), 422)
    assert {(e["field"], e.get("row")) for e in problem["errors"]} == {("kind", 1), ("temperature_c", 1)}
    csv = "Point,Sort,Supply,When,Deg\nA,Sentinel,Hot,28/06/2025,55\n"
    mapping = {"outlet": "Point", "kind": "Sort", "water": "Supply", "taken_on": "When", "temperature_c": "Deg"}
    result = await created(client, url, {"csv": csv, "mapping": mapping})
    assert result["created"] == 1
    assert_problem(
        await client.post(url, json={"csv": csv, "mapping": {"temperature_c": "Nope"}}), 422, "mapping.temperature_c"
    )
    assert_problem(await client.post(url, json={"csv": "   "}), 422, "csv")
    assert_problem(await client.post(url, json={"csv": "Outlet,Kind\n"}), 422)
    assert_problem(await client.post(url, json={"csv": csv, "extra": 1}), 422, "extra")


async def test_deleting_a_monitoring_check_removes_its_readings(client, db) -> None:
    site, controls = await site_with_controls(client)
    result = await created(client, f"/api/sites/{site['id']}/legionella-readings", readings_body(temperature_c=40))
    check_id = result["checks"][0]["id"]
    control_id = controls["sentinel_outlet_temperatures"]["id"]
    check_url = f"/api/controls/{control_id}/checks/{check_id}"
    etag = (await client.get(check_url)).headers["etag"]
    assert (await client.delete(check_url, headers={"If-Match": etag})).status_code == 204
    assert await count(db, LegionellaReading) == 0
    control = (await client.get(f"/api/controls/{control_id}")).json()
    assert (control["status"], control["last_outcome"]) == ("overdue", None)


async def test_site_status_includes_the_current_assessment_and_the_thresholds(client) -> None:
    site, _ = await site_with_controls(client)
    assessment = await created(client, "/api/risk-assessments", assessment_body(site))
    status = (await client.get(f"/api/sites/{site['id']}/legionella")).json()
    assert status["assessment"]["id"] == assessment["id"]
    requirements = {(t["water"], t["requirement"]) for t in status["thresholds"]}
    assert ("hot", "at least 50.0 C within 60 s") in requirements
    assert ("flow", "at least 60.0 C") in requirements
    assert ("cold", "below 20.0 C within 120 s") in requirements
    readings = (await client.get(f"/api/sites/{site['id']}/legionella-readings", params={"passed": False})).json()
    assert readings["total"] == 0
    assert_problem(await client.get("/api/sites/00000000-0000-0000-0000-000000000000/legionella"), 404)
