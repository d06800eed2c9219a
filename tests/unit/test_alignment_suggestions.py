"""Suggestions for aligning Area risks with national ones: the score's parts, and its accuracy on the
labelled set in tests/data/alignment_labelled.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from risk_register.alignment.suggestions import (
    RiskProfile,
    SuggestionWeights,
    load_weights,
    precision_at_1,
    recall_at_k,
    shared_share,
    suggest,
)
from risk_register.settings import PROJECT_ROOT

LABELLED = Path(__file__).resolve().parents[1] / "data" / "alignment_labelled.toml"
# Guarded floors, a little under the figures measured when the set was written (README: precision@1 and
# recall@3); a change that makes suggestions worse fails here.
MIN_PRECISION_AT_1 = 0.85
MIN_RECALL_AT_3 = 0.90


def profiles(kind: str) -> tuple[list[RiskProfile], dict[str, set[str]]]:
    raw = tomllib.loads(LABELLED.read_text())
    risks = [
        RiskProfile(
            id=r["id"],
            title=r["title"],
            description=r["description"],
            cause=r["cause"],
            effect=r["effect"],
            category=r["category"],
        )
        for r in raw[kind]
    ]
    expected = {r["id"]: set(r.get("expected", [])) for r in raw[kind]}
    return risks, expected


def test_weights_come_from_config() -> None:
    weights = load_weights(PROJECT_ROOT / "config")
    assert weights.text + weights.category + weights.shared == pytest.approx(1.0)
    assert weights.top_k == 3


def test_labelled_set_precision_and_recall() -> None:
    national, _ = profiles("national")
    area, expected = profiles("area")
    weights = load_weights(PROJECT_ROOT / "config")
    ranked = {k: [s.national_id for s in v] for k, v in suggest(area, national, weights).items()}
    p1 = precision_at_1(ranked, expected)
    r3 = recall_at_k(ranked, expected, 3)
    print(f"alignment suggestions on the labelled set: precision@1 = {p1:.2f}, recall@3 = {r3:.2f}")
    assert p1 >= MIN_PRECISION_AT_1
    assert r3 >= MIN_RECALL_AT_3


def test_same_category_and_shared_links_lift_a_candidate() -> None:
    area = RiskProfile(
        id="a",
        title="water temperature checks missed",
        category="health_and_safety",
        links=frozenset({"hazard:legionella", "site:1"}),
    )
    plain = RiskProfile(id="n1", title="water temperature checks missed")
    same_category = RiskProfile(id="n2", title="water temperature checks missed", category="health_and_safety")
    linked = RiskProfile(
        id="n3",
        title="water temperature checks missed",
        category="health_and_safety",
        links=frozenset({"hazard:legionella"}),
    )
    ranked = suggest([area], [plain, same_category, linked], SuggestionWeights(minimum_score=0))["a"]
    assert [s.national_id for s in ranked] == ["n3", "n2", "n1"]
    assert ranked[0].shared_links == ("hazard:legionella",)
    assert ranked[0].score == pytest.approx(ranked[1].score + 0.15 * 0.5, abs=1e-3)
    assert ranked[1].same_category
    assert not ranked[2].same_category


def test_ties_are_broken_by_national_order_and_weak_candidates_dropped() -> None:
    area = RiskProfile(id="a", title="identical")
    national = [
        RiskProfile(id="n2", title="identical"),
        RiskProfile(id="n1", title="identical"),
        RiskProfile(id="n3", title="zzzz qqqq"),
    ]
    ranked = suggest([area], national, SuggestionWeights(top_k=3, minimum_score=0.1))["a"]
    assert [s.national_id for s in ranked] == ["n2", "n1"]


def test_empty_sides_suggest_nothing() -> None:
    assert suggest([RiskProfile(id="a", title="x")], [], SuggestionWeights()) == {"a": []}
    assert suggest([], [RiskProfile(id="n", title="x")], SuggestionWeights()) == {}


def test_shared_share_is_the_area_risks_share() -> None:
    assert shared_share(frozenset(), frozenset({"x"})) == 0
    assert shared_share(frozenset({"x", "y"}), frozenset({"x", "z"})) == 0.5


def test_precision_and_recall_arithmetic() -> None:
    ranked = {"a": ["n1", "n2"], "b": ["n3"], "c": []}
    expected = {"a": {"n2"}, "b": {"n3", "n4"}, "c": set()}
    assert precision_at_1(ranked, expected) == 0.5
    assert recall_at_k(ranked, expected, 1) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, expected, 3) == pytest.approx(2 / 3)


def test_the_trigram_tfidf_is_scikit_learns_char_wb_tfidf() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from risk_register.alignment.suggestions import trigram_tfidf

    national, _ = profiles("national")
    area, _ = profiles("area")
    texts = [r.text() for r in (*national, *area)] + ["A  b\tÉté   x", "Fire", "a"]
    ours = trigram_tfidf(texts)
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), sublinear_tf=True, lowercase=True)
    theirs = reference.fit_transform(texts)
    assert ours.shape == theirs.shape
    # Columns are in a different order: compare what the scorer uses, the cosine between every two texts.
    assert np.allclose((ours @ ours.T).toarray(), (theirs @ theirs.T).toarray(), atol=1e-6)
    assert np.allclose(np.sort(ours.toarray(), axis=1), np.sort(theirs.toarray(), axis=1), atol=1e-6)
