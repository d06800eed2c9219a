"""Column types shared by every domain's models."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Enum as SAEnum
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def enum_column(enum: type[StrEnum]) -> SAEnum:
    """Store a StrEnum as its value in a VARCHAR: portable across SQLite and PostgreSQL, and adding a value
    later needs no ALTER TYPE migration."""
    return SAEnum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=max(len(m.value) for m in enum) + 8,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Versioned:
    """Optimistic concurrency: SQLAlchemy bumps ``version`` on every UPDATE and refuses stale writes."""

    version: Mapped[int] = mapped_column(Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def compare_type(
    _context: Any, _inspected_column: Any, metadata_column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """Alembic type comparison that knows Advanced Alchemy's GUID: SQLite reflects its BINARY(16) as NUMERIC
    and PostgreSQL as UUID, neither of which is a real difference. None: let Alembic decide the rest."""
    from advanced_alchemy.types import GUID

    if isinstance(metadata_type, GUID):
        return False
    return None
