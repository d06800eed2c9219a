"""Alignment benchmark: ``python -m benchmarks.alignment_report [--engines sqlite,postgresql] [--scales 1,100]``.

1. The national alignment report (GET /api/alignment/reports/alignment, all Areas) through the API over real
   HTTP on the demo at each scale (estate, controls and checks, registers scaled with it, their site and hazard
   links, actions, alignment links and coverage marks), median of N requests. In the same run, interleaved
   with the requests in blocks, the handler's steps are timed in process on the same database: building the
   networkx graph as the handler does (``build_graph(dependencies=False)``: risks and alignment only),
   assembling the report from it, and validating the response model; the graph's share is its median over the
   API's median. The whole graph (actions, controls, assessments, hazards, sites too: what the uncontrolled
   report and the exports build) is timed beside it, and so is the uncontrolled report through the API (it builds
   the whole graph), with how often each reason occurs. Targets: < 200 ms at 1x, < 5 s at 100x.
2. What a cached graph would have to check on every request to be safe: the newest ``updated_at`` and the row
   count of every table the graph reads (the "fingerprint" query), timed the same way.
3. A full suggestion pass: 5,000 Area risks against 500 national risks (synthetic text made from the labelled
   set's vocabulary), timed in-process. Target: < 2 s.

Writes benchmarks/results/alignment_report.json (``--out``: elsewhere, for two runs at once). ``--sqlite-dir DIR
--reuse`` keeps and reuses built databases (PostgreSQL: the database at ``--postgres-url``) when they already
hold the demo at that scale.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from benchmarks.common import (
    DEFAULT_POSTGRES_URL,
    FIXED_TODAY,
    RESULTS_DIR,
    Target,
    Timing,
    api_server,
    build_estate,
    issue_token,
    make_target,
    request_headers,
)
from risk_register.alignment import views
from risk_register.alignment.graph import build_graph
from risk_register.alignment.models import AlignmentLink, NationalCoverage
from risk_register.alignment.schemas import AlignmentReport
from risk_register.alignment.settings import load_alignment_settings
from risk_register.alignment.suggestions import RiskProfile, suggest
from risk_register.core.context import Context
from risk_register.db.config import create_engine
from risk_register.estates.models import Site
from risk_register.estates.rules import load_estates_rules
from risk_register.hazards.config import load_hazard_rules
from risk_register.hazards.models import HazardControl, RiskAssessment
from risk_register.organisation.reference import load_organisation
from risk_register.registers.enums import LinkKind
from risk_register.registers.models import Register, Risk, RiskAction, RiskLink
from risk_register.registers.rules import load_register_rules
from risk_register.settings import PROJECT_ROOT

LABELLED = PROJECT_ROOT / "tests" / "data" / "alignment_labelled.toml"
TARGETS_MS = {1: 200.0, 100: 5000.0}
SUGGESTION_TARGET_S = 2.0
REPORT_PATH = "/api/alignment/reports/alignment"
UNCONTROLLED_PATH = "/api/alignment/reports/uncontrolled"
# Its own PostgreSQL database: the other benchmarks drop and create theirs, and two runs at once must not drop
# each other's database mid-load.
POSTGRES_URL = make_url(DEFAULT_POSTGRES_URL).set(database="risk_register_bench_alignment").render_as_string(False)
# Every table the graph is built from: what a cache of it would have to watch.
GRAPH_TABLES = (
    Register,
    Risk,
    RiskAction,
    RiskLink,
    AlignmentLink,
    NationalCoverage,
    HazardControl,
    RiskAssessment,
    Site,
)


def context_for(target: Target) -> Context:
    settings = target.settings()
    config = settings.config_dir
    return Context(
        organisation=load_organisation(config),
        estates_rules=load_estates_rules(config),
        hazard_rules=load_hazard_rules(config),
        settings=settings,
        today=FIXED_TODAY,
        register_rules=load_register_rules(config),
        alignment=load_alignment_settings(config),
    )


async def picture_counts(engine: AsyncEngine) -> dict[str, int]:
    """How big the picture the report reads is."""
    counts: dict[str, int] = {}
    async with async_sessionmaker(engine)() as session:
        for name, model in (
            ("sites", Site),
            ("controls", HazardControl),
            ("risks", Risk),
            ("risk_actions", RiskAction),
            ("risk_links", RiskLink),
            ("alignment_links", AlignmentLink),
            ("coverage_marks", NationalCoverage),
        ):
            counts[name] = await session.scalar(select(func.count()).select_from(model)) or 0
        for kind, count in (await session.execute(select(RiskLink.kind, func.count()).group_by(RiskLink.kind))).all():
            counts[f"risk_links_{LinkKind(kind).value}"] = count
    return counts


async def fingerprint(engine: AsyncEngine) -> tuple[Any, ...]:
    """The newest change and the row count of every table the graph reads, in one query: the cheapest safe
    check a cached graph would need before each use (deletes show in the counts, edits in ``updated_at``)."""
    columns = []
    for model in GRAPH_TABLES:
        table = model.__table__
        columns.append(select(func.max(table.c.updated_at)).scalar_subquery())
        columns.append(select(func.count()).select_from(table).scalar_subquery())
    async with engine.connect() as conn:
        return tuple((await conn.execute(select(*columns))).one())


class Handler:
    """The alignment report's handler, step by step, in this process."""

    def __init__(self, engine: AsyncEngine, context: Context) -> None:
        self.engine = engine
        self.context = context
        self.samples: dict[str, list[float]] = {
            "graph": [],
            "report": [],
            "validate": [],
            "handler": [],
            "check": [],
            "full_graph": [],
        }
        self.nodes = self.edges = self.full_nodes = self.full_edges = 0
        self.node_kinds: dict[str, int] = {}
        self.body: dict[str, Any] = {}

    async def run(self) -> None:
        async with async_sessionmaker(self.engine)() as session:
            started = time.perf_counter()
            graph = await build_graph(session, self.context, dependencies=False)  # as the handler does
            built = time.perf_counter()
            report = views.alignment_report(graph, self.context, None)
            assembled = time.perf_counter()
            model = AlignmentReport.model_validate(report)
            validated = time.perf_counter()
        for name, seconds in (
            ("graph", built - started),
            ("report", assembled - built),
            ("validate", validated - assembled),
            ("handler", validated - started),
        ):
            self.samples[name].append(seconds)
        self.nodes, self.edges = graph.number_of_nodes(), graph.number_of_edges()
        self.body = model.model_dump(mode="json")

    async def full_graph(self) -> None:
        """The whole picture (actions, controls, assessments, hazards, sites too), as the uncontrolled report,
        traceability and the graph exports build it."""
        async with async_sessionmaker(self.engine)() as session:
            started = time.perf_counter()
            graph = await build_graph(session, self.context)
            self.samples["full_graph"].append(time.perf_counter() - started)
        self.full_nodes, self.full_edges = graph.number_of_nodes(), graph.number_of_edges()
        self.node_kinds = dict(Counter(kind for _, kind in graph.nodes(data="kind")))

    async def check(self) -> None:
        started = time.perf_counter()
        await fingerprint(self.engine)
        self.samples["check"].append(time.perf_counter() - started)


