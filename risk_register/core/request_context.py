"""Who is acting and in which request, for code far from the handler (the audit listener, log lines).

Context variables follow the request's task, and SQLAlchemy's async bridge carries them into its greenlets,
so a flush inside a service sees the request that caused it."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from risk_register.accounts.roles import Principal

current_principal: ContextVar[Principal | None] = ContextVar("current_principal", default=None)
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
current_request_writes: ContextVar[bool] = ContextVar("current_request_writes", default=False)
"""True while serving a request that may write (POST, PUT, PATCH, DELETE); SQLite then takes its write lock
at BEGIN (db/config.py). False for reads and outside requests."""
