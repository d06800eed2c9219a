"""The overdue-remediation list: first page of 50 through the API, against the same query in raw SQL.

Three timings per database:

* ``api``: ``GET /api/remediation-actions?overdue=true&page_size=50`` over real HTTP (uvicorn subprocess,
  keep-alive client), end to end.
* ``handler``: what the handler does, in process, with no HTTP: the service's ``list_page`` with the
  same filters and ordering, and the same ``remediation_read_row`` mapping. It splits the API's time into
  database + ORM on one side and HTTP + Litestar + serialisation on the other.
* ``sql``: the baseline. The same question as literal SQL through the same async driver: the page of 50 open
  overdue actions joined to site and region for the columns the API returns, and the COUNT(*) the API
  returns as ``total``. It is checked to return the API's ids, in the API's order, and the API's total.

The SQL the ORM actually sends is captured, and its plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on
PostgreSQL) is kept in the results beside the raw query's plan.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Date, TextClause, bindparam, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from benchmarks.common import (
    FIXED_TODAY,
    Build,
    Target,
    Timing,
    api_server,
    request_headers,
    time_async,
    time_sync,
)
from risk_register.db.config import create_engine
from risk_register.estates.remediation_list import RemediationListQuery
from risk_register.estates.schemas import remediation_read_row
from risk_register.estates.services import RemediationService

PAGE_SIZE = 50
API_PATH = "/api/remediation-actions"
API_PARAMS = {"overdue": "true", "page_size": str(PAGE_SIZE)}
API_TARGET_MS = 50.0
RATIO_TARGET = 2.0

# "Open" spelled as the statuses that remain (as estates/queries.py does), which the (status, target_date) index
# can use as an index condition, and as "not completed or cancelled", which it cannot.
NOT_CLOSED = "a.status NOT IN ('completed', 'cancelled')"
OPEN_IN = "a.status IN ('in_progress', 'parts_awaited', 'reported')"


def page_sql(open_condition: str) -> TextClause:
    """The first page: the columns RemediationRead returns (site as a SiteRef, whose area_code is the region's)."""
    return text(
        f"""
        SELECT a.id, a.version, a.created_at, a.updated_at, a.system, a.description, a.priority, a.status,
               a.reported_on, a.target_date, a.blocker, a.completed_on,
               s.id AS site_id, s.code AS site_code, s.name AS site_name, s.site_type, s.region_code, r.area_code
        FROM remediation_action AS a
        JOIN site AS s ON s.id = a.site_id
        JOIN region AS r ON r.code = s.region_code
        WHERE {open_condition} AND a.target_date < :today
        ORDER BY a.target_date, a.id
        LIMIT 50
        """
    ).bindparams(bindparam("today", type_=Date))


def count_sql(open_condition: str) -> TextClause:
    """The total the API returns with the page."""
    return text(
        f"""
        SELECT count(*)
        FROM remediation_action AS a
        WHERE {open_condition} AND a.target_date < :today
        """
    ).bindparams(bindparam("today", type_=Date))


# The baseline: the API's query, as literal SQL ("open" as the IN list estates/queries.py now uses).
PAGE_SQL = page_sql(OPEN_IN)
COUNT_SQL = count_sql(OPEN_IN)
# Diagnostic: the NOT IN spelling the service used before, kept to show what it cost.
PAGE_SQL_IN = page_sql(NOT_CLOSED)
COUNT_SQL_IN = count_sql(NOT_CLOSED)


@dataclass
class Result:
    engine: str
    scale: int
    build: Build
    overdue: int
    api: Timing
    handler: Timing
    sql: Timing
    sql_page: Timing
    sql_count: Timing
    sql_in: Timing
    plans: dict[str, list[str]] = field(default_factory=dict)
    orm_sql: list[str] = field(default_factory=list)
    load_average: tuple[float, float] | None = None  # 1-minute load before and after measuring

    @property
    def ratio(self) -> float:
        return self.api.median_ms / self.sql.median_ms

    @property
    def api_ok(self) -> bool:
        return self.api.median_ms < API_TARGET_MS

    @property
    def ratio_ok(self) -> bool:
        return self.ratio <= RATIO_TARGET

    def as_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "scale": self.scale,
            "rows": {
                "sites": self.build.sites,
                "findings": self.build.findings,
                "projects": self.build.projects,
                "actions": self.build.actions,
                "overdue": self.overdue,
            },
            "build_seconds": round(self.build.seconds, 2),
            "load_average_before_after": self.load_average,
            "api": self.api.as_dict(),
            "handler_in_process": self.handler.as_dict(),
            "sql": self.sql.as_dict(),
            "sql_page_only": self.sql_page.as_dict(),
            "sql_count_only": self.sql_count.as_dict(),
            "sql_status_not_in": self.sql_in.as_dict(),
            "ratio_api_to_sql": round(self.ratio, 2),
            "targets": {
                "api_median_ms_below": API_TARGET_MS,
                "api_ok": self.api_ok,
                "ratio_at_most": RATIO_TARGET,
                "ratio_ok": self.ratio_ok,
            },
            "orm_sql": self.orm_sql,
            "plans": self.plans,
        }


