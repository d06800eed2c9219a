"""Record every ORM create, update and delete as an AuditEvent in the same flush, hence the same transaction.

Registered once on SQLAlchemy's Session class (before_flush), so no service can forget it. Bulk Core
statements bypass it by design: the demo loader and the recomputation of derived fields use them unaudited,
and the register import, which writes thousands of rows at once, records their create events itself with
``create_events`` - the same events, field for field, that this listener would record for those rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import polars as pl
import uuid_utils
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


# --- rows written in bulk --------------------------------------------------------------------------------


def new_ids(count: int) -> list[str]:
    """``count`` fresh UUIDv7s as text, for rows written in bulk (the models' own ids are UUIDv7 too)."""
    return [str(uuid_utils.uuid7()) for _ in range(count)]


def audited_fields(model: type[Any]) -> list[str]:
    """The fields a create event shows for ``model``, in the order the listener writes them."""
    return [
        p.key
        for p in inspect(model).iterate_properties
        if isinstance(p, ColumnProperty) and p.key not in _UNTRACKED and p.key != "id"
    ]


_PLAIN_TYPES = (
    pl.String,
    pl.Int8,
    pl.Int16,
    pl.Int32,
    pl.Int64,
    pl.UInt8,
    pl.UInt16,
    pl.UInt32,
    pl.Boolean,
    pl.Date,
    pl.Null,
)


@dataclass(frozen=True)
class BulkEvents:
    """Create events for rows written in bulk: per event ``rows`` (id, entity_id, changes as JSON text) and
    the columns every event shares (time, actor, entity type, action, request id)."""

    rows: pl.DataFrame
    shared: dict[str, Any]


def create_events(
    model: type[Any], frame: pl.DataFrame, *, shared: Mapping[str, Any] | None = None, id_column: str = "id"
) -> BulkEvents:
    """The audit trail's create event for each row of ``frame`` - rows of ``model`` being inserted in bulk,
    bypassing the ORM - exactly as ``record_changes`` records one for an object added to a session: one event
    per row with the same ``changes`` (every audited field as ``{"after": value}``, values as ``_plain`` makes
    them, redacted fields redacted), actor and request id; they share one timestamp.

    ``frame`` holds the id column and the model's fields as plain values (ids as text, enums as their values,
    dates as dates); ``shared`` gives fields that are the same for every row (say the register id)."""
    shared = dict(shared or {})
    fields = audited_fields(model)
    redact = set(getattr(model, "__audit_redact__", ()))
    missing = [f for f in fields if f not in frame.columns and f not in shared]
    if missing:
        raise ValueError(f"create_events({model.__name__}) needs the fields {missing}")

    def after(name: str) -> pl.Expr:
        if name in redact:
            value = pl.lit(REDACTED)
        elif name in shared:
            value = pl.lit(_plain(shared[name]))
        else:
            if not isinstance(frame.schema[name], _PLAIN_TYPES):
                raise TypeError(f"create_events: {name} is {frame.schema[name]}, not a plain text/number/date column")
            value = pl.col(name)
        return pl.struct(value.alias("after")).alias(name)

    rows = frame.select(
        pl.Series("id", new_ids(frame.height), dtype=pl.String),
        pl.col(id_column).cast(pl.String).alias("entity_id"),
        pl.struct([after(name) for name in fields]).struct.json_encode().alias("changes"),
    )
    principal = current_principal.get()
    return BulkEvents(
        rows=rows,
        shared={
            "occurred_at": datetime.now(UTC),
            "actor_id": principal.user_id if principal else None,
            "actor_username": principal.username if principal else "system",
            "entity_type": model.__tablename__,
            "action": "create",
            "request_id": current_request_id.get(),
        },
    )
