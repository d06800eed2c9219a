"""Reading the audit trail. There is no endpoint that changes it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import polars as pl
from advanced_alchemy.extensions.litestar.providers import create_service_provider
from advanced_alchemy.filters import LimitOffset
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from litestar import Controller, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from sqlalchemy import ColumnElement

from risk_register.accounts.guards import requires
from risk_register.accounts.roles import Permission
from risk_register.audit.models import AuditEvent
from risk_register.core import problems
from risk_register.core.deps import PageDep, PeriodDep
from risk_register.core.filters import Period
from risk_register.core.pagination import order_by
from risk_register.core.schemas import OutputModel, Page

EXPORT_LIMIT = 100_000


class AuditRepository(SQLAlchemyAsyncRepository[AuditEvent]):
    model_type = AuditEvent


class AuditService(SQLAlchemyAsyncRepositoryService[AuditEvent, AuditRepository]):
    repository_type = AuditRepository
    count_with_window_function = False


class AuditEventRead(OutputModel):
    id: UUID
    occurred_at: datetime
    actor_id: UUID | None
    actor_username: str
    entity_type: str
    entity_id: str
    action: str
    changes: dict[str, Any]
    request_id: str | None


Audit = NamedDependency[AuditService]
_NAME = r"^[a-z0-9_.-]+$"


def _filters(
    entity_type: str | None, entity_id: str | None, actor: str | None, period: Period
) -> list[ColumnElement[bool]]:
    since, until = period.since, period.until
    conditions: list[ColumnElement[bool]] = []
    if entity_type:
        conditions.append(AuditEvent.entity_type == entity_type)
    if entity_id:
        conditions.append(AuditEvent.entity_id == entity_id)
    if actor:
        conditions.append(AuditEvent.actor_username == actor)
    if since:
        conditions.append(AuditEvent.occurred_at >= since)
    if until:
        conditions.append(AuditEvent.occurred_at < until)
    return conditions


EntityType = Annotated[str | None, QueryParameter(name="entity_type", max_length=64, pattern=_NAME)]
EntityId = Annotated[str | None, QueryParameter(name="entity_id", max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
Actor = Annotated[str | None, QueryParameter(name="actor", max_length=64, pattern=_NAME)]


class AuditController(Controller):
    path = "/api/audit-events"
    tags = ["Audit trail"]
    dependencies = {"audit": Provide(create_service_provider(AuditService))}
    opt = requires(Permission.AUDIT_READ)

    @get("/", responses=problems.problem_responses(400, 401, 403, 422), summary="Who changed what, newest first")
    async def list_events(
        self,
        audit: Audit,
        page: PageDep,
        period: PeriodDep,
        entity_type: EntityType = None,
        entity_id: EntityId = None,
        actor: Actor = None,
    ) -> Page[AuditEventRead]:
        items, total = await audit.get_many_and_count(
            *_filters(entity_type, entity_id, actor, period),
            page.as_filter(),
            order_by("occurred_at", "desc"),
            order_by("id", "desc"),
        )
        return Page(
            items=[AuditEventRead.model_validate(e) for e in items], total=total, limit=page.limit, offset=page.offset
        )

    @get(
        "/export.csv",
        media_type="text/csv",
        responses=problems.problem_responses(400, 401, 403, 422),
        summary=f"The filtered audit trail as CSV (oldest first, at most {EXPORT_LIMIT:,} rows)",
    )
    async def export_csv(
        self,
        audit: Audit,
        period: PeriodDep,
        entity_type: EntityType = None,
        entity_id: EntityId = None,
        actor: Actor = None,
    ) -> Response[bytes]:
        items = await audit.list(
            *_filters(entity_type, entity_id, actor, period),
            LimitOffset(limit=EXPORT_LIMIT, offset=0),
            order_by("occurred_at", "asc"),
            order_by("id", "asc"),
        )
        frame = pl.DataFrame(
            [
                {
                    "occurred_at": e.occurred_at.isoformat(),
                    "actor_username": e.actor_username,
                    "actor_id": str(e.actor_id) if e.actor_id else "",
                    "action": e.action,
                    "entity_type": e.entity_type,
                    "entity_id": e.entity_id,
                    "changes": json.dumps(e.changes, sort_keys=True),
                    "request_id": e.request_id or "",
                }
                for e in items
            ],
            schema=dict.fromkeys(
                (
                    "occurred_at",
                    "actor_username",
                    "actor_id",
                    "action",
                    "entity_type",
                    "entity_id",
                    "changes",
                    "request_id",
                ),
                pl.String,
            ),
        )
        return Response(
            frame.write_csv().encode(),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="audit-events.csv"'},
        )
