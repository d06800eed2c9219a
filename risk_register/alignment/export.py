"""The graph as GraphML, as node-link JSON, and one national risk's neighbourhood drawn as SVG."""

from __future__ import annotations

import io
from html import escape
from typing import Any

import networkx as nx

from risk_register.alignment.graph import aligned_area_risks

_COLOURS = {
    "risk": "#1d70b8",
    "control": "#00703c",
    "assessment": "#f47738",
    "hazard": "#d4351c",
    "site": "#505a5f",
    "action": "#912b88",
    "register": "#0b0c0c",
    "area": "#0b0c0c",
    "region": "#0b0c0c",
}


def _plain(graph: nx.DiGraph) -> nx.DiGraph:
    """GraphML takes strings, numbers and booleans only: drop empty values, stringify the rest."""
    plain: nx.DiGraph = nx.DiGraph()
    for key, data in graph.nodes(data=True):
        plain.add_node(
            key,
            **{k: v if isinstance(v, bool | int | float | str) else str(v) for k, v in data.items() if v is not None},
        )
    for source, target, data in graph.edges(data=True):
        plain.add_edge(source, target, **data)
    return plain


def graphml(graph: nx.DiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(_plain(graph), buffer, encoding="utf-8")
    return buffer.getvalue()


def node_link(graph: nx.DiGraph) -> dict[str, Any]:
    data: dict[str, Any] = nx.node_link_data(_plain(graph), edges="links")
    return data


def neighbourhood(graph: nx.DiGraph, national_key: str) -> nx.DiGraph:
    """The national risk, its aligned Area risks, and what each of them is linked to (one step further)."""
    keep = {national_key, *aligned_area_risks(graph, national_key)}
    for key in list(keep):
        keep |= {t for t in graph.successors(key) if graph.nodes[t]["kind"] not in {"register", "area", "region"}}
    for key in list(keep):
        if graph.nodes[key]["kind"] in {"control", "assessment"}:
            keep |= set(graph.successors(key)) - {
                k for k in graph.successors(key) if graph.nodes[k]["kind"] in {"region", "area"}
            }
    sub: nx.DiGraph = graph.subgraph(keep).copy()
    return sub


def svg(graph: nx.DiGraph, width: int = 960, height: int = 720) -> str:
    """A small SVG drawing: nodes coloured by kind, labelled, with the edge kinds as arrows' titles."""
    if graph.number_of_nodes() == 0:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"></svg>'
    positions = nx.spring_layout(graph, seed=7, k=1.2 / max(graph.number_of_nodes(), 1) ** 0.5)
    margin = 80

    def at(key: str) -> tuple[float, float]:
        x, y = positions[key]
        return margin + (x + 1) / 2 * (width - 2 * margin), margin + (y + 1) / 2 * (height - 2 * margin)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Arial, sans-serif" font-size="11">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="18" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#b1b4b6"/></marker></defs>',
    ]
    for source, target, data in graph.edges(data=True):
        (x1, y1), (x2, y2) = at(source), at(target)
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#b1b4b6" '
            f'marker-end="url(#arrow)"><title>{escape(str(data.get("kind", "")))}</title></line>'
        )
    for key, data in graph.nodes(data=True):
        x, y = at(key)
        colour = _COLOURS.get(data.get("kind", ""), "#505a5f")
        label = escape(str(data.get("label", key)))[:48]
        status = escape(str(data.get("status", "")))
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="{colour}"><title>{escape(key)} {status}'
            f'</title></circle><text x="{x + 12:.1f}" y="{y + 4:.1f}">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
