"""Shared fixtures: one real database per engine, migrated once, emptied between tests.

SQLite always; PostgreSQL too when RISK_REGISTER_TEST_POSTGRES_URL names a server (``.ci/run`` sets it).
Every test that takes ``client`` or ``db`` runs once per engine.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from risk_register.accounts.models import TokenKind, User
from risk_register.accounts.roles import Role
from risk_register.accounts.services import TokenService
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


async def _drop_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="session", params=ENGINES)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        db = Database("sqlite", f"sqlite+aiosqlite:///{path}")
    else:
        assert POSTGRES_URL is not None
        # One database per test process, so parallel runs (xdist workers, two people) never share one.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"risk_register_test_{worker}_{os.getpid()}"
        db = Database("postgresql", make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False))
    _prepare(db)
    yield db
    if db.engine_name == "postgresql":
        asyncio.run(_drop_postgres_database(db.url))


async def empty_postgres(engine: AsyncEngine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    async with engine.begin() as conn:
        # Replica mode skips the audit trail's append-only triggers, for this test clean-up only.
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def db_engine(database: Database, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated database with nothing in it but the organisation: a fresh copy of the migrated SQLite file
    (its audit trail refuses DELETE), or the PostgreSQL test database truncated."""
    if database.engine_name == "sqlite":
        copy = tmp_path / "test.sqlite3"
        shutil.copyfile(database.url.split(":///", 1)[1], copy)
        url = f"sqlite+aiosqlite:///{copy}"
    else:
        url = database.url
    settings = database.settings(database_url=url)
    engine = create_engine(settings, null_pool=True)
    if database.engine_name == "postgresql":
        await empty_postgres(engine)
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


def engine_url(engine: AsyncEngine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def app(database: Database, db_engine: AsyncEngine) -> Litestar:
    return create_app(database.settings(database_url=engine_url(db_engine), login_attempts_per_minute=1000))


AuthHeaders = Callable[..., Awaitable[dict[str, str]]]


@pytest.fixture
def auth_headers(db_engine: AsyncEngine) -> AuthHeaders:
    """``await auth_headers(role, area_code=None)``: Authorization headers with a new token for the test user
    of that role and Area (created on first use)."""
    users: dict[tuple[Role, str | None], User] = {}

    async def make(role: Role | str = Role.ADMIN, area_code: str | None = None) -> dict[str, str]:
        key = (Role(role), area_code)
        async with async_sessionmaker(db_engine, expire_on_commit=False)() as session:
            if key not in users:
                suffix = f"-{area_code}" if area_code else ""
                users[key] = User(
                    username=f"test-{key[0].value}{suffix}".replace("_", "-"),
                    role=key[0],
                    area_code=area_code,
                    is_active=True,
                    full_name=None,
                    password_hash=None,
                )
                session.add(users[key])
                await session.flush()
            token, _ = await TokenService(session=session).issue(
                users[key], name="test", kind=TokenKind.PERSONAL, lifetime=timedelta(days=1)
            )
            await session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


def _changed_something(response: httpx.Response) -> bool:
    """A successful write that must have left an audit event: a create (201), a delete or sign-out (204), or
    a change sent with If-Match whose version moved. A change that changes nothing writes nothing, and an
    action answered 200 without If-Match (sign-in, a reconciliation that found nothing new, an import)
    may legitimately write nothing, so those are left to their own tests."""
    request = response.request
    if request.method not in {"POST", "PUT", "PATCH", "DELETE"} or response.status_code >= 300:
        return False
    if "dry_run=true" in str(request.url.query):
        return False  # a dry run reports what would change and writes nothing
    if "if-match" in request.headers:
        return response.headers.get("etag") != request.headers.get("if-match")
    return response.status_code in (201, 204)


@pytest.fixture
async def client(
    app: Litestar, auth_headers: AuthHeaders, db_engine: AsyncEngine
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client signed in as an admin (who may do everything). Pass ``headers=await auth_headers(role)`` to act
    as someone else, or ``headers={"Authorization": ""}`` to act signed out.

    After the test it checks the audit trail holds an event, from the same request, for every write the test
    made that changed something: so every write in the suite is shown to be attributable."""
    writes: list[httpx.Response] = []

    async def remember(response: httpx.Response) -> None:
        if _changed_something(response):
            writes.append(response)

    async with AsyncTestClient(app=app) as test_client:
        test_client.headers.update(await auth_headers(Role.ADMIN))
        test_client.event_hooks["response"].append(remember)
        yield test_client
    if writes:
        async with db_engine.connect() as conn:
            audited = set((await conn.execute(text("SELECT DISTINCT request_id FROM audit_event"))).scalars())
        unaudited = [
            f"{r.request.method} {r.request.url.path} -> {r.status_code}"
            for r in writes
            if r.headers.get("x-request-id") not in audited
        ]
        assert not unaudited, f"writes with no audit event: {unaudited}"


async def if_match(client: AsyncTestClient[Litestar], url: str) -> dict[str, str]:
    """The If-Match header for the record at ``url`` as it is now (what a careful client sends with a change)."""
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return {"If-Match": response.headers["etag"]}


@pytest.fixture(scope="session")
def organisation():  # type: ignore[no-untyped-def]
    return load_organisation(PROJECT_ROOT / "config")


@pytest.fixture(scope="session")
def estates_rules():  # type: ignore[no-untyped-def]
    return load_estates_rules(PROJECT_ROOT / "config")
