from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.core.openapi import PublicOperation
from risk_register.core.problems import problem_responses


class Health(BaseModel):
    status: str
    database: str


@get(
    "/health",
    tags=["Service"],
    summary="Liveness and database reachability",
    operation_class=PublicOperation,
    responses=problem_responses(400),
)
async def health(db_session: NamedDependency[AsyncSession]) -> Health:
    await db_session.execute(text("SELECT 1"))
    return Health(status="ok", database=db_session.get_bind().dialect.name)
