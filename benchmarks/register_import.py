"""Import a 10,000-row register (XLSX) through the API and compare with polars reading the same file alone.

``python -m benchmarks.register_import [--engines sqlite,postgresql] [--rows 10000] [--repeat 5]``

For each database engine: a fresh migrated database, an admin token minted directly in it, and the app served by
uvicorn in a subprocess (benchmarks/common.py). A deterministic workbook is generated the way an Area keeps one
(its own header variants, UK dates as text and as date cells, scores as numbers and as words). Timed, each over
real HTTP with a keep-alive client, median of ``--repeat`` runs:

* ``first import``: POST /api/registers/{id}/import into an empty register (one Area register per run; regional
  registers once the seven Areas are used): reads, validates every row and writes every risk, its first
  version and its audit event.
* ``re-import``: the same file into a register that already holds it: reads, validates, compares, writes only
  the import log entry (nothing changes).
* ``dry run``: the same file with dry_run=true.
* ``bare read``: ``polars.read_excel(engine="calamine", infer_schema_length=0)`` on the same bytes, in process:
  exactly the read the importer starts with.

Targets (issue 5): first import under 5 s and under 4x the bare read. Results go to
benchmarks/results/register_import.json.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import xlsxwriter
from sqlalchemy.engine import make_url

from benchmarks.common import (
    DEFAULT_POSTGRES_URL,
    ENGINES,
    FIXED_TODAY,
    RESULTS_DIR,
    Target,
    api_server,
    make_target,
    recreate_database,
)

# Its own database, so it never drops one another benchmark is using at the same moment.
POSTGRES_URL = make_url(DEFAULT_POSTGRES_URL).set(database="risk_register_bench_registers").render_as_string(False)
TARGET_SECONDS = 5.0
TARGET_RATIO = 4.0
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [
    "Risk ID", "Risk title", "Description", "Cause", "Consequence", "Risk category", "Risk owner",
    "Inherent L", "Inherent I", "Current L", "Current I", "Target L", "Target I", "Status", "Date raised",
    "Last review", "Next review date", "National ref", "Comments",
]  # fmt: skip
CATEGORIES = ["H&S", "Estates", "People", "ICT", "Public protection", "Rehabilitation", "CRS", "Finance", "Governance"]
WORDS = ["Low", "Medium", "High", "Very high", "very low"]
STATUSES = ["Open", "Open", "Open", "Escalated", "Tolerated", "Closed"]
SUBJECTS = [
    "Legionella control at approved premises",
    "Work-related stress in case management teams",
    "Gas safety certificates at leased offices",
    "Fixed electrical inspections overdue",
    "Unpaid work depot welfare facilities",
    "Lone working on home visits",
    "Case management system availability",
    "Recruitment of probation officers",
    "Commissioned rehabilitative services performance",
    "Fire risk assessments not reviewed",
]


def workbook(rows: int, seed: int = 20250630) -> bytes:
    """A deterministic Area register of ``rows`` risks, as a person keeps one."""
    rng = random.Random(seed)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    uk = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet = book.add_worksheet("Area risk register")
    sheet.write_row(0, 0, HEADERS)
    start = date(2023, 4, 1)
    for r in range(1, rows + 1):
        subject = SUBJECTS[r % len(SUBJECTS)]
        raised = start + timedelta(days=rng.randrange(0, 700))
        reviewed = raised + timedelta(days=rng.randrange(0, 60))
        next_review = reviewed + timedelta(days=rng.choice([30, 90, 180]))
        inherent = (rng.randint(3, 5), rng.randint(3, 5))
        current = (rng.randint(1, inherent[0]), rng.randint(1, inherent[1]))
        target = (rng.randint(1, current[0]), rng.randint(1, current[1]))
        values: list[Any] = [
            f"AR-{r:05d}",
            f"{subject} ({r})",
            f"{subject}: risk that controls lapse at one or more sites, leaving staff or people on probation exposed.",
            "Contractor capacity; vacancies; competing priorities",
            "Harm to staff or the public; enforcement action; loss of confidence",
            rng.choice(CATEGORIES),
            rng.choice(["Head of Estates", "Area H&S lead", "Head of Operations", "AED"]),
            inherent[0],
            inherent[1],
            WORDS[current[0] - 1] if r % 3 == 0 else current[0],
            current[1],
            target[0],
            target[1],
            rng.choice(STATUSES),
            None,  # written as a date cell below
            reviewed.strftime("%d/%m/%Y"),
            next_review.strftime("%d/%m/%Y"),
            f"NR-{rng.randint(1, 30):02d}" if r % 2 else "",
            "",
        ]
        for c, value in enumerate(values):
            if value is None:
                sheet.write_datetime(r, c, raised, uk)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value:
                sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def bare_read(content: bytes) -> pl.DataFrame:
    return pl.read_excel(io.BytesIO(content), engine="calamine", infer_schema_length=0)


# --- set-up ----------------------------------------------------------------------------------------------


async def prepare(target: Target) -> str:
    """A fresh migrated database with the organisation, and an admin's bearer token minted in it."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from risk_register.accounts.models import TokenKind, User
    from risk_register.accounts.roles import Role
    from risk_register.accounts.services import TokenService
    from risk_register.db.config import create_engine
    from risk_register.db.migrate import upgrade
    from risk_register.organisation.reference import load_organisation
    from risk_register.organisation.services import sync_organisation

    await recreate_database(target)
    settings = target.settings()
    engine = create_engine(settings, null_pool=True)
    try:
        await upgrade(engine, settings)
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            await sync_organisation(session, load_organisation(settings.config_dir))
            user = User(
                username="bench-admin",
                role=Role.ADMIN,
                area_code=None,
                is_active=True,
                full_name=None,
                password_hash=None,
            )
            session.add(user)
            await session.flush()
            token, _ = await TokenService(session=session).issue(
                user, name="benchmark", kind=TokenKind.PERSONAL, lifetime=timedelta(days=1)
            )
            await session.commit()
    finally:
        await engine.dispose()
    return str(token)


