"""Alignment benchmark: ``python -m benchmarks.alignment_report [--engines sqlite,postgresql] [--scales 1,100]``.

1. The national alignment report (GET /api/alignment/reports/alignment, all Areas) through the API over real
   HTTP on the demo estate at each scale (controls, checks, registers, links and all), median of N requests,
   and the share of that time spent building the networkx graph (build_graph timed in-process on the same
   database, median of N). Targets: < 200 ms at 1x, < 5 s at 100x.
2. A full suggestion pass: 5,000 Area risks against 500 national risks (synthetic text made from the labelled
   set's vocabulary), timed in-process. Target: < 2 s.
Writes benchmarks/results/alignment_report.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker

from benchmarks.common import (
    DEFAULT_POSTGRES_URL,
    FIXED_TODAY,
    RESULTS_DIR,
    Timing,
    api_server,
    build_estate,
    make_target,
    request_headers,
)
from risk_register.alignment.graph import build_graph
from risk_register.alignment.settings import load_alignment_settings
from risk_register.alignment.suggestions import RiskProfile, suggest
from risk_register.core.context import Context
from risk_register.db.config import create_engine
from risk_register.estates.rules import load_estates_rules
from risk_register.hazards.config import load_hazard_rules
from risk_register.organisation.reference import load_organisation
from risk_register.registers.rules import load_register_rules
from risk_register.settings import PROJECT_ROOT

LABELLED = PROJECT_ROOT / "tests" / "data" / "alignment_labelled.toml"
TARGETS_MS = {1: 200.0, 100: 5000.0}
SUGGESTION_TARGET_S = 2.0


def context_for(target: Any) -> Context:
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


async def time_graph(target: Any, repeat: int) -> tuple[Timing, int, int]:
    engine = create_engine(target.settings(), null_pool=False)
    context = context_for(target)
    samples = []
    nodes = edges = 0
    try:
        for _ in range(repeat):
            async with async_sessionmaker(engine)() as session:
                started = time.perf_counter()
                graph = await build_graph(session, context)
                samples.append(time.perf_counter() - started)
                nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
    finally:
        await engine.dispose()
    return Timing(samples), nodes, edges


def time_api(base_url: str, repeat: int) -> tuple[Timing, dict[str, Any]]:
    samples = []
    body: dict[str, Any] = {}
    with httpx.Client(base_url=base_url, headers=request_headers(), timeout=120) as client:
        client.get("/api/alignment/reports/alignment").raise_for_status()  # warm up
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get("/api/alignment/reports/alignment")
            samples.append(time.perf_counter() - started)
            response.raise_for_status()
            body = response.json()
    return Timing(samples), body


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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--scales", default="1,100")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--postgres-url", default=DEFAULT_POSTGRES_URL.replace("risk_register_bench", "risk_register_bench_alignment")
    )
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for engine_name in args.engines.split(","):
            target = make_target(engine_name, sqlite_dir=Path(tmp), postgres_url=args.postgres_url)
            for scale in (int(s) for s in args.scales.split(",")):
                build = await build_estate(target, scale)
                graph_timing, nodes, edges = await time_graph(target, max(3, args.repeat // 3))
                with api_server(target) as base_url:
                    api_timing, body = time_api(base_url, args.repeat)
                target_ms = TARGETS_MS.get(scale)
                row = {
                    "engine": engine_name,
                    "scale": scale,
                    "sites": build.sites,
                    "graph_nodes": nodes,
                    "graph_edges": edges,
                    "api_median_ms": round(api_timing.median_ms, 1),
                    "api_p95_ms": round(api_timing.p95_ms, 1),
                    "graph_build_median_ms": round(graph_timing.median_ms, 1),
                    "graph_share": round(graph_timing.median_ms / api_timing.median_ms, 2),
                    "aligned_share": body.get("aligned_share"),
                    "target_ms": target_ms,
                    "meets_target": None if target_ms is None else api_timing.median_ms < target_ms,
                }
                results.append(row)
                print(json.dumps(row), flush=True)
    seconds, suggestions = suggestion_pass()
    summary = {
        "alignment_report": results,
        "suggestion_pass": {
            "area_risks": 5000,
            "national_risks": 500,
            "seconds": round(seconds, 3),
            "suggestions": suggestions,
            "target_s": SUGGESTION_TARGET_S,
            "meets_target": seconds < SUGGESTION_TARGET_S,
        },
    }
    print(json.dumps(summary["suggestion_pass"]), flush=True)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "alignment_report.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
