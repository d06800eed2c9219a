"""Sign-in, tokens and user accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from risk_register.accounts.models import AccessToken, User
from risk_register.accounts.roles import Role
from risk_register.accounts.security import hash_password
from risk_register.accounts.token_cache import VerifiedTokens
from tests.conftest import if_match

PASSWORD = "a long enough password"
SIGNED_OUT = {"Authorization": ""}


async def make_user(
    db, username: str = "alice", role: Role = Role.VIEWER, area: str | None = None, active: bool = True
) -> User:
    user = User(
        username=username,
        role=role,
        area_code=area,
        password_hash=hash_password(PASSWORD),
        is_active=active,
        full_name=None,
    )
    db.add(user)
    await db.commit()
    return user


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


async def test_sign_in_answers_a_bearer_token_that_works(client, db) -> None:
    await make_user(db)
    response = await client.post(
        "/api/auth/login", json={"username": "alice", "password": PASSWORD}, headers=SIGNED_OUT
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["access_token"].startswith("rr_")
    assert datetime.fromisoformat(body["expires_at"]) > datetime.now(UTC) + timedelta(hours=11)
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["username"] == "alice"
    assert me.json()["role"] == "viewer"


@pytest.mark.parametrize(("username", "password"), [("alice", "wrong password!"), ("nobody", PASSWORD)])
async def test_wrong_username_or_password_is_401_and_says_no_more(client, db, username, password) -> None:
    await make_user(db)
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": password}, headers=SIGNED_OUT
    )
    assert assert_problem(response, 401)["title"] == "Wrong username or password"


async def test_a_deactivated_user_can_neither_sign_in_nor_use_old_tokens(client, db) -> None:
    await make_user(db)
    token = (
        await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}, headers=SIGNED_OUT)
    ).json()["access_token"]
    await db.execute(update(User).where(User.username == "alice").values(is_active=False))
    await db.commit()
    assert_problem(await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}), 401)
    assert_problem(
        await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}, headers=SIGNED_OUT), 401
    )


async def test_login_body_is_validated(client) -> None:
    body = assert_problem(await client.post("/api/auth/login", json={"username": "x"}, headers=SIGNED_OUT), 422)
    assert {e["field"] for e in body["errors"]} == {"password"}


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic abc", "Bearer rr_not-a-real-token"])
async def test_requests_without_a_valid_token_are_401_with_a_challenge(client, header) -> None:
    response = await client.get("/api/sites", headers={"Authorization": header})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_expired_and_revoked_tokens_are_refused(client, db, auth_headers) -> None:
    headers = await auth_headers(Role.VIEWER)
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200
    await db.execute(update(AccessToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    await db.commit()
    assert_problem(await client.get("/api/auth/me", headers=headers), 401)

    fresh = await auth_headers(Role.VIEWER)
    assert (await client.post("/api/auth/logout", headers=fresh)).status_code == 204
    assert_problem(await client.get("/api/auth/me", headers=fresh), 401)


async def test_public_routes_need_no_token(client) -> None:
    assert (await client.get("/health", headers=SIGNED_OUT)).status_code == 200
    assert (await client.get("/schema/openapi.json", headers=SIGNED_OUT)).status_code == 200


async def test_personal_tokens_are_shown_once_and_stored_only_as_hashes(client, db, auth_headers) -> None:
    headers = await auth_headers(Role.HS_LEAD)
    issued = await client.post(
        "/api/auth/tokens", json={"name": "nightly report", "expires_in_days": 30}, headers=headers
    )
    assert issued.status_code == 201, issued.text
    token = issued.json()["access_token"]
    stored = (await db.scalars(select(AccessToken.token_hash))).all()
    assert token not in stored
    assert all(len(h) == 64 for h in stored)
    listed = await client.get("/api/auth/tokens", headers=headers)
    assert "access_token" not in listed.text
    assert {t["name"] for t in listed.json()["items"]} >= {"nightly report"}
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "hs_lead"
    revoked = await client.post(f"/api/auth/tokens/{issued.json()['id']}/revoke", headers=headers)
    assert revoked.json()["revoked_at"] is not None
    assert_problem(await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}), 401)


async def test_only_admins_issue_tokens_to_others_and_nobody_revokes_others_tokens(client, db, auth_headers) -> None:
    viewer = await auth_headers(Role.VIEWER)
    other = await make_user(db, "bob")
    refused = await client.post("/api/auth/tokens", json={"name": "x", "user_id": str(other.id)}, headers=viewer)
    assert_problem(refused, 403)
    issued = await client.post("/api/auth/tokens", json={"name": "bob's", "user_id": str(other.id)})
    assert issued.status_code == 201
    # A viewer cannot even learn that bob's token exists.
    assert_problem(await client.post(f"/api/auth/tokens/{issued.json()['id']}/revoke", headers=viewer), 404)


async def test_token_lifetime_is_capped_and_validated(client) -> None:
    body = assert_problem(await client.post("/api/auth/tokens", json={"name": "x", "expires_in_days": 0}), 422)
    assert body["errors"][0]["field"] == "expires_in_days"
    body = assert_problem(await client.post("/api/auth/tokens", json={"name": "x", "expires_in_days": "30"}), 422)
    assert body["errors"][0]["field"] == "expires_in_days"


async def test_admin_manages_users_and_passwords_never_leave_the_service(client) -> None:
    created = await client.post(
        "/api/users", json={"username": "carol", "role": "area_leader", "area_code": "wales", "password": PASSWORD}
    )
    assert created.status_code == 201, created.text
    assert "password" not in created.text
    assert created.headers["etag"] == '"1"'
    user_url = f"/api/users/{created.json()['id']}"
    changed = await client.patch(user_url, json={"is_active": False}, headers=await if_match(client, user_url))
    assert changed.json()["is_active"] is False
    assert "password" not in (await client.get("/api/users")).text


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "dave", "role": "area_leader"}, "area_code"),  # an Area leader needs an Area
        ({"username": "dave", "role": "viewer", "area_code": "wales"}, "area_code"),  # national roles take none
        ({"username": "dave", "role": "hs_lead", "area_code": "atlantis"}, "area_code"),
        ({"username": "dave", "role": "superuser"}, "role"),
        ({"username": "Dave!", "role": "viewer"}, "username"),
        ({"username": "dave", "role": "viewer", "password": "short"}, "password"),
    ],
)
async def test_bad_user_accounts_are_refused_naming_the_field(client, payload, field) -> None:
    body = assert_problem(await client.post("/api/users", json=payload), 422)
    assert field in {e["field"] for e in body["errors"]}
    assert (await client.get("/api/users")).json()["total"] == 1  # only the test's own admin


async def test_duplicate_username_is_409(client) -> None:
    assert (await client.post("/api/users", json={"username": "erin", "role": "viewer"})).status_code == 201
    body = assert_problem(await client.post("/api/users", json={"username": "erin", "role": "auditor"}), 409)
    assert body["errors"][0]["field"] == "username"


async def test_sign_in_is_rate_limited(database, db_engine) -> None:
    from litestar.testing import AsyncTestClient

    from risk_register.app import create_app
    from tests.conftest import engine_url

    app = create_app(database.settings(database_url=engine_url(db_engine), login_attempts_per_minute=3))
    async with AsyncTestClient(app=app) as limited:
        statuses = [
            (await limited.post("/api/auth/login", json={"username": "x", "password": "y"})).status_code
            for _ in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
        too_many = await limited.post("/api/auth/login", json={"username": "x", "password": "y"})
        assert_problem(too_many, 429)
        # Only sign-in is limited.
        assert (await limited.get("/health")).status_code == 200


# --- the verified-token cache (accounts/token_cache.py) ---------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cache_on(app, seconds: float = 2.0) -> Clock:
    """The app's token cache, on a clock the test moves."""
    clock = Clock()
    app.state.verified_tokens = VerifiedTokens(seconds, clock=clock)
    return clock


