"""Sign-in, the signed-in user, access tokens and (for admins) user accounts."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from advanced_alchemy.extensions.litestar.providers import create_service_provider
from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromPath, JSONBody, QueryParameter

from risk_register.accounts.guards import PUBLIC, requires
from risk_register.accounts.models import AccessToken, TokenKind, User
from risk_register.accounts.roles import Permission, Principal, Role, has_permission
from risk_register.accounts.schemas import (
    IssuedToken,
    LoginRequest,
    Me,
    TokenCreate,
    TokenRead,
    TokenResponse,
    UserCreate,
    UserRead,
    UserUpdate,
)
from risk_register.accounts.security import hash_password
from risk_register.accounts.services import TokenService, UserService, account_problems, sign_in
from risk_register.core import problems
from risk_register.core.concurrency import ExpectedVersion, check_version, versioned
from risk_register.core.deps import Ctx, DbSession, PageDep
from risk_register.core.errors import Forbidden, raise_if_any
from risk_register.core.openapi import PublicOperation
from risk_register.core.schemas import Page

Users = NamedDependency[UserService]
Tokens = NamedDependency[TokenService]
SERVICES = {
    "users": Provide(create_service_provider(UserService)),
    "tokens": Provide(create_service_provider(TokenService)),
}


def login_rate_limit(per_minute: int) -> RateLimitConfig:
    return RateLimitConfig(rate_limit=("minute", per_minute), set_rate_limit_headers=True)


class AuthController(Controller):
    path = "/api/auth"
    tags = ["Accounts"]
    dependencies = SERVICES

    @post(
        "/login",
        opt=PUBLIC,
        status_code=200,
        operation_class=PublicOperation,
        responses=problems.problem_responses(400, 401, 413, 422, 429),
        summary="Sign in with username and password; answers a bearer token",
    )
    async def login(
        self, db_session: DbSession, tokens: Tokens, context: Ctx, data: JSONBody[LoginRequest]
    ) -> TokenResponse:
        lifetime = timedelta(hours=context.settings.session_token_hours)
        token, record = await sign_in(db_session, tokens, data.username, data.password, lifetime)
        return TokenResponse(access_token=token, expires_at=record.expires_at)

    @post(
        "/logout",
        opt=requires(Permission.OWN_TOKENS),
        status_code=204,
        responses=problems.problem_responses(401),
        summary="Revoke the token this request used",
    )
    async def logout(self, request: Request[Principal, Any, Any], tokens: Tokens) -> None:
        await tokens.revoke(request.user.token_id, request.user, any_owner=False)

    @get("/me", responses=problems.problem_responses(401), summary="The signed-in user")
    async def me(self, request: Request[Principal, Any, Any]) -> Me:
        user = request.user
        return Me(user_id=user.user_id, username=user.username, role=user.role, area_code=user.area_code)

    @get("/tokens", responses=problems.problem_responses(400, 401), summary="Your access tokens (admins: anyone's)")
    async def list_tokens(
        self,
        request: Request[Principal, Any, Any],
        tokens: Tokens,
        page: PageDep,
        user_id: Annotated[UUID | None, QueryParameter(name="user_id")] = None,
    ) -> Page[TokenRead]:
        owner = user_id if user_id and has_permission(request.user, Permission.USERS_ADMIN) else request.user.user_id
        items, total = await tokens.get_many_and_count(AccessToken.user_id == owner, page.as_filter())
        return Page(
            items=[TokenRead.model_validate(t) for t in items], total=total, limit=page.limit, offset=page.offset
        )

    @post(
        "/tokens",
        opt=requires(Permission.OWN_TOKENS),
        responses=problems.problem_responses(400, 401, 403, 404, 413, 422),
        summary="Issue a personal or machine token (shown once)",
    )
    async def create_token(
        self,
        request: Request[Principal, Any, Any],
        tokens: Tokens,
        users: Users,
        context: Ctx,
        data: JSONBody[TokenCreate],
    ) -> IssuedToken:
        target = data.user_id or request.user.user_id
        if target != request.user.user_id and not has_permission(request.user, Permission.USERS_ADMIN):
            raise Forbidden("Only an admin may issue tokens to another user")
        user = await users.get_user(target)
        days = min(data.expires_in_days, context.settings.max_token_days)
        kind = TokenKind.MACHINE if data.kind == "machine" else TokenKind.PERSONAL
        token, record = await tokens.issue(user, name=data.name, kind=kind, lifetime=timedelta(days=days))
        return IssuedToken.model_validate({**TokenRead.model_validate(record).model_dump(), "access_token": token})

    @post(
        "/tokens/{token_id:uuid}/revoke",
        opt=requires(Permission.OWN_TOKENS),
        status_code=200,
        responses=problems.problem_responses(401, 404),
        summary="Revoke one of your tokens (admins: anyone's)",
    )
    async def revoke_token(
        self, request: Request[Principal, Any, Any], tokens: Tokens, token_id: FromPath[UUID]
    ) -> TokenRead:
        record = await tokens.revoke(
            token_id, request.user, any_owner=has_permission(request.user, Permission.USERS_ADMIN)
        )
        return TokenRead.model_validate(record)


class UserController(Controller):
    path = "/api/users"
    tags = ["Accounts"]
    dependencies = SERVICES

    @get(
        "/",
        opt=requires(Permission.USERS_ADMIN),
        responses=problems.problem_responses(400, 401, 403),
        summary="User accounts",
    )
    async def list_users(
        self, users: Users, page: PageDep, role: Annotated[Role | None, QueryParameter(name="role")] = None
    ) -> Page[UserRead]:
        filters = [User.role == role] if role else []
        items, total = await users.get_many_and_count(*filters, page.as_filter())
        return Page(
            items=[UserRead.model_validate(u) for u in items], total=total, limit=page.limit, offset=page.offset
        )

    @post(
        "/",
        opt=requires(Permission.USERS_ADMIN),
        responses=problems.problem_responses(400, 401, 403, 409, 413, 422),
        summary="Create a user account",
    )
    async def create_user(self, users: Users, context: Ctx, data: JSONBody[UserCreate]) -> Response[UserRead]:
        user = await users.create_user(
            username=data.username,
            role=data.role,
            area_code=data.area_code,
            password=data.password,
            full_name=data.full_name,
            organisation=context.organisation,
        )
        return versioned(UserRead.model_validate(user), user.version, status_code=201)

    @get(
        "/{user_id:uuid}",
        opt=requires(Permission.USERS_ADMIN),
        responses=problems.problem_responses(401, 403, 404),
        summary="One user account",
    )
    async def get_user(self, users: Users, user_id: FromPath[UUID]) -> Response[UserRead]:
        user = await users.get_user(user_id)
        return versioned(UserRead.model_validate(user), user.version)

    @patch(
        "/{user_id:uuid}",
        opt=requires(Permission.USERS_ADMIN),
        responses=problems.UPDATE,
        summary="Change a user's role, Area, password or active flag",
    )
    async def update_user(
        self, users: Users, context: Ctx, user_id: FromPath[UUID], version: ExpectedVersion, data: JSONBody[UserUpdate]
    ) -> Response[UserRead]:
        user = await users.get_user(user_id)
        check_version(user, version)
        changes = data.changes()
        if "password" in changes:
            user.password_hash = hash_password(changes.pop("password"))
        for name, value in changes.items():
            setattr(user, name, value)
        raise_if_any(account_problems(user.role, user.area_code, context.organisation))
        await users.update(user)
        user = await users.get_user(user_id)
        return versioned(UserRead.model_validate(user), user.version)
