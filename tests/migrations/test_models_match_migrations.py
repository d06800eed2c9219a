"""The migrations build exactly the schema the models describe, and can be undone and redone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from advanced_alchemy.types import GUID
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from risk_register.db.config import create_engine
from risk_register.db.migrate import alembic_config
from risk_register.db.models import metadata
from risk_register.db.types import compare_type as project_compare_type
from tests.conftest import Database

EXPECTED_TABLES = {
    "alembic_version",
    "area",
    "region",
    "pdu",
    "site",
    "accessibility_finding",
    "refurbishment_project",
    "remediation_action",
}


def _sqlite_guid_reflection(
    context: MigrationContext, inspected_column: Any, metadata_column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """SQLite stores GUID as BINARY(16), and reflects that name as NUMERIC(16) (type affinity): the same
    column, so not a difference. Anything else is left to Alembic's own comparison."""
    if context.dialect.name == "sqlite" and isinstance(metadata_type, GUID):
        return str(inspected_type.compile(dialect=context.dialect)) not in {"NUMERIC(16)", "BINARY(16)"}
    return None


def _differences(connection: Connection, compare_type: Any = project_compare_type) -> list[Any]:
    """What ``alembic revision --autogenerate`` would write, with the options migrations/env.py uses."""
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": compare_type, "compare_server_default": True, "render_as_batch": True},
    )
    return compare_metadata(context, metadata)


def _real_differences(connection: Connection) -> list[Any]:
    """Stricter than the project's comparison, which takes any GUID column as unchanged: here only the
    SQLite reflection of GUID is excused, so a GUID column migrated as another type would still show."""
    return _differences(connection, _sqlite_guid_reflection)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _current_heads(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def test_autogenerate_finds_nothing_to_migrate(database: Database) -> None:
    """With the project's own autogenerate options (migrations/env.py), a new revision would be empty."""
    engine = create_engine(database.settings(), null_pool=True)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    assert differences == [], f"autogenerate on {database.engine_name} would write: {differences}"


async def test_models_match_the_migrated_database(database: Database) -> None:
    engine = create_engine(database.settings(), null_pool=True)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_real_differences)
            tables = await connection.run_sync(_tables)
            revisions = await connection.run_sync(_current_heads)
    finally:
        await engine.dispose()
    assert differences == [], f"models and migrations differ on {database.engine_name}: {differences}"
    assert set(metadata.tables) <= tables
    assert tables >= EXPECTED_TABLES
    heads = set(ScriptDirectory.from_config(alembic_config(database.settings())).get_heads())
    assert heads
    assert revisions == heads


async def test_downgrade_to_base_and_upgrade_to_head_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    settings = Database("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}").settings()
    engine = create_engine(settings, null_pool=True)

    def migrate(revision: str, *, down: bool = False) -> Any:
        def run(connection: Connection) -> None:
            config = alembic_config(settings)
            config.attributes["connection"] = connection
            if down:
                command.downgrade(config, revision)
            else:
                command.upgrade(config, revision)

        return run

    try:
        async with engine.begin() as connection:
            await connection.run_sync(migrate("heads"))
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) >= EXPECTED_TABLES

        async with engine.begin() as connection:
            await connection.run_sync(migrate("base", down=True))
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) - {"alembic_version"} == set()
            assert await connection.run_sync(_current_heads) == set()

        async with engine.begin() as connection:
            await connection.run_sync(migrate("heads"))
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) >= EXPECTED_TABLES
            assert await connection.run_sync(_real_differences) == []
    finally:
        await engine.dispose()
