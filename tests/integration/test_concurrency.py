"""Two people editing at once never silently overwrite each other."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import if_match

SITE = {
    "code": "CON-1",
    "name": "Concurrency House",
    "address": "2 Mill Lane",
    "postcode": "LS1 4AB",
    "region_code": "yorkshire-and-the-humber",
    "site_type": "probation_office",
    "tenure": "leasehold",
    "condition_grade": "B",
    "suitability": "suitable",
    "staff_headcount": 0,
}


@pytest.fixture
async def site_url(client) -> str:
    created = await client.post("/api/sites", json=SITE)
    assert created.status_code == 201, created.text
    return f"/api/sites/{created.json()['id']}"


async def test_single_records_carry_their_version_as_etag(client, site_url) -> None:
    read = await client.get(site_url)
    assert read.headers["etag"] == '"1"'
    changed = await client.patch(site_url, json={"staff_headcount": 3}, headers={"If-Match": '"1"'})
    assert changed.headers["etag"] == '"2"'
    assert changed.json()["version"] == 2


async def test_a_change_without_if_match_is_428_and_writes_nothing(client, site_url) -> None:
    response = await client.patch(site_url, json={"staff_headcount": 3})
    assert response.status_code == 428
    assert response.json()["errors"][0]["field"] == "If-Match"
    assert (await client.get(site_url)).json()["staff_headcount"] == 0
    assert (await client.delete(site_url)).status_code == 428


@pytest.mark.parametrize("header", ['W/"1"', '"1"', "1"])
async def test_weak_quoted_and_bare_versions_are_understood(client, site_url, header) -> None:
    response = await client.patch(site_url, json={"staff_headcount": 3}, headers={"If-Match": header})
    assert response.status_code == 200


async def test_a_malformed_if_match_is_refused(client, site_url) -> None:
    response = await client.patch(site_url, json={"staff_headcount": 3}, headers={"If-Match": "*-nonsense"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "If-Match"


async def test_a_stale_version_is_412_for_update_and_delete(client, site_url) -> None:
    await client.patch(site_url, json={"name": "First edit"}, headers={"If-Match": '"1"'})
    stale = await client.patch(site_url, json={"name": "Second edit"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert "version 2" in stale.json()["detail"]
    assert (await client.delete(site_url, headers={"If-Match": '"1"'})).status_code == 412
    current = await client.get(site_url)
    assert current.json()["name"] == "First edit"


async def test_concurrent_edits_from_one_version_let_exactly_one_through(client, site_url) -> None:
    async def edit(n: int):
        return await client.patch(site_url, json={"name": f"Edit {n}"}, headers={"If-Match": '"1"'})

    responses = await asyncio.gather(*(edit(n) for n in range(6)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 412, 412, 412, 412, 412]
    winner = next(r for r in responses if r.status_code == 200).json()["name"]
    current = (await client.get(site_url)).json()
    assert current["name"] == winner
    assert current["version"] == 2


async def test_no_update_is_lost_when_writers_retry_on_412(client, site_url) -> None:
    async def increment() -> int:
        attempts = 0
        while True:
            attempts += 1
            read = await client.get(site_url)
            response = await client.patch(
                site_url,
                json={"staff_headcount": read.json()["staff_headcount"] + 1},
                headers={"If-Match": read.headers["etag"]},
            )
            if response.status_code == 200:
                return attempts
            assert response.status_code == 412, response.text

    attempts = await asyncio.gather(*(increment() for _ in range(8)))
    final = (await client.get(site_url)).json()
    assert final["staff_headcount"] == 8
    assert final["version"] == 9
    assert sum(attempts) >= 8


async def test_concurrent_audit_events_match_the_versions(client, site_url) -> None:
    headers = await if_match(client, site_url)
    results = await asyncio.gather(
        *(client.patch(site_url, json={"name": f"Edit {n}"}, headers=headers) for n in range(4))
    )
    assert sorted(r.status_code for r in results) == [200, 412, 412, 412]
    version = (await client.get(site_url)).json()["version"]
    site_id = site_url.rsplit("/", 1)[1]
    updates = (await client.get("/api/audit-events", params={"entity_id": site_id})).json()["items"]
    assert len([e for e in updates if e["action"] == "update"]) == version - 1
