"""Request logs: JSON lines carrying the request id, never the caller's token; none when INFO is off."""

from __future__ import annotations

import json

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from risk_register.app import create_app
from tests.conftest import AuthHeaders, Database, engine_url


def _json_lines(text: str) -> list[dict[str, object]]:
    lines = []
    for line in text.splitlines():
        try:
            parsed = json.loads(line)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            lines.append(parsed)
    return lines


async def _get_organisation(database: Database, db_engine: AsyncEngine, headers: dict[str, str], level: str) -> str:
    app = create_app(database.settings(database_url=engine_url(db_engine), log_level=level))
    async with AsyncTestClient(app=app) as client:
        response = await client.get("/api/organisation", headers={**headers, "X-Request-ID": "trace-0123456789"})
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == "trace-0123456789"
    return response.headers["x-request-id"]


async def test_at_info_each_request_is_logged_as_json_with_its_request_id_and_without_the_token(
    database: Database, db_engine: AsyncEngine, auth_headers: AuthHeaders, capfd: pytest.CaptureFixture[str]
) -> None:
    headers = await auth_headers("viewer")
    request_id = await _get_organisation(database, db_engine, headers, "INFO")

    out = capfd.readouterr()
    logged = _json_lines(out.out + out.err)
    request_lines = [line for line in logged if line.get("request_id") == request_id]
    assert request_lines, f"no log line carries the request id; got {logged!r}"
    assert any("/api/organisation" in json.dumps(line) for line in request_lines)
    token = headers["Authorization"].removeprefix("Bearer ")
    assert token not in out.out + out.err


async def test_above_info_requests_are_not_logged(
    database: Database, db_engine: AsyncEngine, auth_headers: AuthHeaders, capfd: pytest.CaptureFixture[str]
) -> None:
    headers = await auth_headers("viewer")
    request_id = await _get_organisation(database, db_engine, headers, "WARNING")

    out = capfd.readouterr()
    assert not [line for line in _json_lines(out.out + out.err) if line.get("request_id") == request_id]
