"""Limits, security headers, CORS and request ids on every response."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from risk_register.app import create_app
from tests.conftest import engine_url


async def test_oversized_bodies_are_413_problems(client) -> None:
    response = await client.post(
        "/api/sites", content=b"{" + b" " * 2_000_000 + b"}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_every_response_carries_security_headers_and_a_request_id(client) -> None:
    for response in (
        await client.get("/health"),
        await client.get("/api/sites"),
        await client.get("/api/sites/not-a-uuid"),
        await client.get("/api/nowhere"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert len(response.headers["x-request-id"]) >= 8


async def test_a_sane_caller_request_id_is_kept_and_a_hostile_one_replaced(client) -> None:
    kept = await client.get("/health", headers={"x-request-id": "trace-0123456789"})
    assert kept.headers["x-request-id"] == "trace-0123456789"
    replaced = await client.get("/health", headers={"x-request-id": "<script>alert(1)</script>"})
    assert replaced.headers["x-request-id"] != "<script>alert(1)</script>"


async def test_unknown_routes_are_404_problems(client) -> None:
    response = await client.get("/api/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_cors_is_closed_by_default(client) -> None:
    response = await client.options(
        "/api/sites", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in response.headers


async def test_cors_opens_only_to_configured_origins(database, db_engine) -> None:
    app = create_app(
        database.settings(database_url=engine_url(db_engine), cors_allow_origins=["https://estates.example"])
    )
    async with AsyncTestClient(app=app) as open_client:
        allowed = await open_client.get("/health", headers={"Origin": "https://estates.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://estates.example"
        other = await open_client.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
