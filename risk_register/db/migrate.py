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
