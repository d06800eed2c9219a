"""Alembic environment: runs from Advanced Alchemy's CLI, from plain alembic, or on a connection handed in
by risk_register.db.migrate (tests and `make run`)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from risk_register.db.models import metadata
from risk_register.db.types import compare_type

config = context.config


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=metadata,
        version_table="alembic_version",
        render_as_batch=True,
        compare_type=compare_type,
        user_module_prefix="sa.",
        **kwargs,  # type: ignore[arg-type]
    )


def _url() -> str:
    url = getattr(config, "db_url", None) or config.get_main_option("sqlalchemy.url")
    if not url:
        from risk_register.settings import get_settings

        url = get_settings().database_url
    return str(url)


def run_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online_async() -> None:
    engine = getattr(config, "engine", None) or async_engine_from_config(
        {"sqlalchemy.url": _url()}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    async with engine.connect() as connection:
        await connection.run_sync(_run_on)
    await engine.dispose()


if context.is_offline_mode():
    run_offline()
elif (handed_in := config.attributes.get("connection")) is not None:
    _run_on(handed_in)
else:
    asyncio.run(_run_online_async())
