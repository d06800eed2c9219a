"""Work-related stress through the API: Indicator Tool uploads scored against config, the team's picture with
sickness absence per FTE, teams themselves, and every error path."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from risk_register.hazards.models import SicknessAbsence, StressSurvey, StressSurveyResponse, Team
from tests.access.scope_cases_hazards import (
    absence_body,
    assert_problem,
    assessment_body,
    control_body,
    created,
    day,
    make_site,
    make_team,
    survey_body,
    team_body,
)

HEADER = ",".join(f"Q{i}" for i in range(1, 36))
DEMANDS = [3, 6, 9, 12, 16, 18, 20, 22]


async def count(db: Any, model: Any) -> int:
    await db.rollback()  # a fresh snapshot: SQLite keeps the first read's otherwise
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


def line(answers: dict[int, Any], default: Any = 4) -> str:
    return ",".join("" if (a := answers.get(i, default)) is None else str(a) for i in range(1, 36))


async def test_a_survey_is_scored_with_reverse_items_and_compared_with_targets(client) -> None:
    team = await make_team(client)
    mixed = dict(zip(DEMANDS, [1, 2, 3, 4, 5, 1, 2, 3], strict=True))  # demands reversed: 27 / 8 = 3.375
    csv = "\n".join(
        [HEADER, line(mixed), line({**dict.fromkeys(DEMANDS, 2)}), line({3: 1, **dict.fromkeys(DEMANDS[1:], None)})]
    )
    survey = await created(
        client, f"/api/teams/{team['id']}/stress-surveys", {"surveyed_on": day(-7), "invited": 4, "csv": csv}
    )
    scales = {s["scale"]: s for s in survey["scales"]}
    assert scales["demands"]["score"] == "4.13"  # (3.375 + 4 + 5) / 3
    assert scales["demands"]["respondents"] == 3
    assert scales["demands"]["below_target"] is False
    assert scales["relationships"]["score"] == "2.00"  # every answer 4, reversed to 2
    assert scales["relationships"]["band"] == "red"
    assert scales["control"]["score"] == "4.00"
    assert scales["control"]["band"] == "green"
    assert [f["scale"] for f in survey["findings"]] == ["relationships", "role"]
    assert (survey["responses"], survey["response_rate"], survey["response_rate_label"]) == (3, "75.0", "good")
    assert survey["benchmark_note"].startswith("[U] UNVERIFIED")


async def test_every_bad_answer_is_reported_by_line_and_column_and_nothing_is_written(client, db) -> None:
    team = await make_team(client)
    url = f"/api/teams/{team['id']}/stress-surveys"
    csv = "\n".join(
        [HEADER, line({}), line({5: 6}), line({7: "x", 35: 0}), line({}, default=None) + "\n" + line({2: "3.5"})]
    )
    problem = assert_problem(await client.post(url, json=survey_body(csv=csv)), 422)
    assert {(e.get("row"), e["field"]) for e in problem["errors"]} == {(3, "Q5"), (4, "Q7"), (4, "Q35"), (6, "Q2")}
    missing = assert_problem(await client.post(url, json=survey_body(csv="Q1,Q2\n3,4\n")), 422)
    assert len(missing["errors"]) == 33
    assert missing["errors"][0]["row"] == 1
    assert_problem(await client.post(url, json=survey_body(csv=HEADER + "\n")), 422, "csv")
    assert_problem(await client.post(url, json=survey_body(invited=1)), 422, "invited")
    assert_problem(await client.post(url, json=survey_body(surveyed_on=day(1))), 422, "surveyed_on")
    assert_problem(await client.post(url, json=survey_body(invited="5")), 422, "invited")
    assert await count(db, StressSurvey) == 0
    assert await count(db, StressSurveyResponse) == 0


async def test_a_second_survey_on_the_same_day_is_a_conflict(client, db) -> None:
    team = await make_team(client)
    url = f"/api/teams/{team['id']}/stress-surveys"
    await created(client, url, survey_body())
    assert_problem(await client.post(url, json=survey_body()), 409, "surveyed_on")
    assert await count(db, StressSurvey) == 1


async def test_deleting_a_survey_removes_its_responses(client, db) -> None:
    team = await make_team(client)
    survey = await created(client, f"/api/teams/{team['id']}/stress-surveys", survey_body())
    assert await count(db, StressSurveyResponse) == 3
    url = f"/api/stress-surveys/{survey['id']}"
    assert (await client.get(url)).headers["etag"] == '"1"'
    assert (await client.delete(url, headers={"If-Match": survey["_etag"]})).status_code == 204
    assert await count(db, StressSurveyResponse) == 0
    assert_problem(await client.get(url), 404)


async def test_the_teams_stress_picture(client) -> None:
    team = await make_team(client)
    url = f"/api/teams/{team['id']}"
    empty = (await client.get(f"{url}/stress")).json()
    assert (empty["latest_survey"], empty["assessment"], empty["absence"]) == (None, None, [])
    await created(client, f"{url}/stress-surveys", survey_body(surveyed_on="2024-06-01"))
    better = "\n".join([HEADER, line({}, default=5), line({}, default=4)])
    await created(client, f"{url}/stress-surveys", survey_body(surveyed_on="2025-06-01", csv=better))
    record = await created(client, f"{url}/sickness-absence", absence_body())
    assert (record["days_per_fte"], record["mental_health_share"]) == ("9.60", "50.0")
    assessment = await created(
        client,
        "/api/risk-assessments",
        {**assessment_body(team, hazard_code="work_related_stress"), "site_id": None, "team_id": team["id"]},
    )
    picture = (await client.get(f"{url}/stress")).json()
    assert picture["latest_survey"]["surveyed_on"] == "2025-06-01"
    assert picture["previous_survey"]["surveyed_on"] == "2024-06-01"
    assert picture["score_changes"]["control"] == "1.50"  # 4.50 now, 3.00 before
    assert picture["score_changes"]["demands"] == "-1.50"  # reversed: 1.50 now, 3.00 before
    assert picture["absence"][0]["days_per_fte"] == "9.60"
    assert picture["assessment"]["id"] == assessment["id"]
    surveys = (await client.get(f"{url}/stress-surveys")).json()
    assert [s["surveyed_on"] for s in surveys["items"]] == ["2025-06-01", "2024-06-01"]


async def test_absence_records_are_validated_and_unique_per_period(client, db) -> None:
    team = await make_team(client)
    url = f"/api/teams/{team['id']}/sickness-absence"
    for body, field in [
        (absence_body(period_end="2025-03-01"), "period_end"),
        (absence_body(period_end=day(1)), "period_end"),
        (absence_body(fte=0), "fte"),
        (absence_body(fte=1.234), "fte"),
        (absence_body(days_lost=-1), "days_lost"),
        (absence_body(mental_health_days_lost=121), "mental_health_days_lost"),
        (absence_body(days_lost="12"), "days_lost"),
    ]:
        response = await client.post(url, json=body)
        assert response.status_code == 422, (field, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], (field, response.text)
    await created(client, url, absence_body())
    assert_problem(await client.post(url, json=absence_body()), 409, "period_start")
    assert await count(db, SicknessAbsence) == 1
    assert_problem(
        await client.post("/api/teams/00000000-0000-0000-0000-000000000000/sickness-absence", json=absence_body()), 404
    )


# --- teams ----------------------------------------------------------------------------------------------------


async def test_teams_belong_to_a_region_and_pdu(client, db) -> None:
    team = await make_team(client, "north-west", pdu_code="north-west--cumbria")
    assert (team["area_code"], team["pdu_code"]) == ("north-west", "north-west--cumbria")
    for body, field, status in [
        (team_body(region_code="atlantis"), "region_code", 422),
        (team_body("london", pdu_code="north-west--cumbria"), "pdu_code", 422),
        (team_body(code="lower-case"), "code", 422),
        (team_body(code=team["code"]), "code", 409),
        (team_body(headcount=True), "headcount", 422),
    ]:
        assert_problem(await client.post("/api/teams", json=body), status, field)
    assert await count(db, Team) == 1
    url = f"/api/teams/{team['id']}"
    moved = await client.patch(url, json={"region_code": "wales"}, headers={"If-Match": team["_etag"]})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["area_code"], moved.json()["pdu_code"]) == ("wales", None)
    listed = (await client.get("/api/teams", params={"area": "wales"})).json()
    assert [t["id"] for t in listed["items"]] == [team["id"]]


async def test_a_team_with_records_cannot_be_deleted(client) -> None:
    team = await make_team(client)
    site = await make_site(client)
    await created(
        client,
        "/api/controls",
        {
            **control_body(site, hazard_code="lone_working", template_code="contact_arrangements_review"),
            "site_id": None,
            "team_id": team["id"],
        },
    )
    url = f"/api/teams/{team['id']}"
    assert_problem(await client.delete(url, headers={"If-Match": team["_etag"]}), 409)
    empty = await make_team(client)
    assert (await client.delete(f"/api/teams/{empty['id']}", headers={"If-Match": empty["_etag"]})).status_code == 204
