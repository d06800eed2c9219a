"""SQLite connections go back to the pool with no transaction open, whether or not they committed
(db/config._sqlite_reset replaces the pool's roll-back-on-every-return)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.ext.asyncio import AsyncEngine

from risk_register.db.config import create_engine
from risk_register.settings import PROJECT_ROOT, Settings


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'pool.sqlite3'}", config_dir=PROJECT_ROOT / "config"
    )
    engine = create_engine(settings)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    yield engine
    await engine.dispose()


async def rows(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as conn:
        return list((await conn.execute(text("SELECT x FROM t ORDER BY x"))).scalars())


def leave_a_transaction_open(engine: Engine) -> None:
    """Check a DBAPI connection out, write inside a transaction and hand it back without ending it: what
    SQLAlchemy's own roll-back on close cannot see."""
    raw = engine.raw_connection()
    driver = raw.driver_connection
    cursor = raw.cursor()
    cursor.execute("BEGIN")
    cursor.execute("INSERT INTO t VALUES (1)")
    cursor.close()
    assert driver.in_transaction
    raw.close()
    assert not driver.in_transaction


async def test_a_connection_returned_inside_a_transaction_is_rolled_back(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.run_sync(lambda sync_conn: leave_a_transaction_open(sync_conn.engine))
    assert await rows(engine) == []


async def test_committed_work_stays_and_the_connection_comes_back_clean(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("INSERT INTO t VALUES (2)"))
        await conn.commit()
        driver = (await conn.get_raw_connection()).driver_connection
    assert not driver.in_transaction
    async with engine.connect() as conn:
        await conn.execute(text("INSERT INTO t VALUES (3)"))
        # Closed without commit: SQLAlchemy rolls back; nothing of it is left open or kept.
    assert not driver.in_transaction
    assert await rows(engine) == [2]
