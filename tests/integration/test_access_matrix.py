"""Every write operation in the OpenAPI schema x every role (x in/out of Area scope where a scoped role may
write): the status is what accounts/roles.py says. A new write endpoint with no rule fails here."""

from __future__ import annotations

import uuid

import pytest
from litestar import Litestar
from litestar.handlers.http_handlers import HTTPRouteHandler

from risk_register.accounts.guards import SAFE_METHODS
from risk_register.accounts.roles import ROLE_PERMISSIONS, SCOPED_ROLES, Permission, Role
from tests.access.scope_cases import SCOPE_CASES

WRITE_METHODS = {"post", "put", "patch", "delete"}
HOME, AWAY = "north-west", "wales"


def write_operations(app: Litestar) -> list[tuple[str, str, dict]]:
    """(method, OpenAPI path, handler opt) for every write operation the schema lists."""
    schema = app.openapi_schema.to_schema()
    handlers: dict[tuple[str, str], dict] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler):
                for method in set(handler.http_methods) - SAFE_METHODS:
                    path = route.path_format
                    handlers[(method.lower(), path)] = handler.opt
    operations = []
    for path, item in schema["paths"].items():
        for method in WRITE_METHODS & set(item):
            assert (method, path) in handlers, f"{method} {path} is in the schema but no handler was found"
            operations.append((method, path, handlers[(method, path)]))
    assert operations, "the schema lists no write operations"
    return sorted(operations, key=lambda op: (op[1], op[0]))


def concrete(path: str) -> str:
    """The path with every parameter filled by an id that exists nowhere."""
    parts = []
    for part in path.split("/"):
        parts.append(str(uuid.uuid4()) if part.startswith("{") else part)
    return "/".join(parts)


def test_every_write_operation_names_a_permission_or_is_public(app) -> None:
    for method, path, opt in write_operations(app):
        assert opt.get("public") or isinstance(opt.get("permission"), Permission), f"{method} {path} has no rule"


def test_every_write_an_area_scoped_role_may_make_has_a_scope_case(app) -> None:
    scoped_permissions = {p for role in SCOPED_ROLES for p in ROLE_PERMISSIONS[role]} - {Permission.OWN_TOKENS}
    cases = {(c.method, c.path) for c in SCOPE_CASES}
    missing = [
        f"{m} {p}"
        for m, p, opt in write_operations(app)
        if opt.get("permission") in scoped_permissions and (m, p) not in cases
    ]
    assert not missing, f"add a ScopeCase in tests/access/scope_cases.py for: {missing}"


async def test_signed_out_writes_are_refused_with_401(app, client) -> None:
    for method, path, opt in write_operations(app):
        if opt.get("public"):
            continue
        response = await client.request(method, concrete(path), json={}, headers={"Authorization": ""})
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_gets_exactly_the_writes_its_permissions_allow(app, client, auth_headers, role) -> None:
    area = HOME if role == Role.AREA_LEADER else None
    for method, path, opt in write_operations(app):
        if opt.get("public"):
            continue
        # A new token each time: one of these operations is sign-out, which revokes the token it is sent with.
        headers = await auth_headers(role, area)
        response = await client.request(method, concrete(path), json={}, headers=headers)
        permission = opt["permission"]
        if permission in ROLE_PERMISSIONS[role]:
            # Allowed past the guard: the answer is about the request itself (unknown id, bad body...).
            assert response.status_code not in (401, 403), (role, method, path, response.text)
        else:
            assert response.status_code == 403, (role, method, path, response.status_code, response.text)
            assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("case", SCOPE_CASES, ids=lambda c: f"{c.method} {c.path}")
@pytest.mark.parametrize("role", sorted(SCOPED_ROLES))
async def test_area_scoped_writes_reach_their_own_area_only(app, client, auth_headers, case, role) -> None:
    permission = {(m, p): opt["permission"] for m, p, opt in write_operations(app) if "permission" in opt}[
        (case.method, case.path)
    ]
    headers = await auth_headers(role, HOME)
    url, body, extra = await case.build(client, AWAY)
    before = await client.get(url) if case.method in ("patch", "put", "delete") else None
    away = await client.request(case.method, url, json=body, headers={**headers, **extra})
    assert away.status_code == 403, (role, case.method, url, away.text)
    if before is not None:
        after = await client.get(url)
        assert after.status_code == before.status_code
        assert after.headers.get("etag") == before.headers.get("etag")
    url, body, extra = await case.build(client, HOME)
    home = await client.request(case.method, url, json=body, headers={**headers, **extra})
    if permission in ROLE_PERMISSIONS[role]:
        assert 200 <= home.status_code < 300, (role, case.method, url, home.text)
    else:
        assert home.status_code == 403, (role, case.method, url, home.text)
