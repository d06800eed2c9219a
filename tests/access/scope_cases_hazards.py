"""Scope cases for the hazards domain's Area-scoped write endpoints (see tests/access/scope_cases.py), and the
builders the hazards tests share: each makes, as the admin ``client``, a record in a given Area through the API.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from typing import Any

from tests.access.scope_types import ScopeCase, ScopedRequest
from tests.conftest import TODAY

AREA_REGION = {
    "north-west": "north-west",
    "north-east": "north-east",
    "midlands": "west-midlands",
    "wales": "wales",
    "london": "london",
    "south-east-and-east": "east-of-england",
    "south-west-and-south-central": "south-west",
}
_numbers = itertools.count(1)

SURVEY_CSV = (
    ",".join(f"q{i}" for i in range(1, 36))
    + "\n"
    + "\n".join(",".join(str(answer) for _ in range(35)) for answer in (3, 4, 2))
)
READINGS_CSV = (
    "Outlet,Kind,Water,Date,Temperature,Seconds\n"
    f"GF kitchen sink,Sentinel,Hot,{(TODAY - timedelta(days=2)).isoformat()},55.0,30\n"
    f"GF kitchen sink,Sentinel,Cold,{(TODAY - timedelta(days=2)).isoformat()},14.5,90\n"
)


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem with ``status``, whose errors name ``field`` when given."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    assert response.headers["content-type"].split(";")[0] == "application/problem+json", response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    if field is not None:
        fields = [e["field"] for e in body["errors"]]
        assert field in fields, f"expected an error naming {field!r}, got {fields}"
    return body


def day(offset: int = 0) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_numbers)}-{uuid.uuid4().hex[:6]}".upper()


async def created(client: Any, url: str, body: Any) -> dict[str, Any]:
    response = await client.post(url, json=body)
    assert response.status_code == 201, (url, response.text)
    data: dict[str, Any] = response.json()
    if "etag" in response.headers:
        data["_etag"] = response.headers["etag"]
    return data


def site_body(area_code: str = "london", **overrides: Any) -> dict[str, Any]:
    body = {
        "code": unique("HZ"),
        "name": "Hazards Test Office",
        "address": "1 High Street, Testtown",
        "postcode": "E1 1AA",
        "region_code": AREA_REGION[area_code],
        "site_type": "probation_office",
        "tenure": "freehold",
        "condition_grade": "B",
        "suitability": "suitable",
        "staff_headcount": 20,
    }
    body.update(overrides)
    return body


async def make_site(client: Any, area_code: str = "london", **overrides: Any) -> dict[str, Any]:
    return await created(client, "/api/sites", site_body(area_code, **overrides))


def team_body(area_code: str = "london", **overrides: Any) -> dict[str, Any]:
    body = {"code": unique("TM"), "name": "Sentence management team", "region_code": AREA_REGION[area_code]}
    body.update(overrides)
    return body


async def make_team(client: Any, area_code: str = "london", **overrides: Any) -> dict[str, Any]:
    return await created(client, "/api/teams", team_body(area_code, **overrides))


def control_body(subject: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hazard_code": "fire",
        "template_code": "fire_alarm_weekly_test",
        "site_id": subject["id"],
        "owner": "Site manager",
    }
    body.update(overrides)
    return body


async def make_control(client: Any, area_code: str = "london", **overrides: Any) -> dict[str, Any]:
    site = await make_site(client, area_code)
    return await created(client, "/api/controls", control_body(site, **overrides))


def check_body(**overrides: Any) -> dict[str, Any]:
    body = {"checked_on": day(-1), "checked_by": "A. Tester", "outcome": "pass"}
    body.update(overrides)
    return body


def assessment_body(subject: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hazard_code": "legionella",
        "site_id": subject["id"],
        "title": "Legionella risk assessment",
        "assessor_name": "W. Ater (City & Guilds 6035)",
        "assessed_on": day(-30),
        "significant_findings": "Dead leg on the first floor; calorifier return marginal",
        "actions": [{"description": "Remove dead leg", "owner": "Facilities", "due_on": day(30)}],
        "checklist": {
            "hazards_identified": True,
            "who_might_be_harmed": True,
            "existing_controls_evaluated": True,
            "further_actions_with_owners_and_dates": True,
            "competent_assessor": True,
            "significant_findings_recorded": True,
            "review_date_set": True,
            "workers_consulted": True,
        },
    }
    body.update(overrides)
    return body


def readings_body(**overrides: Any) -> dict[str, Any]:
    reading = {
        "outlet": "GF kitchen sink",
        "kind": "sentinel",
        "water": "hot",
        "taken_on": day(-1),
        "temperature_c": 55.5,
        "run_seconds": 40,
    }
    reading.update(overrides)
    return {"readings": [reading]}


def survey_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"surveyed_on": day(-10), "invited": 5, "csv": SURVEY_CSV}
    body.update(overrides)
    return body


def absence_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "period_start": "2025-04-01",
        "period_end": "2025-06-29",
        "fte": 12.5,
        "days_lost": 120,
        "mental_health_days_lost": 60,
    }
    body.update(overrides)
    return body


def if_match(record: dict[str, Any]) -> dict[str, str]:
    return {"If-Match": record["_etag"]}


# --- the cases --------------------------------------------------------------------------------------------


async def post_team(client: Any, area: str) -> ScopedRequest:
    return "/api/teams", team_body(area), {}


async def patch_team(client: Any, area: str) -> ScopedRequest:
    team = await make_team(client, area)
    return f"/api/teams/{team['id']}", {"name": "Renamed team"}, if_match(team)


async def delete_team(client: Any, area: str) -> ScopedRequest:
    team = await make_team(client, area)
    return f"/api/teams/{team['id']}", None, if_match(team)


async def post_control(client: Any, area: str) -> ScopedRequest:
    site = await make_site(client, area)
    return "/api/controls", control_body(site), {}


async def patch_control(client: Any, area: str) -> ScopedRequest:
    control = await make_control(client, area)
    return f"/api/controls/{control['id']}", {"owner": "Office manager"}, if_match(control)


async def delete_control(client: Any, area: str) -> ScopedRequest:
    control = await make_control(client, area)
    return f"/api/controls/{control['id']}", None, if_match(control)


async def post_check(client: Any, area: str) -> ScopedRequest:
    control = await make_control(client, area)
    return f"/api/controls/{control['id']}/checks", check_body(), {}


async def delete_check(client: Any, area: str) -> ScopedRequest:
    control = await make_control(client, area)
    check = await created(client, f"/api/controls/{control['id']}/checks", check_body())
    return f"/api/controls/{control['id']}/checks/{check['id']}", None, if_match(check)


async def post_assessment(client: Any, area: str) -> ScopedRequest:
    site = await make_site(client, area)
    return "/api/risk-assessments", assessment_body(site), {}


async def patch_assessment(client: Any, area: str) -> ScopedRequest:
    assessment = await created(client, "/api/risk-assessments", assessment_body(await make_site(client, area)))
    return f"/api/risk-assessments/{assessment['id']}", {"title": "Reviewed"}, if_match(assessment)


async def delete_assessment(client: Any, area: str) -> ScopedRequest:
    assessment = await created(client, "/api/risk-assessments", assessment_body(await make_site(client, area)))
    return f"/api/risk-assessments/{assessment['id']}", None, if_match(assessment)


async def post_readings(client: Any, area: str) -> ScopedRequest:
    site = await make_site(client, area)
    return f"/api/sites/{site['id']}/legionella-readings", readings_body(), {}


async def import_readings(client: Any, area: str) -> ScopedRequest:
    site = await make_site(client, area)
    return f"/api/sites/{site['id']}/legionella-readings/import", {"csv": READINGS_CSV}, {}


async def post_survey(client: Any, area: str) -> ScopedRequest:
    team = await make_team(client, area)
    return f"/api/teams/{team['id']}/stress-surveys", survey_body(), {}


async def delete_survey(client: Any, area: str) -> ScopedRequest:
    team = await make_team(client, area)
    survey = await created(client, f"/api/teams/{team['id']}/stress-surveys", survey_body())
    return f"/api/stress-surveys/{survey['id']}", None, if_match(survey)


async def post_absence(client: Any, area: str) -> ScopedRequest:
    team = await make_team(client, area)
    return f"/api/teams/{team['id']}/sickness-absence", absence_body(), {}


async def delete_absence(client: Any, area: str) -> ScopedRequest:
    team = await make_team(client, area)
    record = await created(client, f"/api/teams/{team['id']}/sickness-absence", absence_body())
    return f"/api/sickness-absence/{record['id']}", None, if_match(record)


CASES: list[ScopeCase] = [
    ScopeCase("post", "/api/teams", post_team),
    ScopeCase("patch", "/api/teams/{team_id}", patch_team),
    ScopeCase("delete", "/api/teams/{team_id}", delete_team),
    ScopeCase("post", "/api/controls", post_control),
    ScopeCase("patch", "/api/controls/{control_id}", patch_control),
    ScopeCase("delete", "/api/controls/{control_id}", delete_control),
    ScopeCase("post", "/api/controls/{control_id}/checks", post_check),
    ScopeCase("delete", "/api/controls/{control_id}/checks/{check_id}", delete_check),
    ScopeCase("post", "/api/risk-assessments", post_assessment),
    ScopeCase("patch", "/api/risk-assessments/{assessment_id}", patch_assessment),
    ScopeCase("delete", "/api/risk-assessments/{assessment_id}", delete_assessment),
    ScopeCase("post", "/api/sites/{site_id}/legionella-readings", post_readings),
    ScopeCase("post", "/api/sites/{site_id}/legionella-readings/import", import_readings),
    ScopeCase("post", "/api/teams/{team_id}/stress-surveys", post_survey),
    ScopeCase("delete", "/api/stress-surveys/{survey_id}", delete_survey),
    ScopeCase("post", "/api/teams/{team_id}/sickness-absence", post_absence),
    ScopeCase("delete", "/api/sickness-absence/{record_id}", delete_absence),
]
