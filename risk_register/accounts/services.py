"""Users, sign-in and access tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from litestar.exceptions import NotAuthorizedException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.accounts.models import AccessToken, TokenKind, User
from risk_register.accounts.roles import Principal, Role, role_problems
from risk_register.accounts.security import hash_password, new_token, token_digest, verify_password
from risk_register.accounts.token_cache import VerifiedTokens
from risk_register.core.errors import Conflict, FieldProblem, NotFound, raise_if_any
from risk_register.organisation.reference import Organisation


def _now() -> datetime:
    return datetime.now(UTC)


def account_problems(role: Role, area_code: str | None, organisation: Organisation) -> list[FieldProblem]:
    problems = [FieldProblem("area_code", reason) for reason in role_problems(role, area_code)]
    if area_code is not None and not organisation.has_area(area_code):
        problems.append(FieldProblem("area_code", f"unknown Area code {area_code!r}"))
    return problems


class UserRepository(SQLAlchemyAsyncRepository[User]):
    model_type = User


class UserService(SQLAlchemyAsyncRepositoryService[User, UserRepository]):
    repository_type = UserRepository
    count_with_window_function = False

    async def get_user(self, user_id: UUID) -> User:
        user = await self.get_one_or_none(User.id == user_id)
        if user is None:
            raise NotFound(f"No user with id {user_id}")
        return user

    async def create_user(
        self,
        *,
        username: str,
        role: Role,
        area_code: str | None,
        password: str | None,
        full_name: str | None,
        organisation: Organisation,
    ) -> User:
        raise_if_any(account_problems(role, area_code, organisation))
        if await self.get_one_or_none(User.username == username) is not None:
            raise Conflict(f"Username {username!r} is taken", [FieldProblem("username", "is already used")])
        user = User(
            username=username,
            role=role,
            area_code=area_code,
            full_name=full_name,
            is_active=True,
            password_hash=hash_password(password) if password else None,
        )
        return await self.create(user)


class TokenRepository(SQLAlchemyAsyncRepository[AccessToken]):
    model_type = AccessToken


class TokenService(SQLAlchemyAsyncRepositoryService[AccessToken, TokenRepository]):
    repository_type = TokenRepository
    count_with_window_function = False

    async def issue(self, user: User, *, name: str, kind: str, lifetime: timedelta) -> tuple[str, AccessToken]:
        """A new token for ``user``. The token itself is returned once and never stored."""
        token = new_token()
        record = AccessToken(
            user_id=user.id, token_hash=token_digest(token), name=name, kind=kind, expires_at=_now() + lifetime
        )
        return token, await self.create(record)

    async def revoke(self, token_id: UUID, owner: Principal, *, any_owner: bool) -> AccessToken:
        record = await self.get_one_or_none(AccessToken.id == token_id)
        if record is None or (record.user_id != owner.user_id and not any_owner):
            # Someone else's token: answer as if it did not exist, so token ids cannot be probed.
            raise NotFound(f"No access token with id {token_id}")
        if record.revoked_at is None:
            record.revoked_at = _now()
            await self.update(record)
        return record


async def sign_in(
    session: AsyncSession, tokens: TokenService, username: str, password: str, lifetime: timedelta
) -> tuple[str, AccessToken]:
    user = await session.scalar(select(User).where(User.username == username))
    # verify_password runs even for an unknown user, so timing does not reveal which usernames exist.
    if not verify_password(password, user.password_hash if user else None) or user is None or not user.is_active:
        raise NotAuthorizedException("Wrong username or password")
    return await tokens.issue(user, name="sign-in", kind=TokenKind.SESSION, lifetime=lifetime)


async def principal_for_token(
    session: AsyncSession, token: str, verified: VerifiedTokens | None = None
) -> Principal | None:
    """Who a bearer token signs in, or None when it is unknown, expired, revoked or its user inactive. With
    ``verified``, a token verified within its time is answered without a query (accounts/token_cache.py)."""
    digest = token_digest(token)
    now = _now()
    if verified is not None and (principal := verified.get(digest, now)) is not None:
        return principal
    generation = verified.generation if verified is not None else 0
    # Core on the session's connection: it runs on every request, and plain columns need none of the ORM's
    # per-execution set-up.
    connection = await session.connection()
    row = (
        await connection.execute(
            select(AccessToken.id, AccessToken.expires_at, User.id, User.username, User.role, User.area_code)
            .join(User, User.id == AccessToken.user_id)
            .where(
                AccessToken.token_hash == digest,
                AccessToken.revoked_at.is_(None),
                AccessToken.expires_at > now,
                User.is_active.is_(True),
            )
        )
    ).first()
    if row is None:
        return None
    token_id, expires_at, user_id, username, role, area_code = row
    principal = Principal(user_id=user_id, username=username, role=Role(role), area_code=area_code, token_id=token_id)
    if verified is not None:
        verified.remember(digest, principal, expires_at, generation)
    return principal
