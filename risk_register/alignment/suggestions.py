"""Suggest national risks for an Area risk: a documented score over plain records (no database).

score = text * cosine similarity of TF-IDF vectors (character trigrams within words, over title, description,
cause and effect; the title counted twice) + category * [same category] + shared * (the share of the Area
risk's linked hazards, controls and sites that the national risk is linked to as well).

Weights and cut-offs come from config/alignment.toml. One vocabulary is learnt from both sides' text, so a pass
over 5,000 Area risks and 500 national risks is one matrix product.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.preprocessing import normalize


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
    area_risks: Sequence[RiskProfile],
    national_risks: Sequence[RiskProfile],
    weights: SuggestionWeights,
    background: Sequence[RiskProfile] = (),
) -> dict[str, list[Suggestion]]:
    """The best ``weights.top_k`` national risks for each Area risk, best first, scores at least
    ``weights.minimum_score``; ties broken by national id so the answer is stable.

    ``background``: further risks whose text the vectoriser learns word weights from without scoring them, so
    a risk scores the same whichever subset of risks is being scored (an Area's, one risk's, or all)."""
    if not area_risks or not national_risks:
        return {risk.id: [] for risk in area_risks}
    scored = {r.id for r in area_risks}
    corpus = [*national_risks, *area_risks, *(r for r in background if r.id not in scored)]
    matrix = trigram_tfidf([r.text() for r in corpus])
    national_matrix = matrix[: len(national_risks)]
    area_matrix = matrix[len(national_risks) : len(national_risks) + len(area_risks)]
    # Rows are L2-normalised: this is the cosine. Sparse times dense: the product is dense anyway.
    text_scores = np.asarray(area_matrix @ national_matrix.T.toarray())

    # Every part as one matrix over (Area risk, national risk): no Python loop over pairs.
    category_codes = {
        c: i for i, c in enumerate(sorted({r.category for r in (*area_risks, *national_risks) if r.category}))
    }
    area_category = np.array([category_codes.get(r.category or "", -1) for r in area_risks])
    national_category = np.array([category_codes.get(r.category or "", -2) for r in national_risks])
    same = area_category[:, None] == national_category[None, :]
    scores = weights.text * text_scores + weights.category * same
    if weights.shared and any(r.links for r in area_risks):
        link_codes = {
            link: i for i, link in enumerate(sorted({x for r in (*area_risks, *national_risks) for x in r.links}))
        }
        area_links, national_links = _incidence(area_risks, link_codes), _incidence(national_risks, link_codes)
        shared = (area_links @ national_links.T).toarray()
        per_area = np.maximum(np.asarray(area_links.sum(axis=1)).ravel(), 1)
        scores = scores + weights.shared * shared / per_area[:, None]  # = shared_share for every pair

    top_k = min(weights.top_k, len(national_risks))
    # The best top_k per row, then ordered by score (highest first) and national position (ties stable).
    candidates = (
        np.argpartition(-scores, top_k - 1, axis=1)[:, :top_k]
        if top_k < len(national_risks)
        else np.tile(np.arange(len(national_risks)), (len(area_risks), 1))
    )
    suggestions: dict[str, list[Suggestion]] = {}
    for row, area in enumerate(area_risks):
        picked = candidates[row]
        order = picked[np.lexsort((picked, -np.round(scores[row, picked], 9)))]
        suggestions[area.id] = [
            Suggestion(
                national_id=national_risks[i].id,
                score=round(float(scores[row, i]), 4),
                text_similarity=round(float(text_scores[row, i]), 4),
                same_category=bool(same[row, i]),
                shared_links=tuple(sorted(area.links & national_risks[i].links)),
            )
            for i in order
            if scores[row, i] >= weights.minimum_score
        ]
    return suggestions


def trigram_tfidf(texts: Sequence[str]) -> csr_matrix:
    """TF-IDF of character trigrams within words (each word lower-cased and padded with a space either side),
    sublinear term frequency, smoothed idf, rows L2-normalised: the matrix scikit-learn's
    ``TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), sublinear_tf=True)`` makes, up to column order
    and float rounding (a test holds them together). scikit-learn cuts every word of every text into trigrams
    in Python, most of a 5,000 x 500 pass; here each distinct word is cut once, and a text's counts are a row of
    (texts x words) @ (words x trigrams)."""
    words: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for row, text in enumerate(texts):
        for word in text.lower().split():
            rows.append(row)
            cols.append(words.setdefault(word, len(words)))
    grams: dict[str, int] = {}
    word_rows: list[int] = []
    word_cols: list[int] = []
    for word, word_id in words.items():
        padded = f" {word} "
        for start in range(len(padded) - 2):
            word_rows.append(word_id)
            word_cols.append(grams.setdefault(padded[start : start + 3], len(grams)))
    text_words = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), max(len(words), 1)))
    word_grams = csr_matrix(
        (np.ones(len(word_rows)), (word_rows, word_cols)), shape=(max(len(words), 1), max(len(grams), 1))
    )
    counts = csr_matrix(text_words @ word_grams)
    counts.sum_duplicates()
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + len(texts)) / (1 + document_frequency)) + 1
    counts.data = (np.log(counts.data) + 1) * idf[counts.indices]
    return csr_matrix(normalize(counts, norm="l2", copy=False), dtype=np.float32)


def _incidence(risks: Sequence[RiskProfile], codes: dict[str, int]) -> csr_matrix:
    rows = [row for row, risk in enumerate(risks) for _ in risk.links]
    cols = [codes[link] for risk in risks for link in risk.links]
    return csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(risks), max(len(codes), 1)))


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
