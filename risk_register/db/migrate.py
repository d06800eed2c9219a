"""Run Alembic migrations from Python, on the service's own engine (used by `make run`, the CLI and tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from risk_register.db.config import MIGRATIONS_DIR
from risk_register.settings import Settings


def alembic_config(settings: Settings) -> Config:
    config = Config(str(settings.config_dir / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, settings: Settings, revision: str = "heads") -> None:
    def run(connection: Connection) -> None:
        config = alembic_config(settings)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)
    await refresh_statistics(engine)


async def refresh_statistics(engine: AsyncEngine) -> None:
    """Give the query planner fresh table statistics. SQLite keeps none unless asked, and without them it picks
    a plan for the overdue lists that is 10-20 times slower at scale (benchmarks/README.md)."""
    async with engine.begin() as connection:
        if connection.dialect.name == "sqlite" or connection.dialect.name == "postgresql":
            await connection.exec_driver_sql("ANALYZE")
