"""The H&S lead's overdue-controls list: ``GET /api/controls/overdue`` (first page of 50) through the API,
against the same question in raw SQL, on SQLite and PostgreSQL, on the 100x demo estate with its generated
controls and a year of checks.

``python -m benchmarks.overdue_controls [--engines sqlite,postgresql] [--scale 100] [--repeat 200] [--reuse]``

* ``api``: the request over real HTTP (uvicorn subprocess, one worker, keep-alive httpx client) with a bearer
  token minted in the database, end to end.
* ``sql``: the baseline. The page of 50 overdue controls with the site and team columns the API returns, and the
  COUNT(*) it returns as ``total``, as literal SQL through the same async driver on a pooled connection. Checked
  to return the API's ids, in the API's order, and the API's total before anything is timed.

Both are timed in interleaved blocks, so a burst of load elsewhere on the machine lands on both alike. The
raw queries' plans (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE) go into the results to show the index in use.
Results: benchmarks/results/overdue_controls.json. Reuses benchmarks/common.py (targets, building the demo
estate - which loads the hazards demo rows too - the uvicorn server and the timers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Date, bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from benchmarks.common import (
    ENGINES,
    FIXED_TODAY,
    RESULTS_DIR,
    Build,
    Target,
    Timing,
    api_server,
    build_estate,
    make_target,
    time_async,
    time_sync,
)
from risk_register.accounts.models import TokenKind, User
from risk_register.accounts.roles import Role
from risk_register.accounts.services import TokenService
from risk_register.db.config import create_engine
from risk_register.hazards.models import ControlCheck, HazardControl

PAGE_SIZE = 50
API_PATH = "/api/controls/overdue"
API_PARAMS = {"page_size": str(PAGE_SIZE)}
API_TARGET_MS = 50.0
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/risk_register_bench_hazards"
BENCH_USER = "bench-hs-lead"

# The columns ControlRow shows (the subject from the site or the team), most overdue first.
PAGE_SQL = text(
    """
    SELECT c.id, c.version, c.hazard_code, c.template_code, c.title, c.owner, c.frequency_unit,
           c.frequency_count, c.first_due_on, c.retired_on, c.next_due_on, c.last_checked_on, c.last_outcome,
           c.site_id, c.team_id, s.code AS site_code, s.name AS site_name, s.site_type, s.region_code AS site_region,
           s.pdu_code AS site_pdu, t.code AS team_code, t.name AS team_name, t.region_code AS team_region,
           t.pdu_code AS team_pdu
    FROM hazard_control AS c
    LEFT JOIN site AS s ON s.id = c.site_id
    LEFT JOIN team AS t ON t.id = c.team_id
    WHERE c.retired_on IS NULL AND c.next_due_on < :today
    ORDER BY c.next_due_on, c.id
    LIMIT 50
    """
).bindparams(bindparam("today", type_=Date))
COUNT_SQL = text(
    "SELECT count(*) FROM hazard_control AS c WHERE c.retired_on IS NULL AND c.next_due_on < :today"
).bindparams(bindparam("today", type_=Date))


@dataclass
class Result:
    engine: str
    scale: int
    build: Build | None
    controls: int
    checks: int
    overdue: int
    api: Timing
    sql: Timing
    plans: dict[str, list[str]] = field(default_factory=dict)
    load_average: tuple[float, float] | None = None

    @property
    def ratio(self) -> float:
        return self.api.median_ms / self.sql.median_ms

    @property
    def api_ok(self) -> bool:
        return self.api.median_ms < API_TARGET_MS

    def as_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "scale": self.scale,
            "rows": {
                "sites": self.build.sites if self.build else None,
                "controls": self.controls,
                "checks": self.checks,
                "overdue": self.overdue,
            },
            "build_seconds": round(self.build.seconds, 1) if self.build else None,
            "load_average_before_after": self.load_average,
            "api": self.api.as_dict(),
            "sql": self.sql.as_dict(),
            "ratio_api_to_sql": round(self.ratio, 2),
            "target": {"api_median_ms_below": API_TARGET_MS, "api_ok": self.api_ok},
            "plans": self.plans,
        }


def _uuid(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return str(uuid.UUID(bytes=bytes(value)))
    return str(uuid.UUID(str(value)))


async def mint_token(target: Target) -> tuple[str, int, int]:
    """A bearer token for a national H&S lead, written straight into the database (as tests/conftest.py does),
    and the numbers of controls and checks."""
    engine = create_engine(target.settings(), null_pool=True)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            user = await session.scalar(select(User).where(User.username == BENCH_USER))
            if user is None:
                user = User(
                    username=BENCH_USER,
                    role=Role.HS_LEAD,
                    area_code=None,
                    is_active=True,
                    full_name="Benchmark",
                    password_hash=None,
                )
                session.add(user)
                await session.flush()
            token, _ = await TokenService(session=session).issue(
                user, name="benchmark", kind=TokenKind.PERSONAL, lifetime=timedelta(hours=6)
            )
            controls = int(await session.scalar(select(func.count()).select_from(HazardControl)) or 0)
            checks = int(await session.scalar(select(func.count()).select_from(ControlCheck)) or 0)
            await session.commit()
    finally:
        await engine.dispose()
    return token, controls, checks


async def raw_sql(engine: AsyncEngine) -> tuple[list[str], int]:
    async with engine.connect() as conn:
        rows = (await conn.execute(PAGE_SQL, {"today": FIXED_TODAY})).all()
        total = (await conn.execute(COUNT_SQL, {"today": FIXED_TODAY})).scalar_one()
    return [_uuid(row.id) for row in rows], int(total)


async def explain(engine: AsyncEngine) -> dict[str, list[str]]:
    plans = {}
    async with engine.connect() as conn:
        for name, statement in (("page", PAGE_SQL), ("count", COUNT_SQL)):
            if engine.dialect.name == "sqlite":
                prefix = "EXPLAIN QUERY PLAN "
                rows = (await conn.execute(text(prefix + str(statement)), {"today": FIXED_TODAY.isoformat()})).all()
                plans[name] = [str(row[-1]) for row in rows]
            else:
                prefix = "EXPLAIN (ANALYZE, BUFFERS) "
                rows = (await conn.execute(text(prefix + str(statement)), {"today": FIXED_TODAY})).all()
                plans[name] = [str(row[0]) for row in rows]
    return plans


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def measure(target: Target, scale: int, built: Build | None, *, warmup: int, repeat: int, blocks: int = 10) -> Result:
    token, controls, checks = asyncio.run(mint_token(target))
    headers = {"Authorization": f"Bearer {token}"}
    per_block = max(1, -(-repeat // blocks))
    load_before = _load()
    with (
        api_server(target) as base_url,
        httpx.Client(base_url=base_url, headers=headers, timeout=60.0) as client,
        asyncio.Runner() as runner,
    ):
        engine = create_engine(target.settings())
        try:
            response = client.get(API_PATH, params=API_PARAMS)
            if response.status_code != 200:
                raise RuntimeError(f"GET {API_PATH} answered {response.status_code}: {response.text[:500]}")
            body = response.json()
            api_ids, api_total = [item["id"] for item in body["items"]], int(body["total"])
            sql_ids, sql_total = runner.run(raw_sql(engine))
            if sql_ids != api_ids or sql_total != api_total:
                raise AssertionError(f"{target.engine}: raw SQL ({sql_total}) and the API ({api_total}) disagree")

            def api_request() -> None:
                client.get(API_PATH, params=API_PARAMS).raise_for_status()

            time_sync(api_request, warmup=warmup, repeat=0)
            runner.run(time_async(lambda: raw_sql(engine), warmup=warmup, repeat=0))
            api_samples: list[float] = []
            sql_samples: list[float] = []
            for block in range(blocks):
                order = ("api", "sql") if block % 2 == 0 else ("sql", "api")
                for name in order:
                    if name == "api":
                        api_samples += time_sync(api_request, warmup=0, repeat=per_block).samples
                    else:
                        sql_samples += runner.run(
                            time_async(lambda: raw_sql(engine), warmup=0, repeat=per_block)
                        ).samples
            plans = runner.run(explain(engine))
        finally:
            runner.run(engine.dispose())
    return Result(
        engine=target.engine,
        scale=scale,
        build=built,
        controls=controls,
        checks=checks,
        overdue=api_total,
        api=Timing(api_samples),
        sql=Timing(sql_samples),
        plans=plans,
        load_average=(load_before, _load()),
    )


def table(results: list[Result]) -> str:
    header = (
        f"{'engine':<10} {'scale':>5} {'controls':>9} {'checks':>9} {'overdue':>8} {'build s':>8} "
        f"{'API med':>8} {'API p95':>8} {'SQL med':>8} {'API/SQL':>8}  API<{API_TARGET_MS:g}ms"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        build = f"{r.build.seconds:>8.1f}" if r.build else f"{'reused':>8}"
        lines.append(
            f"{r.engine:<10} {r.scale:>4}x {r.controls:>9} {r.checks:>9} {r.overdue:>8} {build} "
            f"{r.api.median_ms:>8.2f} {r.api.p95_ms:>8.2f} {r.sql.median_ms:>8.2f} {r.ratio:>7.1f}x  "
            f"{'pass' if r.api_ok else 'FAIL'}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.overdue_controls", description=__doc__)
    parser.add_argument("--engines", default=",".join(ENGINES), help="sqlite,postgresql")
    parser.add_argument("--scale", type=int, default=100, help="demo estate size (default 100)")
    parser.add_argument("--repeat", type=int, default=200, help="timed requests/queries each (200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests/queries first (20)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="database to drop, create and fill")
    parser.add_argument("--sqlite-dir", type=Path, default=None, help="where the SQLite file is (a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="measure the databases already built (no rebuild)")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "overdue_controls.json")
    parser.add_argument("--check", action="store_true", help="exit 1 if the API target is missed")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not engines or any(e not in ENGINES for e in engines):
        parser.error(f"--engines: choose from {', '.join(ENGINES)}")
    if args.reuse and args.sqlite_dir is None and "sqlite" in engines:
        parser.error("--reuse needs --sqlite-dir for SQLite")
    args.engines = engines
    return args


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    args = parse_args(argv)
    started = time.perf_counter()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="risk-register-hazards-bench-") as temp:
        sqlite_dir = args.sqlite_dir or Path(temp)
        sqlite_dir.mkdir(parents=True, exist_ok=True)
        for engine in args.engines:
            target = make_target(engine, sqlite_dir=sqlite_dir, postgres_url=args.postgres_url)
            built = None
            if not args.reuse:
                print(
                    f"[{engine} x{args.scale}] building the demo estate with hazards ...", file=sys.stderr, flush=True
                )
                built = asyncio.run(build_estate(target, args.scale))
                print(f"[{engine} x{args.scale}] built in {built.seconds:.0f} s", file=sys.stderr, flush=True)
            result = measure(target, args.scale, built, warmup=args.warmup, repeat=args.repeat)
            results.append(result)
            print(
                f"[{engine} x{args.scale}] API {result.api.median_ms:.2f} ms, SQL {result.sql.median_ms:.2f} ms",
                file=sys.stderr,
                flush=True,
            )
    report = {
        "benchmark": "overdue_controls",
        "request": f"GET {API_PATH}?page_size={PAGE_SIZE}",
        "today": FIXED_TODAY.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "total_seconds": round(time.perf_counter() - started, 1),
        "warmup": args.warmup,
        "repeat": args.repeat,
        "environment": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "results": [r.as_dict() for r in results],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nOverdue controls, first page of {PAGE_SIZE} (medians of {args.repeat}; ms)")
    print(table(results))
    print(f"\nresults in {args.output}")
    if args.check and not all(r.api_ok for r in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
