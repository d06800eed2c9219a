"""The alignment reports assembled from the graph, as JSON-ready dicts and as flat tables for CSV/XLSX."""

from __future__ import annotations

import io
from typing import Any, Literal

import networkx as nx
import polars as pl

from risk_register.alignment import reports
from risk_register.alignment.graph import aligned_area_risks, neighbours, node
from risk_register.alignment.services import all_risk_facts, confirmed_pairs
from risk_register.alignment.settings import AlignmentSettings
from risk_register.core.context import Context

ReportName = Literal["alignment", "divergence", "escalation-candidates", "uncontrolled"]


def _risk(facts: reports.RiskFacts) -> dict[str, Any]:
    return {
        "id": facts.id,
        "reference": facts.reference,
        "title": facts.title,
        "area_code": facts.area_code,
        "residual_score": facts.residual_score,
        "above_appetite": facts.above_appetite,
    }


def alignment_report(graph: nx.DiGraph, ctx: Context, area: str | None) -> dict[str, Any]:
    facts = all_risk_facts(graph, with_links=False)
    by_id = {f.id: f for f in facts.values()}
    areas = [a for a in ctx.organisation.areas if area is None or a.code == area]
    rows = reports.alignment_by_area([a.code for a in areas], list(facts.values()), confirmed_pairs(graph))
    names = {a.code: a.name for a in areas}
    return {
        "as_of": ctx.today,
        "aligned_share": reports.national_share(rows),
        "areas": [
            {
                "area_code": row.area_code,
                "name": names[row.area_code],
                "risks": row.risks,
                "aligned": row.aligned,
                "unaligned": row.unaligned,
                "aligned_share": row.aligned_share,
                "unaligned_risks": [_risk(by_id[i]) for i in row.unaligned_ids],
                "coverage_gaps": [_risk(by_id[i]) for i in row.coverage_gap_ids],
            }
            for row in rows
        ],
    }


def divergence_report(graph: nx.DiGraph, ctx: Context, settings: AlignmentSettings, area: str | None) -> dict[str, Any]:
    facts = {f.id: f for f in all_risk_facts(graph, with_links=False).values()}
    pairs = []
    for area_id, national_id in confirmed_pairs(graph):
        area_facts, national_facts = facts[area_id], facts[national_id]
        if not (area_facts.is_open and national_facts.is_open) or (area and area_facts.area_code != area):
            continue
        found = reports.divergence(area_facts, national_facts, settings.divergence_margin)
        if found:
            pairs.append(
                {"area_risk": _risk(area_facts), "national_risk": _risk(national_facts), "reasons": list(found.reasons)}
            )
    return {"as_of": ctx.today, "margin": settings.divergence_margin, "pairs": pairs}


def escalation_report(graph: nx.DiGraph, ctx: Context, settings: AlignmentSettings, area: str | None) -> dict[str, Any]:
    aligned = {a for a, _ in confirmed_pairs(graph)}
    candidates = [
        _risk(f)
        for f in all_risk_facts(graph, with_links=False).values()
        if (area is None or f.area_code == area)
        and reports.is_escalation_candidate(f, f.id in aligned, settings.escalation_threshold)
    ]
    candidates.sort(key=lambda r: (-r["residual_score"], r["area_code"] or "", r["reference"]))
    return {"as_of": ctx.today, "threshold": settings.escalation_threshold, "risks": candidates}


def uncontrolled_report(graph: nx.DiGraph, ctx: Context, area: str | None, national: bool | None) -> dict[str, Any]:
    out = []
    for key, f in all_risk_facts(graph).items():
        if not f.is_open or (area and f.area_code != area) or (national is not None and f.is_national != national):
            continue
        found = reports.uncontrolled_reasons(f)
        if found:
            out.append(
                {
                    **_risk(f),
                    "reasons": [
                        {
                            "code": r.code.value,
                            "subject_id": r.subject_id,
                            "subject": graph.nodes[_subject_key(graph, key, r.subject_id)]["label"]
                            if r.subject_id
                            else None,
                        }
                        for r in found
                    ],
                }
            )
    out.sort(key=lambda r: (r["area_code"] or "", r["reference"]))
    return {"as_of": ctx.today, "risks": out}


