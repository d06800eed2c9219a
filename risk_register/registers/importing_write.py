"""Writing thousands of imported rows at once: a polars frame straight into a table, in the session's transaction.

SQLAlchemy's executemany turns each of 10,000 rows into bound parameters one value at a time (type processors
for ids, dates and JSON), which costs more than reading and checking the whole spreadsheet. Here the frame is
converted a column at a time, in polars, into what the column's type stores, and handed to the driver whole:

* SQLite: the driver's ``executemany`` over the frame's rows (ids as their 16 bytes, dates as ISO text: what
  Advanced Alchemy's GUID and SQLAlchemy's Date store there).
* PostgreSQL: ``COPY ... FROM STDIN (FORMAT csv)`` on the session's own asyncpg connection, inside its open
  transaction (a refused file, or a later failure, still rolls everything back).
* anything else: a Core ``insert`` executemany (correct, slower).

Values the rows share (the register, the time, who recorded it) are bound once through the column's own type.
Frames hold plain values: ids as text, enums as their values, dates as dates, JSON as text.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import polars as pl
from advanced_alchemy.types import GUID
from sqlalchemy import JSON, Date, DateTime, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


def _bound(table: Table, name: str, value: Any, dialect: Dialect) -> Any:
    """A shared value as the column's type binds it on this dialect."""
    processor = table.c[name].type._cached_bind_processor(dialect)
    bound = processor(value) if processor is not None and value is not None else value
    return bytes(bound) if isinstance(bound, memoryview) else bound


def _stored(table: Table, name: str, dialect: Dialect) -> pl.Expr:
    """A frame column as this dialect's driver takes it for the table's column."""
    column = pl.col(name)
    kind = table.c[name].type
    if dialect.name == "sqlite":
        if isinstance(kind, GUID):
            # Advanced Alchemy stores a GUID on SQLite as its 16 bytes (BINARY(16)).
            return column.str.replace_all("-", "", literal=True).str.decode("hex").alias(name)
        if isinstance(kind, Date) and not isinstance(kind, DateTime):
            return column.dt.to_string("%Y-%m-%d").alias(name)
    return column


def _check(table: Table, frame: pl.DataFrame, shared: Mapping[str, Any]) -> None:
    unknown = [name for name in (*frame.columns, *shared) if name not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no columns {unknown}")
    for name, dtype in frame.schema.items():
        kind = table.c[name].type
        if isinstance(kind, DateTime) or dtype in (pl.Object, pl.Datetime, pl.Duration):
            raise TypeError(f"{table.name}.{name}: pass times as a shared value, not a frame column")
        if isinstance(kind, JSON) and dtype != pl.String:
            raise TypeError(f"{table.name}.{name}: JSON columns take JSON text")


async def insert_frame(
    session: AsyncSession, table: Table, frame: pl.DataFrame, shared: Mapping[str, Any] | None = None
) -> None:
    """INSERT every row of ``frame`` (plus the ``shared`` values) into ``table``, in the session's transaction."""
    if frame.height == 0:
        return
    shared = dict(shared or {})
    _check(table, frame, shared)
    connection = await session.connection()
    dialect = connection.dialect
    names = [*frame.columns, *shared]
    if dialect.name == "sqlite":
        rows = frame.select(
            *(_stored(table, name, dialect) for name in frame.columns),
            *(pl.lit(_bound(table, name, value, dialect)).alias(name) for name, value in shared.items()),
        ).rows()
        statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        await connection.exec_driver_sql(statement, rows)
    elif dialect.name == "postgresql" and dialect.driver == "asyncpg":
        await _copy(connection, table, frame, shared)
    else:  # pragma: no cover - the service runs on SQLite and PostgreSQL (asyncpg)
        await connection.execute(insert(table), [{**row, **shared} for row in frame.to_dicts()])


async def _copy(connection: AsyncConnection, table: Table, frame: pl.DataFrame, shared: Mapping[str, Any]) -> None:
    dialect = connection.dialect
    literal = {name: _bound(table, name, value, dialect) for name, value in shared.items()}
    data = frame.with_columns(
        pl.lit(None if value is None else str(value), dtype=pl.String).alias(name) for name, value in literal.items()
    )
    # polars writes a null as an empty field and an empty string as "": PostgreSQL's CSV reads them back so.
    text = data.write_csv(include_header=False)
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    if not driver.is_in_transaction():
        # The asyncpg adapter begins its transaction at the first statement; COPY must not run outside it.
        await connection.exec_driver_sql("SELECT 1")
    if not driver.is_in_transaction():  # pragma: no cover - would write outside the request's transaction
        raise RuntimeError("COPY needs the session's transaction to have begun")
    await driver.copy_to_table(table.name, source=io.BytesIO(text.encode()), columns=list(data.columns), format="csv")
