"""The alignment reports' rules on facts whose answers are known by construction."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk_register.alignment.reports import (
    ActionFacts,
    AssessmentFacts,
    ControlFacts,
    RiskFacts,
    Uncontrolled,
    alignment_by_area,
    divergence,
    is_escalation_candidate,
    national_share,
    uncontrolled_reasons,
)

GOOD_CONTROL = ControlFacts("c-ok", overdue=False, last_check_failed=False)


def risk(id_: str, area: str | None = "wales", score: int = 6, **kw) -> RiskFacts:
    return RiskFacts(
        id=id_,
        reference=id_,
        title=id_,
        area_code=area,
        residual_score=score,
        above_appetite=kw.pop("above", False),
        controls=kw.pop("controls", (GOOD_CONTROL,)),
        **kw,
    )


def codes(r: RiskFacts) -> list[tuple[str, str | None]]:
    return [(reason.code.value, reason.subject_id) for reason in uncontrolled_reasons(r)]


def test_a_controlled_risk_has_no_reasons() -> None:
    assert uncontrolled_reasons(risk("r")) == []


def test_every_reason_that_applies_is_listed_with_its_subject() -> None:
    r = risk(
        "r",
        above=True,
        controls=(
            ControlFacts("c1", overdue=True, last_check_failed=True),
            ControlFacts("c2", overdue=False, last_check_failed=False),
        ),
        assessments=(AssessmentFacts("a1", suitable_and_sufficient=False, review_overdue=True),),
        actions=(ActionFacts("x1", open=False, overdue=False),),
    )
    assert codes(r) == [
        ("control_overdue", "c1"),
        ("last_check_failed", "c1"),
        ("assessment_not_suitable_and_sufficient", "a1"),
        ("assessment_review_overdue", "a1"),
        ("above_appetite_without_open_action", None),
    ]


def test_no_controls_and_overdue_actions() -> None:
    r = risk("r", controls=(), actions=(ActionFacts("x1", open=True, overdue=True),))
    assert codes(r) == [("no_controls_linked", None), ("action_overdue", "x1")]


def test_an_open_action_answers_an_above_appetite_risk() -> None:
    assert codes(risk("r", above=True, actions=(ActionFacts("x", open=True, overdue=False),))) == []


def test_alignment_by_area_counts_shares_and_coverage_gaps() -> None:
    risks = [
        risk("N1", area=None, applies_to_every_area=True),
        risk("N2", area=None, applies_to_every_area=True),
        risk("N3", area=None),
        risk("W1"),
        risk("W2"),
        risk("W3"),
        risk("W-closed", is_open=False),
        risk("L1", area="london"),
    ]
    confirmed = [("W1", "N1"), ("W2", "N1"), ("W2", "N3"), ("L1", "N2"), ("W-closed", "N2")]
    report = {a.area_code: a for a in alignment_by_area(["wales", "london", "midlands"], risks, confirmed)}
    wales = report["wales"]
    assert (wales.risks, wales.aligned, wales.unaligned) == (3, 2, 1)
    assert wales.aligned_share == pytest.approx(0.6667)
    assert wales.unaligned_ids == ["W3"]
    assert wales.coverage_gap_ids == ["N2"]  # the closed Wales risk does not cover N2
    assert report["london"].coverage_gap_ids == ["N1"]
    assert report["midlands"].aligned_share is None
    assert report["midlands"].coverage_gap_ids == ["N1", "N2"]
    assert national_share(list(report.values())) == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("area_score", "national_score", "area_above", "national_above", "expected"),
    [
        (10, 6, False, False, None),  # a gap of 4 is under the margin of 5
        (11, 6, False, False, ("residual scores differ by 5",)),  # at the margin diverges
        (6, 6, True, False, ("only the Area risk is above appetite",)),
        (1, 25, False, True, ("residual scores differ by 24", "only the national risk is above appetite")),
    ],
)
def test_divergence(area_score, national_score, area_above, national_above, expected) -> None:
    found = divergence(
        risk("a", score=area_score, above=area_above),
        risk("n", area=None, score=national_score, above=national_above),
        margin=5,
    )
    assert (found.reasons if found else None) == expected


@given(st.integers(1, 25), st.integers(1, 25), st.integers(1, 24))
def test_divergence_is_symmetric_in_the_gap(a: int, n: int, margin: int) -> None:
    one = divergence(risk("a", score=a), risk("n", area=None, score=n), margin)
    other = divergence(risk("a", score=n), risk("n", area=None, score=a), margin)
    assert (one is None) == (other is None) == (abs(a - n) < margin)


@pytest.mark.parametrize(
    ("score", "aligned", "is_open", "expected"),
    [
        (15, False, True, True),
        (14, False, True, False),
        (25, True, True, False),
        (20, False, False, False),
    ],
)
def test_escalation_candidates_at_the_threshold(score, aligned, is_open, expected) -> None:
    assert is_escalation_candidate(risk("a", score=score, is_open=is_open), aligned, threshold=15) is expected
    assert not is_escalation_candidate(risk("n", area=None, score=25), False, threshold=15)


def test_reason_codes_are_stable_api_values() -> None:
    assert {r.value for r in Uncontrolled} == {
        "no_controls_linked",
        "control_overdue",
        "last_check_failed",
        "assessment_not_suitable_and_sufficient",
        "assessment_review_overdue",
        "above_appetite_without_open_action",
        "action_overdue",
    }