def _subject_key(graph: nx.DiGraph, risk_key: str, subject_id: str) -> str:
    for kind in ("control", "assessment", "action"):
        if graph.has_node(node(kind, subject_id)):
            return node(kind, subject_id)
    return risk_key


def traceability(graph: nx.DiGraph, national_risk_id: str) -> dict[str, Any]:
    """National risk -> aligned Area risks -> hazards -> controls -> sites, with each node's status."""
    national_key = node("risk", national_risk_id)

    def controls_of(risk_key: str) -> list[str]:
        return neighbours(graph, risk_key, "mitigated_by", "control")

    def describe(key: str) -> dict[str, Any]:
        data = graph.nodes[key]
        keep = {k: v for k, v in data.items() if k not in {"kind", "label"}}
        return {"id": key.split(":", 1)[1], "kind": data["kind"], "label": data["label"], **keep}

    def hazard_tree(risk_key: str) -> list[dict[str, Any]]:
        hazards = set(neighbours(graph, risk_key, "concerns_hazard", "hazard"))
        hazards |= {h for c in controls_of(risk_key) for h in neighbours(graph, c, "concerns_hazard", "hazard")}
        tree = []
        for hazard in sorted(hazards):
            controls = [c for c in controls_of(risk_key) if hazard in neighbours(graph, c, "concerns_hazard")]
            tree.append(
                {
                    **describe(hazard),
                    "controls": [
                        {**describe(c), "sites": [describe(s) for s in neighbours(graph, c, "located_at", "site")]}
                        for c in sorted(controls)
                    ],
                }
            )
        return tree

    return {
        **describe(national_key),
        "hazards": hazard_tree(national_key),
        "area_risks": [
            {
                **describe(a),
                "hazards": hazard_tree(a),
                "sites": [describe(s) for s in neighbours(graph, a, "located_at", "site")],
            }
            for a in sorted(aligned_area_risks(graph, national_key))
        ],
    }


def flat_rows(name: ReportName, report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per reported item, for CSV and XLSX."""
    if name == "alignment":
        return [
            {
                "area_code": a["area_code"],
                "area": a["name"],
                "risks": a["risks"],
                "aligned": a["aligned"],
                "unaligned": a["unaligned"],
                "aligned_share": a["aligned_share"],
                "unaligned_references": "; ".join(r["reference"] for r in a["unaligned_risks"]),
                "coverage_gaps": "; ".join(r["reference"] for r in a["coverage_gaps"]),
            }
            for a in report["areas"]
        ]
    if name == "divergence":
        return [
            {
                "area_code": p["area_risk"]["area_code"],
                "area_reference": p["area_risk"]["reference"],
                "area_residual": p["area_risk"]["residual_score"],
                "national_reference": p["national_risk"]["reference"],
                "national_residual": p["national_risk"]["residual_score"],
                "reasons": "; ".join(p["reasons"]),
            }
            for p in report["pairs"]
        ]
    if name == "escalation-candidates":
        return [
            {k: r[k] for k in ("area_code", "reference", "title", "residual_score", "above_appetite")}
            for r in report["risks"]
        ]
    return [
        {
            "area_code": r["area_code"] or "national",
            "reference": r["reference"],
            "title": r["title"],
            "reason": reason["code"],
            "subject": reason["subject"] or "",
        }
        for r in report["risks"]
        for reason in r["reasons"]
    ]


def to_file(rows: list[dict[str, Any]], file_format: Literal["csv", "xlsx"], sheet: str) -> bytes:
    frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame({"empty": []})
    if file_format == "csv":
        return frame.write_csv().encode()
    buffer = io.BytesIO()
    frame.write_excel(buffer, worksheet=sheet[:31], autofilter=True, freeze_panes=(1, 0), autofit=True)
    return buffer.getvalue()
