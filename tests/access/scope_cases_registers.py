"""Scope cases for the registers domain's Area-scoped write endpoints (see tests/access/scope_cases.py).

Each builds, as admin, a record in the given Area's register (or in one of its regions) and returns the request
an Area-scoped user would send to change it."""

from __future__ import annotations

import itertools
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.access.scope_types import ScopeCase, ScopedRequest

Client = AsyncTestClient[Litestar]
_refs = itertools.count(1)


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def area_register(client: Client, area_code: str) -> str:
    page = _ok(await client.get("/api/registers", params={"level": "area", "area": area_code}))
    assert page["total"] == 1, page
    return str(page["items"][0]["id"])


def risk_body(reference: str | None = None) -> dict[str, Any]:
    return {
        "reference": reference or f"SC-{next(_refs)}",
        "title": "Legionella control lapses at approved premises",
        "category": "health-and-safety",
        "owner": "Head of Estates",
        "residual_likelihood": 3,
        "residual_impact": 4,
        "identified_on": "2025-01-15",
    }


async def area_risk(client: Client, area_code: str) -> dict[str, Any]:
    register_id = await area_register(client, area_code)
    return _ok(await client.post(f"/api/registers/{register_id}/risks", json=risk_body()), 201)


async def etag(client: Client, url: str) -> dict[str, str]:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return {"If-Match": response.headers["etag"]}


def _a_region_of(area_code: str) -> str:
    from risk_register.organisation.reference import load_organisation
    from risk_register.settings import PROJECT_ROOT

    organisation = load_organisation(PROJECT_ROOT / "config")
    return next(r.code for r in organisation.regions if r.area_code == area_code)


async def _create_register(client: Client, area_code: str) -> ScopedRequest:
    return "/api/registers", {"region_code": _a_region_of(area_code), "owner": "Regional Probation Director"}, {}


async def _update_register(client: Client, area_code: str) -> ScopedRequest:
    url = f"/api/registers/{await area_register(client, area_code)}"
    return url, {"owner": "Deputy Area Executive Director"}, await etag(client, url)


async def _delete_register(client: Client, area_code: str) -> ScopedRequest:
    created = _ok(
        await client.post("/api/registers", json={"region_code": _a_region_of(area_code), "owner": "RPD"}), 201
    )
    url = f"/api/registers/{created['id']}"
    return url, None, await etag(client, url)


async def _create_risk(client: Client, area_code: str) -> ScopedRequest:
    return f"/api/registers/{await area_register(client, area_code)}/risks", risk_body(), {}


async def _import(client: Client, area_code: str) -> ScopedRequest:
    rows = [
        {
            "Ref": f"IMP-{next(_refs)}",
            "Risk": "Unpaid work depot welfare facilities",
            "Category": "Health & Safety",
            "Risk owner": "Head of Unpaid Work",
            "L": "High",
            "I": "3",
            "Date raised": "15/01/2025",
        }
    ]
    return f"/api/registers/{await area_register(client, area_code)}/import", rows, {}


async def _update_risk(client: Client, area_code: str) -> ScopedRequest:
    url = f"/api/risks/{(await area_risk(client, area_code))['id']}"
    return url, {"residual_likelihood": 2}, await etag(client, url)


async def _delete_risk(client: Client, area_code: str) -> ScopedRequest:
    url = f"/api/risks/{(await area_risk(client, area_code))['id']}"
    return url, None, await etag(client, url)


async def _create_link(client: Client, area_code: str) -> ScopedRequest:
    risk = await area_risk(client, area_code)
    return f"/api/risks/{risk['id']}/links", {"kind": "hazard_type", "target": "legionella"}, {}


async def _delete_link(client: Client, area_code: str) -> ScopedRequest:
    risk = await area_risk(client, area_code)
    link = _ok(
        await client.post(f"/api/risks/{risk['id']}/links", json={"kind": "hazard_type", "target": "legionella"}), 201
    )
    url = f"/api/risk-links/{link['id']}"
    return url, None, await etag(client, url)


def action_body() -> dict[str, Any]:
    return {"description": "Flush little-used outlets weekly", "owner": "Site manager", "due_on": "2025-07-31"}


async def _create_action(client: Client, area_code: str) -> ScopedRequest:
    risk = await area_risk(client, area_code)
    return f"/api/risks/{risk['id']}/actions", action_body(), {}


async def _area_action(client: Client, area_code: str) -> str:
    risk = await area_risk(client, area_code)
    action = _ok(await client.post(f"/api/risks/{risk['id']}/actions", json=action_body()), 201)
    return f"/api/risk-actions/{action['id']}"


async def _update_action(client: Client, area_code: str) -> ScopedRequest:
    url = await _area_action(client, area_code)
    return url, {"status": "in_progress"}, await etag(client, url)


async def _delete_action(client: Client, area_code: str) -> ScopedRequest:
    url = await _area_action(client, area_code)
    return url, None, await etag(client, url)


CASES: list[ScopeCase] = [
    ScopeCase("post", "/api/registers", _create_register),
    ScopeCase("patch", "/api/registers/{register_id}", _update_register),
    ScopeCase("delete", "/api/registers/{register_id}", _delete_register),
    ScopeCase("post", "/api/registers/{register_id}/risks", _create_risk),
    ScopeCase("post", "/api/registers/{register_id}/import", _import),
    ScopeCase("patch", "/api/risks/{risk_id}", _update_risk),
    ScopeCase("delete", "/api/risks/{risk_id}", _delete_risk),
    ScopeCase("post", "/api/risks/{risk_id}/links", _create_link),
    ScopeCase("delete", "/api/risk-links/{link_id}", _delete_link),
    ScopeCase("post", "/api/risks/{risk_id}/actions", _create_action),
    ScopeCase("patch", "/api/risk-actions/{risk_action_id}", _update_action),
    ScopeCase("delete", "/api/risk-actions/{risk_action_id}", _delete_action),
]
