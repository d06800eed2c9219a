"""Demo mode only: one user per role, with passwords made at random and printed once, when first created."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.accounts.models import User
from risk_register.accounts.roles import Role
from risk_register.accounts.security import hash_password

DEMO_USERS = [
    ("demo-admin", Role.ADMIN, None),
    ("demo-estates", Role.NATIONAL_ESTATES, None),
    ("demo-area-leader-nw", Role.AREA_LEADER, "north-west"),
    ("demo-hs-lead", Role.HS_LEAD, None),
    ("demo-auditor", Role.AUDITOR, None),
    ("demo-viewer", Role.VIEWER, None),
]


async def ensure_demo_users(session: AsyncSession) -> None:
    existing = set((await session.scalars(select(User.username))).all())
    created = []
    for username, role, area in DEMO_USERS:
        if username in existing:
            continue
        password = secrets.token_urlsafe(12)
        session.add(
            User(
                username=username,
                role=role,
                area_code=area,
                password_hash=hash_password(password),
                full_name=f"Demo {role.value.replace('_', ' ')}",
                is_active=True,
            )
        )
        created.append((username, role.value, password))
    if created:
        lines = "\n".join(f"  {u:<22} {r:<17} {p}" for u, r, p in created)
        # Printed, not logged: demo passwords must not end up in log storage.
        print(
            f"\nDemo users (shown once; demo mode only):\n  {'username':<22} {'role':<17} password\n{lines}\n",
            flush=True,
        )