def empty_registers(client: httpx.Client, needed: int) -> list[str]:
    """Area registers first, then new regional registers, until there are ``needed`` empty ones."""
    page = client.get("/api/registers", params={"level": "area", "page_size": 50}).json()
    ids = [r["id"] for r in page["items"]]
    regions = iter(
        [
            "north-west", "greater-manchester", "north-east", "yorkshire-and-the-humber", "west-midlands",
            "east-midlands", "wales", "london", "kent-surrey-and-sussex", "east-of-england", "south-west",
            "south-central",
        ]
    )  # fmt: skip
    while len(ids) < needed:
        response = client.post("/api/registers", json={"region_code": next(regions), "owner": "Benchmark"})
        response.raise_for_status()
        ids.append(response.json()["id"])
    return ids[:needed]


# --- measuring -------------------------------------------------------------------------------------------


@dataclass
class Result:
    engine: str
    rows: int
    file_bytes: int
    bare_read_s: list[float]
    first_import_s: list[float]
    reimport_s: list[float]
    dry_run_s: list[float]
    load_average: tuple[float, float]  # 1-minute load average before and after the measurements

    @staticmethod
    def _median(samples: list[float]) -> float:
        return statistics.median(samples)

    @property
    def ratio(self) -> float:
        return self._median(self.first_import_s) / self._median(self.bare_read_s)

    @property
    def ok(self) -> bool:
        return self._median(self.first_import_s) < TARGET_SECONDS and self.ratio < TARGET_RATIO

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = asdict(self)
        data["median_s"] = {
            "bare_read": round(self._median(self.bare_read_s), 3),
            "first_import": round(self._median(self.first_import_s), 3),
            "reimport": round(self._median(self.reimport_s), 3),
            "dry_run": round(self._median(self.dry_run_s), 3),
        }
        data["ratio_first_import_to_bare_read"] = round(self.ratio, 2)
        data["ratio_reimport_to_bare_read"] = round(self._median(self.reimport_s) / self._median(self.bare_read_s), 2)
        data["targets"] = {"seconds": TARGET_SECONDS, "ratio": TARGET_RATIO, "met": self.ok}
        return data


