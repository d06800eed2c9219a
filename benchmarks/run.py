"""Run the benchmarks: ``python -m benchmarks.run [--engines sqlite,postgresql] [--scales 1,10,100] [--repeat N]``.

For each engine and scale: build a fresh database with the demo estate, time the overdue-remediation list
through the API and as raw SQL, print a table and write benchmarks/results/overdue_remediation.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from benchmarks.common import (
    DEFAULT_POSTGRES_URL,
    ENGINES,
    FIXED_TODAY,
    RESULTS_DIR,
    Target,
    build_estate,
    existing_estate,
    make_target,
    run_statements,
    statements_for,
)
from benchmarks.overdue_remediation import API_TARGET_MS, PAGE_SIZE, RATIO_TARGET, Result, measure
from risk_register.settings import PROJECT_ROOT

# Its own database, not the shared default: another benchmark (register_import) drops and creates that one, and
# two runs at once must not drop each other's database mid-load.
POSTGRES_URL = make_url(DEFAULT_POSTGRES_URL).set(database="risk_register_bench_overdue").render_as_string(False)


def _csv(kind: type, allowed: tuple[Any, ...] | None = None) -> Any:
    def parse(value: str) -> list[Any]:
        items = [kind(part.strip()) for part in value.split(",") if part.strip()]
        if not items:
            raise argparse.ArgumentTypeError("give at least one value")
        if allowed is not None and (unknown := [i for i in items if i not in allowed]):
            raise argparse.ArgumentTypeError(f"unknown {unknown}; choose from {', '.join(map(str, allowed))}")
        return items

    return parse


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--engines", type=_csv(str, ENGINES), default=list(ENGINES), help="sqlite,postgresql")
    parser.add_argument("--scales", type=_csv(int), default=[1, 10, 100], help="demo estate sizes (default 1,10,100)")
    parser.add_argument("--repeat", type=int, default=200, help="timed requests/queries per measurement (200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests/queries first (20)")
    parser.add_argument(
        "--postgres-url", default=POSTGRES_URL, help=f"database to drop, create and fill ({POSTGRES_URL})"
    )
    parser.add_argument("--sqlite-dir", type=Path, default=None, help="where to build the SQLite file (a temp dir)")
    parser.add_argument(
        "--output", type=Path, default=RESULTS_DIR / "overdue_remediation.json", help="where to write the JSON"
    )
    parser.add_argument("--blocks", type=int, default=10, help="interleaved blocks the samples are taken in (10)")
    parser.add_argument(
        "--after-build",
        action="append",
        default=[],
        metavar="SQL",
        help="SQL to run on each fresh database before measuring, to try a fix by hand (repeatable; prefix "
        "'sqlite:' or 'postgresql:' for one engine only), e.g. --after-build ANALYZE",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the estate a previous run left in the database (with --sqlite-dir) instead of building one; "
        "one scale only",
    )
    parser.add_argument("--plans", action="store_true", help="print the query plans of every run")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed at the largest scale")
    args = parser.parse_args(argv)
    if args.reuse and len(args.scales) != 1:
        parser.error("--reuse measures what is already built: give one scale")
    if args.repeat < 1 or args.warmup < 0 or args.blocks < 1:
        parser.error("--repeat and --blocks must be at least 1, --warmup at least 0")
    return args


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def results_table(results: list[Result]) -> str:
    header = (
        f"{'engine':<10} {'scale':>5} {'sites':>7} {'actions':>8} {'overdue':>8} {'build s':>8} "
        f"{'API med':>8} {'API p95':>8} {'SQL med':>8} {'API/SQL':>8}  "
        f"{f'API<{API_TARGET_MS:g}ms':<9} {f'ratio<={RATIO_TARGET:g}':<8}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.engine:<10} {r.scale:>4}x {r.build.sites:>7} {r.build.actions:>8} {r.overdue:>8} "
            f"{r.build.seconds:>8.1f} {r.api.median_ms:>8.2f} {r.api.p95_ms:>8.2f} {r.sql.median_ms:>8.2f} "
            f"{r.ratio:>7.1f}x  {_verdict(r.api_ok):<9} {_verdict(r.ratio_ok):<8}"
        )
    return "\n".join(lines)


def _load(result: Result) -> str:
    return "-" if result.load_average is None else "{:.1f}->{:.1f}".format(*result.load_average)


def breakdown_table(results: list[Result]) -> str:
    """Where the API's median goes: the database (raw SQL), the ORM and mapping, and HTTP and the framework."""
    header = (
        f"{'engine':<10} {'scale':>5} {'SQL page':>9} {'SQL count':>10} {'SQL both':>9} "
        f"{'handler':>8} {'ORM+map':>8} {'HTTP+app':>9} {'NOT IN':>9}  {'load avg':>11}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.engine:<10} {r.scale:>4}x {r.sql_page.median_ms:>9.2f} {r.sql_count.median_ms:>10.2f} "
            f"{r.sql.median_ms:>9.2f} {r.handler.median_ms:>8.2f} {r.handler.median_ms - r.sql.median_ms:>8.2f} "
            f"{r.api.median_ms - r.handler.median_ms:>9.2f} {r.sql_in.median_ms:>9.2f}  {_load(r):>11}"
        )
    return "\n".join(lines)


