"""Suggest national risks for an Area risk: a documented score over plain records (no database).

score = text * cosine similarity of TF-IDF vectors (character n-grams within words, over title, description,
cause and effect; the title counted twice) + category * [same category] + shared * (the share of the Area
risk's linked hazards, controls and sites that the national risk is linked to as well).

Weights and cut-offs come from config/alignment.toml. One vectoriser is fitted on both sides' text, so a pass
over 5,000 Area risks and 500 national risks is one sparse matrix product.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


@dataclass(frozen=True)
class RiskProfile:
    """What the scorer knows of a risk."""

    id: str
    title: str
    description: str = ""
    cause: str = ""
    effect: str = ""
    category: str | None = None
    links: frozenset[str] = field(default_factory=frozenset)  # e.g. "hazard:legionella", "site:<uuid>"

    def text(self) -> str:
        return " ".join([self.title, self.title, self.description, self.cause, self.effect])


@dataclass(frozen=True)
class SuggestionWeights:
    text: float = 0.70
    category: float = 0.15
    shared: float = 0.15
    top_k: int = 3
    minimum_score: float = 0.05


@dataclass(frozen=True)
class Suggestion:
    national_id: str
    score: float
    text_similarity: float
    same_category: bool
    shared_links: tuple[str, ...]


def load_weights(config_dir: Path) -> SuggestionWeights:
    with (config_dir / "alignment.toml").open("rb") as fh:
        raw = tomllib.load(fh)["suggestions"]
    weights = SuggestionWeights(
        text=float(raw["text"]),
        category=float(raw["category"]),
        shared=float(raw["shared"]),
        top_k=int(raw["top_k"]),
        minimum_score=float(raw["minimum_score"]),
    )
    if min(weights.text, weights.category, weights.shared) < 0 or weights.top_k < 1:
        raise ValueError("alignment.toml: weights must not be negative and top_k must be at least 1")
    return weights


def shared_share(area_links: frozenset[str], national_links: frozenset[str]) -> float:
    """Share of the Area risk's links the national risk has too (0 when the Area risk has none)."""
    if not area_links:
        return 0.0
    return len(area_links & national_links) / len(area_links)


def suggest(
    area_risks: Sequence[RiskProfile], national_risks: Sequence[RiskProfile], weights: SuggestionWeights
) -> dict[str, list[Suggestion]]:
    """The best ``weights.top_k`` national risks for each Area risk, best first, scores at least
    ``weights.minimum_score``; ties broken by national id so the answer is stable."""
    if not area_risks or not national_risks:
        return {risk.id: [] for risk in area_risks}
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True)
    matrix = vectoriser.fit_transform([r.text() for r in national_risks] + [r.text() for r in area_risks])
    national_matrix, area_matrix = matrix[: len(national_risks)], matrix[len(national_risks) :]
    text_scores = (area_matrix @ national_matrix.T).toarray()  # rows are L2-normalised: this is the cosine

    categories = np.array([r.category or "" for r in national_risks], dtype=object)
    suggestions: dict[str, list[Suggestion]] = {}
    for row, area in enumerate(area_risks):
        same = (categories == (area.category or "")) & (categories != "")
        scores = weights.text * text_scores[row] + weights.category * same
        if area.links and weights.shared:
            scores = scores + weights.shared * np.array([shared_share(area.links, n.links) for n in national_risks])
        # Highest score first, then lowest national id; argsort on (-score, index) keeps it deterministic.
        order = np.lexsort((np.arange(len(national_risks)), -np.round(scores, 9)))[: weights.top_k]
        suggestions[area.id] = [
            Suggestion(
                national_id=national_risks[i].id,
                score=round(float(scores[i]), 4),
                text_similarity=round(float(text_scores[row, i]), 4),
                same_category=bool(same[i]),
                shared_links=tuple(sorted(area.links & national_risks[i].links)),
            )
            for i in order
            if scores[i] >= weights.minimum_score
        ]
    return suggestions


def precision_at_1(ranked: dict[str, list[str]], expected: dict[str, set[str]]) -> float:
    """Share of labelled Area risks whose first suggestion is one the reviewer chose."""
    labelled = [k for k, v in expected.items() if v]
    hits = sum(1 for k in labelled if ranked.get(k) and ranked[k][0] in expected[k])
    return hits / len(labelled) if labelled else 0.0


def recall_at_k(ranked: dict[str, list[str]], expected: dict[str, set[str]], k: int = 3) -> float:
    """Share of the reviewer's chosen national risks that appear in the first ``k`` suggestions."""
    wanted = sum(len(v) for v in expected.values())
    found = sum(len(set(ranked.get(key, [])[:k]) & chosen) for key, chosen in expected.items())
    return found / wanted if wanted else 0.0