def get_report(client: httpx.Client, path: str = REPORT_PATH) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.json()


async def measure(target: Target, repeat: int, blocks: int) -> dict[str, Any]:
    engine = create_engine(target.settings(), null_pool=False)
    handler = Handler(engine, context_for(target))
    api: list[float] = []
    uncontrolled: list[float] = []
    try:
        counts = await picture_counts(engine)
        with (
            api_server(target) as base_url,
            httpx.Client(base_url=base_url, headers=request_headers(), timeout=300) as client,
        ):
            _, api_body = get_report(client)  # warm-up, both ways
            _, uncontrolled_body = get_report(client, UNCONTROLLED_PATH)
            await handler.run()
            await handler.check()
            await handler.full_graph()
            for key in handler.samples:
                handler.samples[key].clear()
            if handler.body != api_body:
                raise AssertionError("the in-process report differs from the API's")
            load_before = os.getloadavg()[0]
            per_block = max(1, repeat // blocks)
            for _ in range(blocks):
                for _ in range(per_block):
                    elapsed, _ = get_report(client)
                    api.append(elapsed)
                for _ in range(max(1, per_block // 2)):
                    await handler.run()
                    await handler.check()
                    await handler.full_graph()
                elapsed, _ = get_report(client, UNCONTROLLED_PATH)
                uncontrolled.append(elapsed)
            load_after = os.getloadavg()[0]
    finally:
        await engine.dispose()
    timings = {name: Timing(samples) for name, samples in handler.samples.items()}
    api_timing = Timing(api)
    return {
        "counts": counts,
        "graph_nodes": handler.nodes,
        "graph_edges": handler.edges,
        "full_graph_nodes": handler.full_nodes,
        "full_graph_edges": handler.full_edges,
        "node_kinds": handler.node_kinds,
        "api": api_timing.as_dict(),
        **{name: timing.as_dict() for name, timing in timings.items()},
        "uncontrolled_api": Timing(uncontrolled).as_dict(),
        "uncontrolled_risks": len(uncontrolled_body["risks"]),
        "uncontrolled_reasons": dict(
            Counter(reason["code"] for risk in uncontrolled_body["risks"] for reason in risk["reasons"])
        ),
        "graph_share": round(timings["graph"].median_ms / api_timing.median_ms, 3),
        "aligned_share": api_body.get("aligned_share"),
        "load_average": (round(load_before, 2), round(load_after, 2)),
    }


def suggestion_pass(area_count: int = 5000, national_count: int = 500, seed: int = 7) -> tuple[float, int]:
    raw = tomllib.loads(LABELLED.read_text())
    vocabulary = sorted(
        {
            w
            for r in raw["national"] + raw["area"]
            for field in ("title", "description", "cause", "effect")
            for w in r[field].split()
        }
    )
    categories = sorted({r["category"] for r in raw["national"]})
    rng = random.Random(seed)

    def words(n: int) -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(n))

    def make(prefix: str, i: int) -> RiskProfile:
        return RiskProfile(
            id=f"{prefix}{i}",
            title=words(6),
            description=words(20),
            cause=words(10),
            effect=words(10),
            category=rng.choice(categories),
            links=frozenset(f"hazard:{rng.randint(1, 12)}" for _ in range(rng.randint(0, 3))),
        )

    national = [make("N", i) for i in range(national_count)]
    area = [make("A", i) for i in range(area_count)]
    weights = load_alignment_settings(PROJECT_ROOT / "config").weights
    started = time.perf_counter()
    ranked = suggest(area, national, weights)
    return time.perf_counter() - started, sum(len(v) for v in ranked.values())


async def holds_scale(target: Target, scale: int) -> bool:
    """Whether the database already holds the demo at ``scale`` (for --reuse): 16 national risks a cohort."""
    engine = create_engine(target.settings(), null_pool=True)
    try:
        counts = await picture_counts(engine)
    except Exception:  # no database or no schema yet
        return False
    finally:
        await engine.dispose()
    return counts["risks"] == 107 * scale


def print_table(rows: list[dict[str, Any]]) -> None:
    header = (
        f"{'engine':<11}{'scale':>6}{'risks':>8}{'links':>8}{'nodes':>8}{'edges':>8}{'API ms':>9}{'p95':>9}"
        f"{'graph ms':>10}{'share':>7}{'report':>8}{'valid.':>8}{'check':>7}{'full graph':>18}{'target':>8}  load"
    )
    print(header)
    for r in rows:
        links = r["counts"]["risk_links"] + r["counts"]["alignment_links"]
        verdict = "" if r["target_ms"] is None else ("pass" if r["meets_target"] else "FAIL")
        print(
            f"{r['engine']:<11}{r['scale']:>6}{r['counts']['risks']:>8}{links:>8}{r['graph_nodes']:>8}"
            f"{r['graph_edges']:>8}{r['api']['median_ms']:>9.1f}{r['api']['p95_ms']:>9.1f}"
            f"{r['graph']['median_ms']:>10.1f}{r['graph_share']:>7.0%}{r['report']['median_ms']:>8.1f}"
            f"{r['validate']['median_ms']:>8.1f}{r['check']['median_ms']:>7.1f}"
            f"{r['full_graph']['median_ms']:>8.1f} ms {r['full_graph_nodes']:>6}n"
            f"{r['uncontrolled_api']['median_ms']:>10.1f}{verdict:>8}  {r['load_average']}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--scales", default="1,100")
    parser.add_argument("--repeat", type=int, default=15, help="timed API requests (in-process steps: half)")
    parser.add_argument("--blocks", type=int, default=3, help="interleaved blocks of API and in-process timings")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--sqlite-dir", type=Path, default=None, help="where to build SQLite files (a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="reuse a database that already holds that scale")
    parser.add_argument("--no-suggestions", action="store_true", help="skip the suggestion pass")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "alignment_report.json")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for engine_name in args.engines.split(","):
            for scale in (int(s) for s in args.scales.split(",")):
                sqlite_dir = (args.sqlite_dir or Path(tmp)) / f"x{scale}"
                sqlite_dir.mkdir(parents=True, exist_ok=True)
                postgres_url = make_url(args.postgres_url)
                postgres_url = postgres_url.set(database=f"{postgres_url.database}_x{scale}")
                target = make_target(
                    engine_name, sqlite_dir=sqlite_dir, postgres_url=postgres_url.render_as_string(False)
                )
                build_seconds = None
                if args.reuse and await holds_scale(target, scale):
                    await issue_token(target)
                else:
                    build_seconds = round((await build_estate(target, scale)).seconds, 1)
                measured = await measure(target, args.repeat, args.blocks)
                target_ms = TARGETS_MS.get(scale)
                row = {
                    "engine": engine_name,
                    "scale": scale,
                    "build_seconds": build_seconds,
                    **measured,
                    "target_ms": target_ms,
                    "meets_target": None if target_ms is None else measured["api"]["median_ms"] < target_ms,
                }
                results.append(row)
                print(json.dumps(row), flush=True)
    summary: dict[str, Any] = {"alignment_report": results}
    if not args.no_suggestions:
        seconds, suggestions = suggestion_pass()
        summary["suggestion_pass"] = {
            "area_risks": 5000,
            "national_risks": 500,
            "seconds": round(seconds, 3),
            "suggestions": suggestions,
            "target_s": SUGGESTION_TARGET_S,
            "meets_target": seconds < SUGGESTION_TARGET_S,
        }
        print(json.dumps(summary["suggestion_pass"]), flush=True)
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2, default=str))


if __name__ == "__main__":
    asyncio.run(main())
