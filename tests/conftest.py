"""Shared fixtures: one real database per engine, migrated once, emptied between tests.

SQLite always; PostgreSQL too when RISK_REGISTER_TEST_POSTGRES_URL names a server (``.ci/run`` sets it).
Every test that takes ``client`` or ``db`` runs once per engine.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from risk_register.app import create_app
from risk_register.db.config import create_engine
from risk_register.db.migrate import upgrade
from risk_register.db.models import metadata
from risk_register.estates.rules import load_estates_rules
from risk_register.organisation.reference import load_organisation
from risk_register.organisation.services import sync_organisation
from risk_register.settings import PROJECT_ROOT, Settings

# Every date rule is tested against this pinned "today".
TODAY = date(2025, 6, 30)
POSTGRES_URL = os.environ.get("RISK_REGISTER_TEST_POSTGRES_URL")
ENGINES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


@dataclass(frozen=True)
class Database:
    engine_name: str
    url: str

    def settings(self, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "database_url": self.url,
            "environment": "test",
            "today_override": TODAY.isoformat(),
            "log_json": True,
            "log_level": "WARNING",
            "config_dir": PROJECT_ROOT / "config",
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]


async def _recreate_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    await admin.dispose()


def _prepare(database: Database) -> None:
    async def run() -> None:
        if database.engine_name == "postgresql":
            await _recreate_postgres_database(database.url)
        settings = database.settings()
        engine = create_engine(settings, null_pool=True)
        await upgrade(engine, settings)
        await engine.dispose()

    asyncio.run(run())


@pytest.fixture(scope="session", params=ENGINES)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Database:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        db = Database("sqlite", f"sqlite+aiosqlite:///{path}")
    else:
        assert POSTGRES_URL is not None
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        db = Database(
            "postgresql",
            str(
                make_url(POSTGRES_URL)
                .set(database=f"risk_register_test_{worker}")
                .render_as_string(hide_password=False)
            ),
        )
    _prepare(db)
    return db


async def empty_database(engine: AsyncEngine, engine_name: str) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    async with engine.begin() as conn:
        if engine_name == "postgresql":
            await conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
async def db_engine(database: Database) -> AsyncIterator[AsyncEngine]:
    settings = database.settings()
    engine = create_engine(settings, null_pool=True)
    await empty_database(engine, database.engine_name)
    async with async_sessionmaker(engine)() as session:
        await sync_organisation(session, load_organisation(settings.config_dir))
        await session.commit()
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(db_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session on the emptied test database, for arranging data and checking what the API wrote."""
    async with async_sessionmaker(db_engine, expire_on_commit=False)() as session:
        yield session


@pytest.fixture
def app(database: Database, db_engine: AsyncEngine) -> Litestar:
    return create_app(database.settings())


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def organisation():  # type: ignore[no-untyped-def]
    return load_organisation(PROJECT_ROOT / "config")


@pytest.fixture(scope="session")
def estates_rules():  # type: ignore[no-untyped-def]
    return load_estates_rules(PROJECT_ROOT / "config")
