"""Area scope checks for services: the second half of access control, after the role guard.

The guard knows the route; only the service knows which Area the record being written belongs to. Services
call ``require`` with that Area (None for a national record) before they write.
"""

from __future__ import annotations

from risk_register.accounts.roles import Permission, Principal, can
from risk_register.core.errors import Forbidden
from risk_register.core.request_context import current_principal


def require(permission: Permission, area_code: str | None) -> None:
    """Refuse (403) unless the signed-in user may use ``permission`` on a record in ``area_code``.

    Outside a request (CLI commands, the demo loader) there is no principal: the service itself is acting."""
    principal = current_principal.get()
    if principal is None:
        return
    if not can(principal, permission, area_code):
        where = f"the {area_code} Area" if area_code else "national records"
        raise Forbidden(
            f"{principal.username} ({principal.role.value}"
            f"{', ' + principal.area_code if principal.area_code else ''}) may not change {where}"
        )


def acting() -> Principal | None:
    return current_principal.get()
