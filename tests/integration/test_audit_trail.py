"""The audit trail: who changed what, when, in which request; and nobody can change the trail."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from risk_register.accounts.roles import Role
from tests.conftest import if_match

SITE = {
    "code": "AUD-1",
    "name": "Audit House",
    "address": "1 High Street",
    "postcode": "M1 1AA",
    "region_code": "greater-manchester",
    "site_type": "probation_office",
    "tenure": "freehold",
    "condition_grade": "B",
    "suitability": "suitable",
    "staff_headcount": 10,
}


async def test_create_update_delete_are_recorded_with_actor_fields_and_request(client, auth_headers) -> None:
    estates = await auth_headers(Role.NATIONAL_ESTATES)
    created = await client.post("/api/sites", json=SITE, headers=estates)
    site_url = f"/api/sites/{created.json()['id']}"
    patched = await client.patch(
        site_url,
        json={"staff_headcount": 12, "condition_grade": "C"},
        headers={**estates, **await if_match(client, site_url)},
    )
    deleted = await client.delete(site_url, headers={**estates, **await if_match(client, site_url)})
    assert deleted.status_code == 204

    trail = (
        await client.get("/api/audit-events", params={"entity_type": "site", "entity_id": created.json()["id"]})
    ).json()
    assert trail["total"] == 3
    delete_event, update_event, create_event = trail["items"]  # newest first
    assert [e["action"] for e in (create_event, update_event, delete_event)] == ["create", "update", "delete"]
    assert {e["actor_username"] for e in trail["items"]} == {"test-national-estates"}
    assert create_event["request_id"] == created.headers["x-request-id"]
    assert update_event["request_id"] == patched.headers["x-request-id"]
    assert create_event["changes"]["code"] == {"after": "AUD-1"}
    assert update_event["changes"] == {
        "staff_headcount": {"before": 10, "after": 12},
        "condition_grade": {"before": "B", "after": "C"},
    }
    assert delete_event["changes"]["name"] == {"before": "Audit House"}


async def test_secrets_are_never_written_to_the_trail(client) -> None:
    await client.post("/api/users", json={"username": "frank", "role": "viewer", "password": "a long enough one"})
    await client.post("/api/auth/tokens", json={"name": "script"})
    events = (await client.get("/api/audit-events", params={"page_size": 100})).json()["items"]
    user_event = next(
        e
        for e in events
        if e["entity_type"] == "user_account"
        and e["action"] == "create"
        and e["changes"]["username"]["after"] == "frank"
    )
    assert user_event["changes"]["password_hash"] == {"after": "<redacted>"}
    token_events = [e for e in events if e["entity_type"] == "access_token"]
    assert token_events
    assert all(e["changes"]["token_hash"] == {"after": "<redacted>"} for e in token_events)


async def test_filters_by_actor_and_time_and_exports_csv(client, auth_headers) -> None:
    estates = await auth_headers(Role.NATIONAL_ESTATES)
    await client.post("/api/sites", json=SITE, headers=estates)
    await client.post("/api/sites", json={**SITE, "code": "AUD-2"})  # as the admin
    by_estates = (await client.get("/api/audit-events", params={"actor": "test-national-estates"})).json()
    assert by_estates["total"] == 1
    everything = (await client.get("/api/audit-events", params={"entity_type": "site"})).json()["items"]
    oldest = min(e["occurred_at"] for e in everything)
    later = (await client.get("/api/audit-events", params={"entity_type": "site", "since": oldest})).json()
    assert later["total"] == 2
    none = (await client.get("/api/audit-events", params={"entity_type": "site", "until": oldest})).json()
    assert none["total"] == 0
    exported = await client.get("/api/audit-events/export.csv", params={"entity_type": "site"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["actor_username"] for r in rows] == ["test-national-estates", "test-admin"]  # oldest first
    assert all(r["action"] == "create" for r in rows)


async def test_time_range_must_be_in_order(client) -> None:
    response = await client.get(
        "/api/audit-events", params={"since": "2025-06-30T00:00:00Z", "until": "2025-06-01T00:00:00Z"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "until"


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
async def test_auditors_and_admins_read_the_trail(client, auth_headers, role) -> None:
    assert (await client.get("/api/audit-events", headers=await auth_headers(role))).status_code == 200


@pytest.mark.parametrize("role", [Role.VIEWER, Role.NATIONAL_ESTATES, Role.HS_LEAD])
async def test_others_cannot_read_the_trail(client, auth_headers, role) -> None:
    response = await client.get("/api/audit-events", headers=await auth_headers(role))
    assert response.status_code == 403


def test_no_endpoint_can_change_the_trail(app) -> None:
    paths = app.openapi_schema.to_schema()["paths"]
    for path, item in paths.items():
        if path.startswith("/api/audit-events"):
            assert set(item) <= {"get", "parameters"}, (path, set(item))


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET actor_username = 'mallory'", "DELETE FROM audit_event"])
async def test_the_database_refuses_to_alter_the_trail(client, db, statement) -> None:
    await client.post("/api/sites", json=SITE)
    with pytest.raises(DBAPIError, match="append-only"):
        await db.execute(text(statement))
    await db.rollback()
    assert (await db.scalar(text("SELECT count(*) FROM audit_event WHERE actor_username = 'test-admin'"))) >= 1


async def test_a_refused_write_leaves_no_audit_event(client) -> None:
    before = (await client.get("/api/audit-events")).json()["total"]
    bad = await client.post("/api/sites", json={**SITE, "region_code": "atlantis"})
    assert bad.status_code == 422
    assert (await client.get("/api/audit-events")).json()["total"] == before
