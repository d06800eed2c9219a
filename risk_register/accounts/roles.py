"""Who may do what, in one table, and the one rule that applies it (pure: no HTTP, no database).

Every write endpoint names the Permission it needs (``opt={"permission": ...}``); the global guard in
accounts/guards.py checks the role, and services check the Area scope of the record being written with
``can``. A write endpoint with no Permission is refused at start-up (core/plugin.py) and by the matrix test.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    ADMIN = "admin"  # users and reference data; may do everything
    NATIONAL_ESTATES = "national_estates"  # writes estates data everywhere
    AREA_LEADER = "area_leader"  # scoped to one Area: its register, risks, actions and alignment links
    HS_LEAD = "hs_lead"  # national or one Area: hazards, assessments, controls and checks
    AUDITOR = "auditor"  # reads everything including the audit trail; writes nothing
    VIEWER = "viewer"  # reads registers and reports


class Permission(StrEnum):
    ESTATES_WRITE = "estates:write"
    HAZARDS_WRITE = "hazards:write"
    AREA_REGISTER_WRITE = "registers:area:write"
    NATIONAL_REGISTER_WRITE = "registers:national:write"
    AUDIT_READ = "audit:read"
    USERS_ADMIN = "users:admin"
    OWN_TOKENS = "tokens:own"  # every signed-in user manages their own access tokens


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.NATIONAL_ESTATES: frozenset({Permission.ESTATES_WRITE, Permission.OWN_TOKENS}),
    Role.AREA_LEADER: frozenset({Permission.AREA_REGISTER_WRITE, Permission.OWN_TOKENS}),
    Role.HS_LEAD: frozenset({Permission.HAZARDS_WRITE, Permission.OWN_TOKENS}),
    Role.AUDITOR: frozenset({Permission.AUDIT_READ, Permission.OWN_TOKENS}),
    Role.VIEWER: frozenset({Permission.OWN_TOKENS}),
}

# Roles whose rights stop at an Area boundary when the user has an Area. Others act nationally.
SCOPED_ROLES = frozenset({Role.AREA_LEADER, Role.HS_LEAD})
# Roles that must have an Area (an Area leader without an Area leads nothing).
AREA_REQUIRED = frozenset({Role.AREA_LEADER})


@dataclass(frozen=True)
class Principal:
    """The signed-in user, as the request sees them."""

    user_id: UUID
    username: str
    role: Role
    area_code: str | None
    token_id: UUID

    @property
    def is_national(self) -> bool:
        return self.role not in SCOPED_ROLES or self.area_code is None


def has_permission(principal: Principal, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[principal.role]


def can(principal: Principal, permission: Permission, area_code: str | None) -> bool:
    """May ``principal`` use ``permission`` on a record in ``area_code`` (None: a national record)?

    The role must carry the permission; a scoped user (Area leader, Area H&S lead) acts only on records of
    their own Area, never on national ones."""
    if not has_permission(principal, permission):
        return False
    if principal.is_national:
        return True
    return area_code is not None and area_code == principal.area_code


def role_problems(role: Role, area_code: str | None) -> list[str]:
    if role in AREA_REQUIRED and area_code is None:
        return [f"role {role.value} needs an Area"]
    if role not in SCOPED_ROLES and area_code is not None:
        return [f"role {role.value} is national: it takes no Area"]
    return []
