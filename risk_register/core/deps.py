"""Named dependencies every domain's handlers take (explicit markers: Litestar 3 drops inferred ones)."""

from __future__ import annotations

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.core.context import Context
from risk_register.core.filters import OrgFilter, Period
from risk_register.core.pagination import PageRequest

Ctx = NamedDependency[Context]
OrgScope = NamedDependency[OrgFilter]
PeriodDep = NamedDependency[Period]
PageDep = NamedDependency[PageRequest]
DbSession = NamedDependency[AsyncSession]
