"""Shared benchmark machinery: target databases, building the demo estate, a real HTTP server, timing."""

from __future__ import annotations

import contextlib
import math
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from risk_register.accounts.models import TokenKind, User
from risk_register.accounts.roles import Role
from risk_register.accounts.services import TokenService, UserService
from risk_register.db.config import create_engine
from risk_register.db.migrate import refresh_statistics, upgrade
from risk_register.demo.loader import load_demo
from risk_register.estates.rules import load_estates_rules
from risk_register.organisation.reference import load_organisation
from risk_register.settings import PROJECT_ROOT, Settings

# Every benchmark runs against this pinned "today" (the same date the test suite pins), so the estate and the
# overdue set are identical from run to run.
FIXED_TODAY = date(2025, 6, 30)
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/risk_register_bench"
ENGINES = ("sqlite", "postgresql")


# --- targets ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One database engine to benchmark against, and the URL of the database it will use."""

    engine: str
    url: str

    def settings(self, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "database_url": self.url,
            "today_override": FIXED_TODAY.isoformat(),
            "log_level": "WARNING",
            "config_dir": PROJECT_ROOT / "config",
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    def server_env(self) -> dict[str, str]:
        """The same settings as environment variables, for the uvicorn subprocess."""
        return {
            "RISK_REGISTER_DATABASE_URL": self.url,
            "RISK_REGISTER_TODAY_OVERRIDE": FIXED_TODAY.isoformat(),
            "RISK_REGISTER_LOG_LEVEL": "WARNING",
            "RISK_REGISTER_CONFIG_DIR": str(PROJECT_ROOT / "config"),
            "RISK_REGISTER_DATABASE_ECHO": "false",
        }


def make_target(engine: str, *, sqlite_dir: Path, postgres_url: str) -> Target:
    if engine == "sqlite":
        return Target("sqlite", f"sqlite+aiosqlite:///{sqlite_dir / 'risk_register_bench.sqlite3'}")
    if engine == "postgresql":
        return Target("postgresql", postgres_url)
    raise ValueError(f"unknown engine {engine!r}: choose from {', '.join(ENGINES)}")


def remove_sqlite_files(target: Target) -> None:
    path = target.url.split(":///", 1)[1]
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def recreate_database(target: Target) -> None:
    """An empty database: the SQLite file removed, or the PostgreSQL database dropped and created."""
    if target.engine == "sqlite":
        remove_sqlite_files(target)
        return
    url = make_url(target.url)
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        await admin.dispose()


@dataclass(frozen=True)
class Build:
    sites: int
    findings: int
    projects: int
    actions: int
    seconds: float


async def build_estate(target: Target, scale: int) -> Build:
    """A fresh database, migrated, with the demo estate at ``scale`` loaded and committed.

    Statistics are then refreshed exactly as `risk-register demo load` does (ANALYZE on both engines); on
    PostgreSQL the tables are also VACUUMed, which autovacuum would do shortly after a bulk load anyway.
    """
    started = time.perf_counter()
    await recreate_database(target)
    settings = target.settings()
    engine = create_engine(settings, null_pool=True)
    try:
        await upgrade(engine, settings)
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            result = await load_demo(
                session,
                load_organisation(settings.config_dir),
                load_estates_rules(settings.config_dir),
                scale=scale,
                today=FIXED_TODAY,
            )
            await session.commit()
        await refresh_statistics(engine)
        _credentials.clear()
        await issue_token(target)
        if target.engine == "postgresql":
            async with engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()
    return Build(
        sites=result.sites,
        findings=result.findings,
        projects=result.projects,
        actions=result.actions,
        seconds=time.perf_counter() - started,
    )


async def existing_estate(target: Target) -> Build:
    """The estate a previous run built and left in place (``--reuse``): counted, and a fresh token issued.
    Its build time is reported as 0."""
    settings = target.settings()
    engine = create_engine(settings, null_pool=True)
    try:
        async with engine.connect() as conn:
            counts = {
                table: int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
                for table in ("site", "accessibility_finding", "refurbishment_project", "remediation_action")
            }
    finally:
        await engine.dispose()
    if not counts["site"]:
        raise RuntimeError(f"--reuse: {target.engine} holds no estate; run once without --reuse to build it")
    _credentials.clear()
    await issue_token(target)
    return Build(
        sites=counts["site"],
        findings=counts["accessibility_finding"],
        projects=counts["refurbishment_project"],
        actions=counts["remediation_action"],
        seconds=0.0,
    )


def statements_for(engine: str, after_build: list[str]) -> list[str]:
    """The --after-build statements meant for ``engine``: unprefixed ones, and ``sqlite:...``/``postgresql:...``."""
    chosen = []
    for statement in after_build:
        prefix, _, rest = statement.partition(":")
        if prefix in ENGINES:
            if prefix == engine:
                chosen.append(rest.strip())
        else:
            chosen.append(statement)
    return chosen


async def run_statements(target: Target, statements: list[str]) -> None:
    """Run hand-written SQL on the built database (to try an index or ANALYZE before changing the service).

    SQLite: in one transaction, committed (the service's engine issues its own BEGIN, so autocommit mode would
    leave the statements uncommitted). PostgreSQL: in autocommit mode, so VACUUM, CREATE INDEX CONCURRENTLY
    and ALTER DATABASE work."""
    if not statements:
        return
    engine = create_engine(target.settings(), null_pool=True)
    try:
        if target.engine == "sqlite":
            async with engine.begin() as conn:
                for statement in statements:
                    await conn.exec_driver_sql(statement)
        else:
            async with engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                for statement in statements:
                    await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


# --- signing in ------------------------------------------------------------------------------------------


BENCH_USERNAME = "benchmark-viewer"
_credentials: dict[str, str] = {}  # the bearer token of the current database's benchmark user, once issued


def request_headers() -> dict[str, str]:
    """Headers sent with every benchmarked API request: the one place that knows how the benchmark signs in."""
    return {"Authorization": f"Bearer {_credentials['token']}"} if "token" in _credentials else {}


async def issue_token(target: Target) -> None:
    """A national read-only (viewer) machine account on the fresh database and a token for it, as
    ``risk-register create-user --machine`` and ``POST /api/auth/tokens`` would make them."""
    settings = target.settings()
    engine = create_engine(settings, null_pool=True)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            users = UserService(session=session)
            user = await users.get_one_or_none(User.username == BENCH_USERNAME) or await users.create_user(
                username=BENCH_USERNAME,
                role=Role.VIEWER,
                area_code=None,
                password=None,
                full_name="Benchmark",
                organisation=load_organisation(settings.config_dir),
            )
            token, _ = await TokenService(session=session).issue(
                user, name="benchmark", kind=TokenKind.MACHINE, lifetime=timedelta(days=1)
            )
            await session.commit()
    finally:
        await engine.dispose()
    _credentials["token"] = token


# --- the API over real HTTP ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def api_server(target: Target, *, startup_timeout: float = 60.0) -> Iterator[str]:
    """Serve the app with uvicorn (1 worker, no access log) in a subprocess; yield its base URL once /health
    answers. The subprocess is stopped on exit."""
    port = free_port()
    env = {**os.environ, **target.server_env()}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "risk_register.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(process, base_url, startup_timeout)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_health(process: subprocess.Popen[bytes], base_url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, headers=request_headers(), timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with code {process.returncode} before /health answered")
            with contextlib.suppress(httpx.TransportError):
                if client.get("/health").status_code == 200:
                    return
            time.sleep(0.1)
    raise RuntimeError(f"{base_url}/health did not answer within {timeout:.0f} s")


# --- timing ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Wall-clock samples of one operation, in seconds."""

    samples: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)] * 1000

    @property
    def min_ms(self) -> float:
        return min(self.samples) * 1000

    def as_dict(self) -> dict[str, float | int]:
        return {
            "n": len(self.samples),
            "median_ms": round(self.median_ms, 3),
            "p95_ms": round(self.p95_ms, 3),
            "min_ms": round(self.min_ms, 3),
        }


def time_sync(operation: Callable[[], object], *, warmup: int, repeat: int) -> Timing:
    for _ in range(warmup):
        operation()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        operation()
        samples.append(time.perf_counter() - started)
    return Timing(samples)


async def time_async(operation: Callable[[], Awaitable[object]], *, warmup: int, repeat: int) -> Timing:
    for _ in range(warmup):
        await operation()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await operation()
        samples.append(time.perf_counter() - started)
    return Timing(samples)