def _timed_post(client: httpx.Client, url: str, content: bytes, **params: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = client.post(url, content=content, headers={"Content-Type": XLSX}, params=params)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"import answered {response.status_code}: {response.text[:2000]}")
    return elapsed, response.json()


def measure(target: Target, content: bytes, rows: int, repeat: int) -> Result:
    load_before = os.getloadavg()[0]
    bare = []
    bare_read(content)  # warm-up: first call loads the reader
    for _ in range(repeat):
        started = time.perf_counter()
        frame = bare_read(content)
        bare.append(time.perf_counter() - started)
    assert frame.height == rows
    token = asyncio.run(prepare(target))
    first, again, dry = [], [], []
    with (
        api_server(target) as base_url,
        httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=300.0) as client,
    ):
        registers = empty_registers(client, repeat)
        for register_id in registers:
            elapsed, body = _timed_post(client, f"/api/registers/{register_id}/import", content, filename="bench.xlsx")
            assert body["counts"]["created"] == rows, body["counts"]
            first.append(elapsed)
            _say(f"[{target.engine}] first import {elapsed:.2f} s")
        for _ in range(repeat):
            elapsed, body = _timed_post(client, f"/api/registers/{registers[0]}/import", content)
            assert body["counts"]["unchanged"] == rows, body["counts"]
            again.append(elapsed)
        for _ in range(repeat):
            elapsed, body = _timed_post(client, f"/api/registers/{registers[0]}/import", content, dry_run="true")
            assert body["dry_run"]
            dry.append(elapsed)
    return Result(target.engine, rows, len(content), bare, first, again, dry, (load_before, os.getloadavg()[0]))


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def table(results: list[Result]) -> str:
    header = (
        f"{'engine':<10} {'rows':>6} {'file MB':>7} {'read s':>7} {'import s':>8} {'ratio':>6} "
        f"{'re-import s':>11} {'dry run s':>9}  {f'<{TARGET_SECONDS:g}s and <{TARGET_RATIO:g}x':<14} {'load avg':>11}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        med = r.as_dict()["median_s"]
        lines.append(
            f"{r.engine:<10} {r.rows:>6} {r.file_bytes / 1e6:>7.2f} {med['bare_read']:>7.3f} "
            f"{med['first_import']:>8.3f} {r.ratio:>5.1f}x {med['reimport']:>11.3f} {med['dry_run']:>9.3f}  "
            f"{'pass' if r.ok else 'FAIL':<14} {r.load_average[0]:>5.2f}-{r.load_average[1]:<5.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    parser = argparse.ArgumentParser(prog="python -m benchmarks.register_import", description=__doc__)
    parser.add_argument("--engines", default=",".join(ENGINES), help="sqlite,postgresql")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each measurement (5)")
    parser.add_argument("--postgres-url", default=POSTGRES_URL, help="database to drop, create and fill")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "register_import.json")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if args.repeat < 1 or args.repeat > 19 or args.rows < 1:
        parser.error("--repeat must be 1..19 (one empty register per run) and --rows at least 1")
    content = workbook(args.rows)
    _say(f"workbook: {args.rows} rows, {len(content) / 1e6:.2f} MB")
    results = []
    with tempfile.TemporaryDirectory(prefix="risk-register-bench-") as temp:
        for engine in engines:
            target = make_target(engine, sqlite_dir=Path(temp), postgres_url=args.postgres_url)
            results.append(measure(target, content, args.rows, args.repeat))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {
                "benchmark": "register_import",
                "request": "POST /api/registers/{id}/import (XLSX body)",
                "today": FIXED_TODAY.isoformat(),
                "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "repeat": args.repeat,
                "results": [r.as_dict() for r in results],
            },
            indent=2,
        )
        + "\n"
    )
    print(f"Register import, {args.rows} rows XLSX (medians of {args.repeat}; seconds)")
    print(table(results))
    print(f"load average: 1-minute, before-after each engine's measurements, on {os.cpu_count()} CPUs")
    print(f"results in {args.output}")
    return 1 if args.check and not all(r.ok for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
