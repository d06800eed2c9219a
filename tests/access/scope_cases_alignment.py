"""Scope cases for the alignment endpoints an Area leader may use (see tests/access/scope_cases.py)."""

from __future__ import annotations

import uuid

from tests.access.scope_types import ScopeCase, ScopedRequest


async def _register(client, level: str, area_code: str | None = None) -> str:
    listed = (await client.get("/api/registers", params={"page_size": 100})).json()["items"]
    return next(r["id"] for r in listed if r["level"] == level and r["area_code"] == area_code)


async def _risk(client, register_id: str, **extra) -> str:
    reference = f"S{uuid.uuid4().hex[:8].upper()}"
    response = await client.post(
        f"/api/registers/{register_id}/risks",
        json={
            "reference": reference,
            "title": f"Scope case risk {reference}",
            "category": "estates",
            "owner": "Owner",
            "residual_likelihood": 2,
            "residual_impact": 2,
            "identified_on": "2025-01-10",
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def _pair(client, area_code: str) -> tuple[str, str]:
    national = await _risk(client, await _register(client, "national"))
    return await _risk(client, await _register(client, "area", area_code)), national


async def link(client, area_code: str) -> ScopedRequest:
    area_risk, national = await _pair(client, area_code)
    return "/api/alignment/links", {"area_risk_id": area_risk, "national_risk_id": national}, {}


async def _suggested(client, area_code: str) -> tuple[str, dict[str, str]]:
    area_risk, national = await _pair(client, area_code)
    created = await client.post(
        "/api/alignment/links", json={"area_risk_id": area_risk, "national_risk_id": national, "status": "suggested"}
    )
    assert created.status_code == 201, created.text
    return f"/api/alignment/links/{created.json()['id']}", {"If-Match": created.headers["etag"]}


async def confirm(client, area_code: str) -> ScopedRequest:
    url, headers = await _suggested(client, area_code)
    return f"{url}/confirm", {}, headers


async def reject(client, area_code: str) -> ScopedRequest:
    url, headers = await _suggested(client, area_code)
    return f"{url}/reject", {"rationale": "not the same risk"}, headers


async def reconcile(client, area_code: str) -> ScopedRequest:
    national_register = await _register(client, "national")
    reference = f"N{uuid.uuid4().hex[:8].upper()}"
    response = await client.post(
        f"/api/registers/{national_register}/risks",
        json={
            "reference": reference,
            "title": "National scope risk",
            "category": "estates",
            "owner": "Owner",
            "residual_likelihood": 2,
            "residual_impact": 2,
            "identified_on": "2025-01-10",
        },
    )
    assert response.status_code == 201, response.text
    area_register = await _register(client, "area", area_code)
    await _risk(client, area_register, national_reference=reference)
    return f"/api/alignment/registers/{area_register}/reconcile-references", None, {}


async def accept(client, area_code: str) -> ScopedRequest:
    area_risk, national = await _pair(client, area_code)
    return "/api/alignment/suggestions/accept", {"area_risk_id": area_risk, "national_risk_id": national}, {}


CASES: list[ScopeCase] = [
    ScopeCase("post", "/api/alignment/links", link),
    ScopeCase("post", "/api/alignment/links/{link_id}/confirm", confirm),
    ScopeCase("post", "/api/alignment/links/{link_id}/reject", reject),
    ScopeCase("post", "/api/alignment/registers/{register_id}/reconcile-references", reconcile),
    ScopeCase("post", "/api/alignment/suggestions/accept", accept),
]
