"""Builders and assertions shared by the estates API tests."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from httpx import Response

from tests.conftest import TODAY, if_match

PROBLEM_MEDIA_TYPE = "application/problem+json"

SITES = "/api/sites"
FINDINGS = "/api/accessibility-findings"
PROJECTS = "/api/refurbishment-projects"
ACTIONS = "/api/remediation-actions"

_codes = itertools.count(1)


def day(offset: int = 0) -> str:
    """TODAY shifted by ``offset`` days, as the API spells a date."""
    return (TODAY + timedelta(days=offset)).isoformat()


def as_date(value: str) -> date:
    return date.fromisoformat(value)


# --- problems ------------------------------------------------------------------------------------------


def assert_problem(response: Response, status: int, field: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with ``status``; when ``field`` is given, its errors name it."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    assert media_type == PROBLEM_MEDIA_TYPE, f"content-type {media_type!r}: {response.text}"
    body = response.json()
    assert body["status"] == status
    assert isinstance(body.get("title"), str)
    assert body["title"]
    errors = body.get("errors")
    assert isinstance(errors, list), body
    for error in errors:
        assert isinstance(error.get("field"), str), error
        assert isinstance(error.get("reason"), str), error
    if field is not None:
        fields = [error["field"] for error in errors]
        assert field in fields, f"expected an error naming {field!r}, got {fields}: {body}"
    return body


# --- reading ------------------------------------------------------------------------------------------


async def list_page(client: Any, path: str, **params: Any) -> dict[str, Any]:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def list_total(client: Any, path: str, **params: Any) -> int:
    return int((await list_page(client, path, **params))["total"])


async def list_codes(client: Any, **params: Any) -> list[str]:
    """Site codes of one page of the site list (page_size 500 unless given)."""
    params.setdefault("page_size", 500)
    return [item["code"] for item in (await list_page(client, SITES, **params))["items"]]


async def get_json(client: Any, path: str) -> dict[str, Any]:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


# --- writing ------------------------------------------------------------------------------------------


async def patch(client: Any, url: str, body: Any) -> Response:
    """PATCH as a careful client does: with If-Match from a fresh read of the record."""
    return await client.patch(url, json=body, headers=await if_match(client, url))


async def delete(client: Any, url: str) -> Response:
    """DELETE with If-Match from a fresh read of the record."""
    return await client.delete(url, headers=await if_match(client, url))


ANY_VERSION = {"If-Match": '"1"'}  # for records that do not exist, so the 404 is what answers


# --- sites --------------------------------------------------------------------------------------------


def site_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "code": f"SITE-{next(_codes):05d}",
        "name": "Test Probation Office",
        "address": "1 High Street, Testtown",
        "postcode": "M1 1AA",
        "region_code": "greater-manchester",
        "site_type": "probation_office",
        "tenure": "freehold",
        "condition_grade": "B",
        "suitability": "suitable",
        "operational_status": "operational",
        "staff_headcount": 10,
    }
    payload.update(overrides)
    return payload


async def create_site(client: Any, **overrides: Any) -> dict[str, Any]:
    response = await client.post(SITES, json=site_payload(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


# --- accessibility findings ---------------------------------------------------------------------------


def finding_payload(site_id: str, /, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "site_id": site_id,
        "category": "entrance",
        "description": "Step at main entrance with no ramp",
        "priority": 2,
        "raised_on": day(-30),
    }
    payload.update(overrides)
    return payload


async def create_finding(client: Any, site_id: str, /, **overrides: Any) -> dict[str, Any]:
    response = await client.post(FINDINGS, json=finding_payload(site_id, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


# --- refurbishment projects ---------------------------------------------------------------------------


def project_payload(site_id: str, /, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "site_id": site_id,
        "kind": "major_refurbishment",
        "description": "Refurbish the ground floor",
        "budget": 250000,
        "planned_start": day(30),
        "planned_end": day(120),
    }
    payload.update(overrides)
    return payload


async def create_project(client: Any, site_id: str, /, **overrides: Any) -> dict[str, Any]:
    response = await client.post(PROJECTS, json=project_payload(site_id, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


def completed_project(**overrides: Any) -> dict[str, Any]:
    """Overrides for a project that finished before TODAY."""
    values: dict[str, Any] = {
        "status": "complete",
        "planned_start": day(-200),
        "planned_end": day(-100),
        "actual_start": day(-190),
        "actual_end": day(-90),
        "spend": 240000,
    }
    values.update(overrides)
    return values


# --- remediation actions ------------------------------------------------------------------------------


def action_payload(site_id: str, /, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "site_id": site_id,
        "system": "water",
        "description": "Leak from cold water storage tank",
        "priority": "P3",
        "reported_on": day(-5),
    }
    payload.update(overrides)
    return payload


async def create_action(client: Any, site_id: str, /, **overrides: Any) -> dict[str, Any]:
    response = await client.post(ACTIONS, json=action_payload(site_id, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


# --- many cases in one test ---------------------------------------------------------------------------


class Cases:
    """Run many cases in one test (one database, one app) and report every failing case, not just the first."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.count = 0

    @contextmanager
    def case(self, label: object) -> Iterator[None]:
        self.count += 1
        try:
            yield
        except AssertionError as exc:
            self.failures.append(f"[{label}] {exc}")

    def check(self) -> None:
        assert self.count, "no cases ran"
        assert not self.failures, f"{len(self.failures)} of {self.count} cases failed:\n" + "\n".join(self.failures)
