"""A register's history across edits made on different days: each risk's versions, the register as at a past
date, and what changed between two dates (what a quarterly review board reads), on every engine.

Each "day" is the app started with that day as its pinned today, so every change takes the default effective
date a real user's change would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from risk_register.accounts.roles import Role
from risk_register.app import create_app
from tests.access.scope_cases_registers import area_register, risk_body
from tests.conftest import engine_url
from tests.helpers import assert_problem

REGISTERS = "/api/registers"
JAN, FEB, MAR, APR = date(2025, 1, 10), date(2025, 2, 15), date(2025, 3, 20), date(2025, 4, 30)


@asynccontextmanager
async def on(day: date, database: Any, db_engine: Any, auth_headers: Any) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client of the app as it runs on ``day``."""
    settings = database.settings(database_url=engine_url(db_engine), today_override=day.isoformat())
    async with AsyncTestClient(app=create_app(settings)) as client:
        client.headers.update(await auth_headers(Role.ADMIN))
        yield client


async def change(client: Any, risk_id: str, **fields: Any) -> dict[str, Any]:
    url = f"/api/risks/{risk_id}"
    etag = (await client.get(url)).headers["etag"]
    response = await client.patch(url, json=fields, headers={"If-Match": etag})
    assert response.status_code == 200, response.text
    return response.json()