async def revoke_outside_the_service(db_engine) -> None:
    """What another worker process, or SQL run by hand, does: nothing in this process sees the change."""
    async with db_engine.begin() as conn:
        await conn.execute(text("UPDATE access_token SET revoked_at = CURRENT_TIMESTAMP"))


async def test_a_revocation_made_elsewhere_takes_effect_within_the_cache_time(
    app, client, db_engine, auth_headers
) -> None:
    clock = cache_on(app, 2.0)
    headers = await auth_headers(Role.VIEWER)
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200
    await revoke_outside_the_service(db_engine)
    clock.now += 1.9
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200
    clock.now += 0.1
    assert_problem(await client.get("/api/auth/me", headers=headers), 401)


async def test_with_the_cache_off_a_revocation_made_elsewhere_takes_effect_at_once(
    app, client, db_engine, auth_headers
) -> None:
    cache_on(app, 0)
    headers = await auth_headers(Role.VIEWER)
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200
    await revoke_outside_the_service(db_engine)
    assert_problem(await client.get("/api/auth/me", headers=headers), 401)


async def test_changes_made_through_the_service_take_effect_at_once_with_the_cache_on(app, client, db) -> None:
    cache_on(app, 60.0)
    await make_user(db, "dora", Role.AREA_LEADER, "wales")
    login = await client.post("/api/auth/login", json={"username": "dora", "password": PASSWORD}, headers=SIGNED_OUT)
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await client.get("/api/auth/me", headers=headers)).json()["area_code"] == "wales"
    user_url = f"/api/users/{(await client.get('/api/auth/me', headers=headers)).json()['user_id']}"
    moved = await client.patch(user_url, json={"area_code": "london"}, headers=await if_match(client, user_url))
    assert moved.status_code == 200, moved.text
    assert (await client.get("/api/auth/me", headers=headers)).json()["area_code"] == "london"
    stopped = await client.patch(user_url, json={"is_active": False}, headers=await if_match(client, user_url))
    assert stopped.status_code == 200, stopped.text
    assert_problem(await client.get("/api/auth/me", headers=headers), 401)


async def test_a_change_rolled_back_leaves_the_token_working(app, client, db, auth_headers) -> None:
    cache_on(app, 60.0)
    headers = await auth_headers(Role.VIEWER)
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200
    await db.execute(update(AccessToken).values(revoked_at=datetime.now(UTC)))
    await db.rollback()
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200
