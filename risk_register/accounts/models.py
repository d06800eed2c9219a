"""Users and their access tokens."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from risk_register.accounts.roles import Role
from risk_register.db.types import Versioned, enum_column


class TokenKind:
    SESSION = "session"  # from POST /api/auth/login
    PERSONAL = "personal"  # a person's long-lived token for scripts
    MACHINE = "machine"  # a service account's token


class User(Versioned, UUIDv7AuditBase):
    __tablename__ = "user_account"
    __audit_redact__ = frozenset({"password_hash"})

    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None: a machine account, tokens only
    role: Mapped[Role] = mapped_column(enum_column(Role))
    area_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class AccessToken(UUIDv7AuditBase):
    __tablename__ = "access_token"
    __audit_redact__ = frozenset({"token_hash"})

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
