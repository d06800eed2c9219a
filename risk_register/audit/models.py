"""The audit trail: one append-only row per created, changed or deleted record."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7Base
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column


# Advanced Alchemy 1.12's JsonB type calls an API SQLAlchemy 2.1 removed; plain JSON (JSONB on PostgreSQL).
class AuditEvent(UUIDv7Base):
    __tablename__ = "audit_event"
    __audit_exclude__ = True
    __table_args__ = (
        Index("ix_audit_event_entity", "entity_type", "entity_id"),
        Index("ix_audit_event_occurred_at", "occurred_at"),
        Index("ix_audit_event_actor", "actor_username"),
    )

    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    actor_id: Mapped[UUID | None] = mapped_column(GUID)
    actor_username: Mapped[str] = mapped_column(String(64))  # "system" for commands run by the service itself
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(8))  # create | update | delete
    # field -> {"before": ..., "after": ...}
    changes: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    request_id: Mapped[str | None] = mapped_column(String(64))
