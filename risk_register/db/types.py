"""Column types shared by every domain's models."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum as SAEnum


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