async def _server_version(target: Target) -> str:
    if target.engine == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    # The server's own "postgres" database: the benchmark's may not exist yet.
    engine = create_async_engine(make_url(target.url).set(database="postgres"), poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return "PostgreSQL " + str((await conn.execute(text("SHOW server_version"))).scalar_one())
    finally:
        await engine.dispose()


def _commit() -> str | None:
    """The checked-out commit, with ``-dirty`` when the working tree has changes (None outside a git tree)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
        )
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=PROJECT_ROOT)
    except (OSError, subprocess.CalledProcessError):
        return None
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def _environment(targets: list[Target]) -> dict[str, Any]:
    packages = ["litestar", "advanced-alchemy", "sqlalchemy", "uvicorn", "aiosqlite", "asyncpg", "pydantic", "httpx"]
    return {
        "commit": _commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "packages": {name: version(name) for name in packages},
        "servers": {t.engine: asyncio.run(_server_version(t)) for t in targets},
    }


def main(argv: list[str] | None = None) -> int:
    # Advanced Alchemy 1.12 touches a SQLAlchemy 2.1 deprecated API; not the benchmark's business.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    # A plain `kill` unwinds like Ctrl-C, so the uvicorn subprocess is stopped and the JSON written.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = parse_args(argv)
    started = time.perf_counter()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="risk-register-bench-") as temp:
        sqlite_dir = args.sqlite_dir or Path(temp)
        sqlite_dir.mkdir(parents=True, exist_ok=True)
        targets = [make_target(e, sqlite_dir=sqlite_dir, postgres_url=args.postgres_url) for e in args.engines]
        environment = _environment(targets)
        try:
            for target in targets:
                for scale in args.scales:
                    if args.reuse:
                        built = asyncio.run(existing_estate(target))
                    else:
                        _say(f"[{target.engine} x{scale}] building the demo estate ...")
                        built = asyncio.run(build_estate(target, scale))
                    if extra := statements_for(target.engine, args.after_build):
                        _say(f"[{target.engine} x{scale}] after build: {'; '.join(extra)}")
                        asyncio.run(run_statements(target, extra))
                    _say(
                        f"[{target.engine} x{scale}] built in {built.seconds:.1f} s: {built.sites} sites, "
                        f"{built.actions} remediation actions; measuring ..."
                    )
                    load_before = os.getloadavg()[0]
                    result = measure(target, scale, built, warmup=args.warmup, repeat=args.repeat, blocks=args.blocks)
                    result.load_average = (round(load_before, 2), round(os.getloadavg()[0], 2))
                    results.append(result)
                    _say(
                        f"[{target.engine} x{scale}] API {result.api.median_ms:.2f} ms, SQL "
                        f"{result.sql.median_ms:.2f} ms, ratio {result.ratio:.1f}x"
                    )
                    if args.plans:
                        for name, plan in result.plans.items():
                            _say(f"  plan {name}:\n    " + "\n    ".join(plan))
        finally:
            elapsed = time.perf_counter() - started
            args.output.parent.mkdir(parents=True, exist_ok=True)
            report = {
                "benchmark": "overdue_remediation",
                "request": f"GET /api/remediation-actions?overdue=true&page_size={PAGE_SIZE}",
                "today": FIXED_TODAY.isoformat(),
                "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "total_seconds": round(elapsed, 1),
                "warmup": args.warmup,
                "repeat": args.repeat,
                "blocks": args.blocks,
                "after_build": args.after_build,
                "environment": environment,
                "results": [r.as_dict() for r in results],
            }
            args.output.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(f"Overdue remediation, first page of {PAGE_SIZE} (medians of {args.repeat}; ms)")
    print(results_table(results))
    print()
    print(
        "Where the API's median goes (ms): handler = service call + response mapping in process, no HTTP; "
        "NOT IN = the raw SQL with 'open' as status NOT IN (completed, cancelled), the old spelling"
    )
    print(breakdown_table(results))
    print()
    print(f"total {elapsed:.0f} s; results in {args.output}")
    if args.check:
        largest = max(args.scales)
        missed = [r for r in results if r.scale == largest and not (r.api_ok and r.ratio_ok)]
        return 1 if missed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