async def add(client: Any, register_id: str, reference: str, **fields: Any) -> dict[str, Any]:
    body = {**risk_body(reference), "identified_on": "2025-01-02", **fields}
    response = await client.post(f"{REGISTERS}/{register_id}/risks", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def a_quarter_of_edits(database: Any, db_engine: Any, auth_headers: Any) -> tuple[str, dict[str, str]]:
    """January: R1 (3 x 3) and R2 (2 x 2) raised. February: R1's likelihood up to 4; R2 escalated.
    March: R3 raised; R2 closed; R1's impact down to 2, then, the same day, its owner changes.
    April: R2 reopened, R3's title corrected."""
    async with on(JAN, database, db_engine, auth_headers) as client:
        register_id = await area_register(client, "north-west")
        r1 = await add(client, register_id, "R1", residual_likelihood=3, residual_impact=3)
        r2 = await add(client, register_id, "R2", residual_likelihood=2, residual_impact=2)
    async with on(FEB, database, db_engine, auth_headers) as client:
        await change(client, r1["id"], residual_likelihood=4)
        await change(client, r2["id"], status="escalated")
    async with on(MAR, database, db_engine, auth_headers) as client:
        r3 = await add(client, register_id, "R3", residual_likelihood=1, residual_impact=1)
        await change(client, r2["id"], status="closed")
        await change(client, r1["id"], residual_impact=2)
        await change(client, r1["id"], owner="Deputy Director")
    async with on(APR, database, db_engine, auth_headers) as client:
        await change(client, r2["id"], status="open")
        await change(client, r3["id"], title="Corrected title")
    return register_id, {"R1": r1["id"], "R2": r2["id"], "R3": r3["id"]}


async def as_at(client: Any, register_id: str, day: date, **params: Any) -> dict[str, dict[str, Any]]:
    response = await client.get(f"{REGISTERS}/{register_id}/as-at", params={"date": day.isoformat(), **params})
    assert response.status_code == 200, response.text
    return {r["reference"]: r for r in response.json()["items"]}


async def changes(client: Any, register_id: str, start: date, end: date, **params: Any) -> dict[str, Any]:
    response = await client.get(
        f"{REGISTERS}/{register_id}/changes", params={"from": start.isoformat(), "to": end.isoformat(), **params}
    )
    assert response.status_code == 200, response.text
    return response.json()


def kinds(report: dict[str, Any]) -> dict[str, list[str]]:
    return {item["reference"]: item["kinds"] for item in report["items"]}


async def test_each_edit_is_a_version_dated_the_day_it_was_made(client, database, db_engine, auth_headers) -> None:
    _, ids = await a_quarter_of_edits(database, db_engine, auth_headers)
    history = (await client.get(f"/api/risks/{ids['R1']}/history")).json()
    assert history["total"] == 4
    assert [(v["version_no"], v["valid_from"], v["valid_to"], v["changed"]) for v in history["items"]] == [
        (4, "2025-03-20", None, ["owner"]),
        (3, "2025-03-20", "2025-03-20", ["residual_impact"]),  # replaced the same day: never in force at a day's end
        (2, "2025-02-15", "2025-03-20", ["residual_likelihood"]),
        (1, "2025-01-10", "2025-02-15", history["items"][3]["changed"]),
    ]
    assert [v["residual_score"] for v in history["items"]] == [8, 8, 12, 9]
    assert "reference" in history["items"][3]["changed"]
    current = (await client.get(f"/api/risks/{ids['R1']}")).json()
    assert current["version"] == 4
    page = (await client.get(f"/api/risks/{ids['R1']}/history", params={"page_size": 1, "page": 2})).json()
    assert [v["version_no"] for v in page["items"]] == [3]


async def test_the_register_as_at_past_dates(client, database, db_engine, auth_headers) -> None:
    register_id, _ = await a_quarter_of_edits(database, db_engine, auth_headers)
    assert await as_at(client, register_id, date(2025, 1, 9)) == {}
    january = await as_at(client, register_id, JAN)
    assert {ref: (r["residual_score"], r["status"]) for ref, r in january.items()} == {
        "R1": (9, "open"),
        "R2": (4, "open"),
    }
    assert await as_at(client, register_id, date(2025, 2, 14)) == january
    february = await as_at(client, register_id, FEB)
    assert {ref: (r["residual_score"], r["status"]) for ref, r in february.items()} == {
        "R1": (12, "open"),
        "R2": (4, "escalated"),
    }
    march = await as_at(client, register_id, MAR)
    assert {ref: (r["residual_score"], r["status"], r["owner"]) for ref, r in march.items()} == {
        "R1": (8, "open", "Deputy Director"),
        "R2": (4, "closed", "Head of Estates"),
        "R3": (1, "open", "Head of Estates"),
    }
    assert (await as_at(client, register_id, MAR, status="closed")).keys() == {"R2"}
    today = await as_at(client, register_id, date(2025, 6, 30))
    assert today["R3"]["title"] == "Corrected title"
    assert today["R2"]["status"] == "open"


async def test_review_overdue_is_judged_as_at_the_date_asked(client, database, db_engine, auth_headers) -> None:
    async with on(JAN, database, db_engine, auth_headers) as jan:
        register_id = await area_register(jan, "wales")
        await add(jan, register_id, "W1", next_review_on="2025-03-01")
    assert (await as_at(client, register_id, date(2025, 3, 1)))["W1"]["review_overdue"] is False
    assert (await as_at(client, register_id, date(2025, 3, 2)))["W1"]["review_overdue"] is True


async def test_changes_between_two_dates(client, database, db_engine, auth_headers) -> None:
    register_id, _ = await a_quarter_of_edits(database, db_engine, auth_headers)
    first = await changes(client, register_id, JAN, FEB)
    assert kinds(first) == {"R1": ["score_up"], "R2": ["escalated"]}
    r1 = first["items"][0]
    assert (r1["before"]["residual_score"], r1["after"]["residual_score"]) == (9, 12)
    assert (r1["before"]["residual_band"], r1["after"]["residual_band"]) == ("high", "high")
    assert first["counts"]["score_up"] == 1
    assert first["counts"]["new"] == 0

    second = await changes(client, register_id, FEB, MAR)
    assert kinds(second) == {"R1": ["score_down"], "R2": ["closed"], "R3": ["new"]}
    assert second["items"][2]["before"] is None

    quarter = await changes(client, register_id, date(2024, 12, 31), MAR)
    assert kinds(quarter) == {"R1": ["new"], "R2": ["new", "closed"], "R3": ["new"]}
    assert quarter["counts"] == {
        "new": 3,
        "closed": 1,
        "reopened": 0,
        "escalated": 0,
        "de_escalated": 0,
        "score_up": 0,
        "score_down": 0,
        "updated": 0,
    }

    april = await changes(client, register_id, MAR, APR)
    assert kinds(april) == {"R2": ["reopened"], "R3": ["updated"]}
    assert kinds(await changes(client, register_id, APR, date(2025, 6, 30))) == {}
    only_closed = await changes(client, register_id, JAN, APR, kind="closed")
    assert only_closed["items"] == []
    filtered = await changes(client, register_id, FEB, MAR, kind=["closed", "new"])
    assert [item["reference"] for item in filtered["items"]] == ["R2", "R3"]
    assert filtered["total"] == 2


async def test_changes_since_a_date_runs_to_today_by_default(client, database, db_engine, auth_headers) -> None:
    register_id, _ = await a_quarter_of_edits(database, db_engine, auth_headers)
    response = await client.get(f"{REGISTERS}/{register_id}/changes", params={"from": "2025-03-31"})
    assert response.status_code == 200, response.text
    assert response.json()["to_date"] == "2025-06-30"
    assert kinds(response.json()) == {"R2": ["reopened"], "R3": ["updated"]}


async def test_bad_history_requests(client) -> None:
    register_id = await area_register(client, "north-west")
    url = f"{REGISTERS}/{register_id}"
    assert_problem(await client.get(f"{url}/changes", params={"from": "2025-03-01", "to": "2025-02-01"}), 422, "to")
    assert_problem(await client.get(f"{url}/changes"), 400)
    assert_problem(await client.get(f"{url}/as-at"), 400)
    assert_problem(await client.get(f"{url}/as-at", params={"date": "yesterday"}), 400)
    assert_problem(await client.get(f"{url}/changes", params={"from": "2025-01-01", "kind": "vanished"}), 400)
    assert_problem(await client.get("/api/risks/00000000-0000-0000-0000-000000000000/history"), 404)


async def test_an_effective_date_backdates_a_change_but_never_before_the_last(
    client, database, db_engine, auth_headers
) -> None:
    register_id, ids = await a_quarter_of_edits(database, db_engine, auth_headers)
    url = f"/api/risks/{ids['R3']}"
    etag = (await client.get(url)).headers["etag"]
    # R3 last changed on 30 April: a change cannot take effect before then.
    early = await client.patch(
        url, json={"residual_likelihood": 5, "effective_on": "2025-04-01"}, headers={"If-Match": etag}
    )
    assert_problem(early, 422, "effective_on")
    assert (await client.get(url)).headers["etag"] == etag
    # The board met on 31 May; the change is recorded today, effective then.
    dated = await client.patch(
        url, json={"residual_likelihood": 5, "effective_on": "2025-05-31"}, headers={"If-Match": etag}
    )
    assert dated.status_code == 200, dated.text
    assert (await as_at(client, register_id, date(2025, 5, 30)))["R3"]["residual_score"] == 1
    assert (await as_at(client, register_id, date(2025, 5, 31)))["R3"]["residual_score"] == 5
    assert kinds(await changes(client, register_id, APR, date(2025, 5, 31))) == {"R3": ["score_up"]}


async def test_a_deleted_risk_leaves_no_history(client, database, db_engine, auth_headers) -> None:
    register_id, ids = await a_quarter_of_edits(database, db_engine, auth_headers)
    url = f"/api/risks/{ids['R3']}"
    response = await client.delete(url, headers={"If-Match": (await client.get(url)).headers["etag"]})
    assert response.status_code == 204
    assert "R3" not in await as_at(client, register_id, MAR)
    assert "R3" not in kinds(await changes(client, register_id, FEB, MAR))
