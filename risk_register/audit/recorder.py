"""Record every ORM create, update and delete as an AuditEvent in the same flush, hence the same transaction.

Registered once on SQLAlchemy's Session class (before_flush), so no service can forget it. Bulk Core
statements bypass it by design: only the demo loader and the recomputation of derived fields use them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import event, inspect
from sqlalchemy.orm import ColumnProperty, Session

from risk_register.audit.models import AuditEvent
from risk_register.core.request_context import current_principal, current_request_id

_UNTRACKED = frozenset({"version", "created_at", "updated_at", "_sentinel"})
REDACTED = "<redacted>"


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def _columns(obj: Any) -> list[str]:
    return [
        p.key
        for p in inspect(obj).mapper.iterate_properties
        if isinstance(p, ColumnProperty) and p.key not in _UNTRACKED
    ]


def _shown(obj: Any, field: str, value: Any) -> Any:
    return REDACTED if field in getattr(obj, "__audit_redact__", ()) else _plain(value)


def _snapshot(obj: Any, *, as_after: bool) -> dict[str, dict[str, Any]]:
    side = "after" if as_after else "before"
    return {f: {side: _shown(obj, f, getattr(obj, f))} for f in _columns(obj) if f != "id"}


def _diff(obj: Any) -> dict[str, dict[str, Any]]:
    state = inspect(obj)
    changes = {}
    for field in _columns(obj):
        history = state.attrs[field].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if _plain(before) != _plain(after):
            changes[field] = {"before": _shown(obj, field, before), "after": _shown(obj, field, after)}
    return changes


def _event(obj: Any, action: str, changes: dict[str, dict[str, Any]]) -> AuditEvent:
    principal = current_principal.get()
    return AuditEvent(
        id=uuid7(),
        occurred_at=datetime.now(UTC),
        actor_id=principal.user_id if principal else None,
        actor_username=principal.username if principal else "system",
        entity_type=type(obj).__tablename__,
        entity_id=str(obj.id),
        action=action,
        changes=changes,
        request_id=current_request_id.get(),
    )


def _audited(obj: Any) -> bool:
    return not getattr(type(obj), "__audit_exclude__", False)


@event.listens_for(Session, "before_flush")
def record_changes(session: Session, _flush_context: Any, _instances: Any) -> None:
    events = []
    for obj in list(session.new):
        if _audited(obj):
            if getattr(obj, "id", None) is None:
                obj.id = uuid7()  # the event needs the id before the flush would assign one
            events.append(_event(obj, "create", _snapshot(obj, as_after=True)))
    for obj in list(session.dirty):
        if _audited(obj) and session.is_modified(obj, include_collections=False):
            changes = _diff(obj)
            if changes:
                events.append(_event(obj, "update", changes))
    for obj in list(session.deleted):
        if _audited(obj):
            events.append(_event(obj, "delete", _snapshot(obj, as_after=False)))
    session.add_all(events)