def _uuid(value: Any) -> str:
    """Ids as the API spells them, whatever the driver returns (UUID, asyncpg's UUID, 16 bytes, 32 hex)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return str(uuid.UUID(bytes=bytes(value)))
    return str(uuid.UUID(str(value)))


@contextlib.contextmanager
def captured_sql(engine: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement the engine sends while the block runs, as the driver receives it, with its parameters."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)


# --- the three ways of asking ------------------------------------------------------------------------------


async def raw_sql(
    engine: AsyncEngine, page: TextClause = PAGE_SQL, count: TextClause = COUNT_SQL
) -> tuple[list[str], int]:
    """The baseline: page + count on a connection checked out of the pool, as each API request does."""
    async with engine.connect() as conn:
        rows = (await conn.execute(page, {"today": FIXED_TODAY})).all()
        total = (await conn.execute(count, {"today": FIXED_TODAY})).scalar_one()
    return [_uuid(row.id) for row in rows], int(total)


async def raw_page_only(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        (await conn.execute(PAGE_SQL, {"today": FIXED_TODAY})).all()


async def raw_count_only(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        (await conn.execute(COUNT_SQL, {"today": FIXED_TODAY})).scalar_one()


async def handler(sessions: async_sessionmaker[Any]) -> tuple[list[str], int]:
    """What the list handler does, without HTTP: the service's list_page with the question the handler asks
    (overdue, most overdue first), the same remediation_read_row mapping, and the commit the autocommit handler
    makes."""
    async with sessions() as session:
        service = RemediationService(session=session)
        query = RemediationListQuery(
            today=FIXED_TODAY, overdue=True, sort="target_date", descending=False, limit=PAGE_SIZE, offset=0
        )
        rows, total = await service.list_page(query)
        page = [remediation_read_row(row, FIXED_TODAY) for row in rows]
        await session.commit()
    return [str(item.id) for item in page], total


def api_page(client: httpx.Client) -> tuple[list[str], int]:
    response = client.get(API_PATH, params=API_PARAMS)
    if response.status_code != 200:
        raise RuntimeError(f"GET {API_PATH} answered {response.status_code}: {response.text[:500]}")
    body = response.json()
    return [item["id"] for item in body["items"]], int(body["total"])


# --- plans -----------------------------------------------------------------------------------------------


async def explain(engine: AsyncEngine, statement: str, parameters: Any) -> list[str]:
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            nodes: list[Any] = list((await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)).all())
            depth: dict[int, int] = {0: -1}
            lines = []
            for node_id, parent, _unused, detail in nodes:  # indent each node under its parent
                depth[node_id] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node_id] + str(detail))
            return lines
        plan = (await conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)).all()
        return [str(row[0]) for row in plan]


async def plans_for(engine: AsyncEngine, captured: dict[str, list[tuple[str, Any]]]) -> dict[str, list[str]]:
    """Plans of the SELECTs each path sent, keyed ``orm_0`` (the ORM's count), ``orm_1`` (its page), ``raw_0``...

    On PostgreSQL these are one-off (custom) plans: after five executions of a prepared statement the server
    may switch to a generic plan, which EXPLAIN here does not show."""
    plans: dict[str, list[str]] = {}
    for path, statements in captured.items():
        selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]
        for index, (statement, parameters) in enumerate(selects):
            plans[f"{path}_{index}"] = await explain(engine, statement, parameters)
    return plans


def _require(condition: bool, message: str) -> None:
    """An assertion that ``python -O`` does not remove: a baseline answering another question is worthless."""
    if not condition:
        raise AssertionError(message)


# --- one engine x scale ----------------------------------------------------------------------------------


def measure(target: Target, scale: int, built: Build, *, warmup: int, repeat: int, blocks: int = 10) -> Result:
    """Check the three ways of asking agree, then time them in interleaved blocks.

    The uvicorn server runs throughout; the API is timed from this process with a keep-alive client, the raw
    SQL and the in-process handler on an engine of this process's own. Interleaving the blocks means a burst of
    load from elsewhere on the machine lands on all of them alike rather than on whichever ran then.
    """
    where = f"{target.engine} x{scale}"
    per_block = max(1, math.ceil(repeat / blocks))
    part = max(1, per_block // 2)  # the diagnostic timings (handler, page alone, count alone, IN form): half as many
    with (
        api_server(target) as base_url,
        httpx.Client(base_url=base_url, headers=request_headers(), timeout=60.0) as client,
        asyncio.Runner() as runner,
    ):
        engine = create_engine(target.settings())  # pooled, as the service's own engine
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        try:
            api_ids, api_total = api_page(client)
            with captured_sql(engine) as raw_sent:
                sql_ids, sql_total = runner.run(raw_sql(engine))
            in_ids, in_total = runner.run(raw_sql(engine, PAGE_SQL_IN, COUNT_SQL_IN))
            with captured_sql(engine) as orm_sent:
                handler_ids, handler_total = runner.run(handler(sessions))
            _require(len(api_ids) == min(PAGE_SIZE, api_total), f"{where}: the API's page has {len(api_ids)} items")
            _require(sql_ids == api_ids, f"{where}: the raw SQL page differs from the API's first page")
            _require(sql_total == api_total, f"{where}: raw COUNT {sql_total} != the API's total {api_total}")
            _require((in_ids, in_total) == (api_ids, api_total), f"{where}: the IN form of the raw SQL differs")
            _require(handler_ids == api_ids, f"{where}: the in-process handler's page differs from the API's")
            _require(handler_total == api_total, f"{where}: the in-process handler's total differs from the API's")

            def api_request() -> None:
                client.get(API_PATH, params=API_PARAMS).raise_for_status()

            in_process: dict[str, Callable[[], Awaitable[object]]] = {
                "sql": lambda: raw_sql(engine),
                "handler": lambda: handler(sessions),
                "sql_page": lambda: raw_page_only(engine),
                "sql_count": lambda: raw_count_only(engine),
                "sql_in": lambda: raw_sql(engine, PAGE_SQL_IN, COUNT_SQL_IN),
            }

            def timed(name: str, warm: int, count: int) -> Timing:
                if name == "api":
                    return time_sync(api_request, warmup=warm, repeat=count)
                return runner.run(time_async(in_process[name], warmup=warm, repeat=count))

            sizes = {
                "api": per_block,
                "sql": per_block,
                "handler": part,
                "sql_page": part,
                "sql_count": part,
                "sql_in": part,
            }
            names = list(sizes)
            for name in names:
                timed(name, warmup, 0)
            samples: dict[str, list[float]] = {name: [] for name in names}
            for block in range(blocks):
                for name in names[block % len(names) :] + names[: block % len(names)]:
                    samples[name].extend(timed(name, 0, sizes[name]).samples)
            plans = runner.run(plans_for(engine, {"orm": orm_sent, "raw": raw_sent}))
        finally:
            runner.run(engine.dispose())
    return Result(
        engine=target.engine,
        scale=scale,
        build=built,
        overdue=api_total,
        api=Timing(samples["api"]),
        handler=Timing(samples["handler"]),
        sql=Timing(samples["sql"]),
        sql_page=Timing(samples["sql_page"]),
        sql_count=Timing(samples["sql_count"]),
        sql_in=Timing(samples["sql_in"]),
        plans=plans,
        orm_sql=[statement for statement, _ in orm_sent],
    )
