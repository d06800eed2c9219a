"""The database engine, session and migration configuration, from settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import AlembicAsyncConfig, AsyncSessionConfig, SQLAlchemyAsyncConfig
from advanced_alchemy.extensions.litestar.plugins.init.config.engine import EngineConfig
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, PoolResetState

from risk_register.core.request_context import current_request_writes
from risk_register.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let _sqlite_begin emit BEGIN itself (the driver's implicit BEGIN is always DEFERRED).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # SQLite ignores foreign keys unless asked, per connection
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Writers take SQLite's write lock when their transaction starts, so two concurrent writers queue
    (busy_timeout) instead of the second failing with SQLITE_BUSY when it upgrades a read to a write; the
    version check then sees the first writer's change and answers 412. Readers stay concurrent (WAL)."""
    connection.exec_driver_sql("BEGIN IMMEDIATE" if current_request_writes.get() else "BEGIN")


def _sqlite_reset(dbapi_connection: Any, record: ConnectionPoolEntry, state: PoolResetState) -> None:
    """Reset a SQLite connection as it goes back to the pool: roll back only a transaction still open. The pool's
    default reset rolls back on every return, a round trip to aiosqlite's thread even after the request committed,
    while sqlite3 tells without one whether a transaction is open."""
    driver = record.driver_connection
    if state.asyncio_safe and not state.terminate_only and driver is not None and driver.in_transaction:
        dbapi_connection.rollback()


def create_engine(settings: Settings, *, null_pool: bool = False) -> AsyncEngine:
    if settings.is_sqlite:
        path = settings.database_url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            settings.database_url,
            echo=settings.database_echo,
            pool_reset_on_return=None,  # _sqlite_reset does it
            **({"poolclass": NullPool} if null_pool else {}),
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        event.listen(engine.sync_engine, "reset", _sqlite_reset)
        return engine
    kwargs: dict[str, Any] = (
        {"poolclass": NullPool}
        if null_pool
        else {
            "pool_size": settings.database_pool_size,
            "max_overflow": settings.database_pool_size,
            "pool_pre_ping": True,
        }
    )
    return create_async_engine(settings.database_url, echo=settings.database_echo, **kwargs)


def sqlalchemy_config(settings: Settings, engine: AsyncEngine | None = None) -> SQLAlchemyAsyncConfig:
    import risk_register.db.models  # noqa: F401  (every table on the metadata before migrations run)

    return SQLAlchemyAsyncConfig(
        engine_instance=engine or create_engine(settings),
        session_config=AsyncSessionConfig(expire_on_commit=False),
        before_send_handler="autocommit",
        create_all=False,
        alembic_config=AlembicAsyncConfig(
            script_location=str(MIGRATIONS_DIR),
            script_config=str(settings.config_dir / "alembic.ini"),
            version_table_name="alembic_version",
            render_as_batch=True,
            compare_type=True,
        ),
        engine_config=EngineConfig(),
    )
