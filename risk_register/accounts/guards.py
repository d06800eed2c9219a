"""The one guard every route passes: the handler's declared Permission against the user's role."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.exceptions import ImproperlyConfiguredException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.handlers.http_handlers import HTTPRouteHandler

from risk_register.accounts.roles import Permission, Principal, has_permission

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def requires(permission: Permission) -> dict[str, Any]:
    """``opt`` for a route handler: the Permission it needs."""
    return {"permission": permission}


PUBLIC: dict[str, Any] = {"public": True}


async def authorize(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    # async although it awaits nothing: Litestar runs a sync guard in a worker thread, a thread hand-off per request.
    if handler.opt.get("public") or "user" not in connection.scope:
        return  # public routes: the authentication middleware let them through without a user
    permission: Permission | None = handler.opt.get("permission")
    if permission is None:
        return  # reading: every signed-in role may read (writes without a Permission fail at start-up)
    principal: Principal = connection.user
    if not has_permission(principal, permission):
        raise PermissionDeniedException(f"Role {principal.role.value} may not do this ({permission.value})")


def refuse_unguarded_writes(app: Litestar) -> None:
    """Fail closed: a write endpoint that names no Permission stops the service from starting."""
    missing = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or handler.opt.get("public"):
                continue
            if set(handler.http_methods) - SAFE_METHODS and "permission" not in handler.opt:
                missing.append(f"{sorted(handler.http_methods)} {route.path}")
    if missing:
        raise ImproperlyConfiguredException(f"Write endpoints with no Permission: {missing}")
