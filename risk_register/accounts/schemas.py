from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from risk_register.accounts.roles import Role
from risk_register.core.schemas import Code, Flag, InputModel, OutputModel, PatchModel, ShortText, WholeNumber

Username = Annotated[str, Field(min_length=2, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
Password = Annotated[str, Field(min_length=12, max_length=256)]


class LoginRequest(InputModel):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class TokenResponse(OutputModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class Me(OutputModel):
    user_id: UUID
    username: str
    role: Role
    area_code: str | None


class UserCreate(InputModel):
    username: Username
    full_name: ShortText | None = None
    role: Role
    area_code: Code | None = None
    password: Password | None = Field(default=None, description="Omit for a machine account (tokens only)")


class UserUpdate(PatchModel):
    clearable = frozenset({"full_name", "area_code"})

    full_name: ShortText | None = None
    role: Role | None = None
    area_code: Code | None = None
    is_active: Flag | None = None
    password: Password | None = None


class UserRead(OutputModel):
    id: UUID
    version: int
    username: str
    full_name: str | None
    role: Role
    area_code: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class TokenCreate(InputModel):
    name: ShortText
    kind: Literal["personal", "machine"] = "personal"
    expires_in_days: Annotated[WholeNumber, Field(ge=1, le=3650)] = 90
    user_id: UUID | None = Field(default=None, description="Admins only: issue the token to another user")


class TokenRead(OutputModel):
    id: UUID
    user_id: UUID
    name: str
    kind: str
    expires_at: datetime
    revoked_at: datetime | None
    created_at: datetime


class IssuedToken(TokenRead):
    access_token: str = Field(description="Shown once: only its hash is stored")
