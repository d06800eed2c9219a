"""HSE Indicator Tool scoring (config/stress.toml) pinned to worked examples, reverse-scored items included."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk_register.hazards.config import load_hazard_rules
from risk_register.hazards.enums import StressBand, StressScale
from risk_register.hazards.rules import (
    absence_per_fte,
    answer_problems,
    below_target,
    item_score,
    mental_health_share,
    respondent_scores,
    response_rate,
    response_rate_label,
    reverse_answer,
    stress_band,
    stress_findings,
    team_scores,
    to_score,
)
from risk_register.settings import PROJECT_ROOT

STRESS = load_hazard_rules(PROJECT_ROOT / "config").stress
DEMANDS = [3, 6, 9, 12, 16, 18, 20, 22]
RELATIONSHIPS = [5, 14, 21, 34]


def everyone(answer: int) -> dict[int, int | None]:
    return dict.fromkeys(range(1, 36), answer)


def test_the_scales_and_items_are_the_indicator_tools() -> None:
    assert STRESS.items == 35
    assert STRESS.scales[StressScale.DEMANDS].items == tuple(DEMANDS)
    assert STRESS.scales[StressScale.CONTROL].items == (2, 10, 15, 19, 25, 30)
    assert STRESS.scales[StressScale.MANAGERS_SUPPORT].items == (8, 23, 29, 33, 35)
    assert STRESS.scales[StressScale.PEER_SUPPORT].items == (7, 24, 27, 31)
    assert STRESS.scales[StressScale.RELATIONSHIPS].items == tuple(RELATIONSHIPS)
    assert STRESS.scales[StressScale.ROLE].items == (1, 4, 11, 13, 17)
    assert STRESS.scales[StressScale.CHANGE].items == (26, 28, 32)
    assert STRESS.reverse_items == frozenset(DEMANDS + RELATIONSHIPS)


def test_reverse_scoring_is_six_minus_the_answer() -> None:
    assert [reverse_answer(a, STRESS) for a in range(1, 6)] == [5, 4, 3, 2, 1]
    assert item_score(3, 1, STRESS) == 5  # a Demands item: "never" under pressure is good
    assert item_score(5, 5, STRESS) == 1  # a Relationships item: "always" harassed is bad
    assert item_score(1, 5, STRESS) == 5  # a Role item is not reversed


@given(st.integers(min_value=1, max_value=5))
def test_reversal_is_an_involution_within_the_scale(answer: int) -> None:
    assert reverse_answer(reverse_answer(answer, STRESS), STRESS) == answer
    assert 1 <= reverse_answer(answer, STRESS) <= 5


def test_worked_example_all_fives() -> None:
    scores = team_scores([everyone(5)], STRESS)
    assert {s: r.score for s, r in scores.items()} == {
        StressScale.DEMANDS: Decimal("1.00"),  # reversed
        StressScale.CONTROL: Decimal("5.00"),
        StressScale.MANAGERS_SUPPORT: Decimal("5.00"),
        StressScale.PEER_SUPPORT: Decimal("5.00"),
        StressScale.RELATIONSHIPS: Decimal("1.00"),  # reversed
        StressScale.ROLE: Decimal("5.00"),
        StressScale.CHANGE: Decimal("5.00"),
    }


def test_worked_example_all_threes_is_three_everywhere() -> None:
    assert {r.score for r in team_scores([everyone(3)], STRESS).values()} == {Decimal("3.00")}


def test_worked_example_mixed_demands_answers() -> None:
    answers: dict[int, int | None] = everyone(4)
    for item, answer in zip(DEMANDS, [1, 2, 3, 4, 5, 1, 2, 3], strict=True):
        answers[item] = answer
    # reversed: 5, 4, 3, 2, 1, 5, 4, 3 -> 27 / 8 = 3.375 -> 3.38 (half up)
    assert respondent_scores(answers, STRESS)[StressScale.DEMANDS] == Fraction(27, 8)
    assert team_scores([answers], STRESS)[StressScale.DEMANDS].score == Decimal("3.38")
    # Relationships all 4 -> reversed 2
    assert team_scores([answers], STRESS)[StressScale.RELATIONSHIPS].score == Decimal("2.00")


def test_unanswered_items_are_left_out_of_the_mean() -> None:
    answers: dict[int, int | None] = {**everyone(4), 3: None, 6: None, 9: 1}
    # Demands answered: 9 -> 5, and 12, 16, 18, 20, 22 at 4 -> 2 each: (5 + 5 * 2) / 6 = 2.5
    assert respondent_scores(answers, STRESS)[StressScale.DEMANDS] == Fraction(5, 2)
    nothing_on_change = {**everyone(3), 26: None, 28: None, 32: None}
    scores = team_scores([nothing_on_change], STRESS)
    assert scores[StressScale.CHANGE].score is None
    assert scores[StressScale.CHANGE].respondents == 0


def test_team_score_is_the_mean_of_respondent_means() -> None:
    first: dict[int, int | None] = everyone(3)
    for item, answer in zip(DEMANDS, [1, 2, 3, 4, 5, 1, 2, 3], strict=True):
        first[item] = answer  # demands 3.375
    second: dict[int, int | None] = {**everyone(3), **dict.fromkeys(DEMANDS, 2)}  # demands 4.0
    third: dict[int, int | None] = {**everyone(3), 3: 1, **dict.fromkeys(DEMANDS[1:], None)}  # demands 5.0 (1 item)
    result = team_scores([first, second, third], STRESS)[StressScale.DEMANDS]
    # (3.375 + 4 + 5) / 3 = 4.125 -> 4.13; pooling the items instead would give (27 + 32 + 5) / 17 = 3.76
    assert result.score == Decimal("4.13")
    assert result.respondents == 3


def test_scores_are_rounded_half_up_to_two_places() -> None:
    assert to_score(Fraction(679, 200)) == Decimal("3.40")  # 3.395
    assert to_score(Fraction(677, 200)) == Decimal("3.39")  # 3.385 -> 3.39
    assert to_score(Fraction(1, 3) + 3) == Decimal("3.33")


@given(st.lists(st.dictionaries(st.integers(1, 35), st.one_of(st.none(), st.integers(1, 5))), max_size=8))
def test_scores_stay_within_one_and_five(respondents: list[dict[int, int | None]]) -> None:
    for result in team_scores(respondents, STRESS).values():
        assert result.score is None or Decimal(1) <= result.score <= Decimal(5)
        assert 0 <= result.respondents <= len(respondents)


@given(st.dictionaries(st.integers(1, 35), st.integers(1, 5), min_size=35))
def test_reversing_every_answer_mirrors_every_score(answers: dict[int, int]) -> None:
    mirrored = {i: 6 - a for i, a in answers.items()}
    before = respondent_scores(answers, STRESS)
    after = respondent_scores(mirrored, STRESS)  # type: ignore[arg-type]
    for scale in StressScale:
        assert before[scale] is not None
        assert after[scale] is not None
        assert before[scale] + after[scale] == 6  # type: ignore[operator]


# --- targets, bands and findings --------------------------------------------------------------------------


def test_targets_and_benchmarks_are_marked_unverified() -> None:
    assert STRESS.benchmark_confidence == "U"
    assert "UNVERIFIED" in STRESS.benchmark_note


def test_below_target_is_strict() -> None:
    mark = STRESS.benchmark[StressScale.DEMANDS]
    assert not below_target(mark.target, mark)
    assert below_target(mark.target - Decimal("0.01"), mark)


def test_band_boundaries() -> None:
    mark = STRESS.benchmark[StressScale.CONTROL]
    assert stress_band(mark.p20 - Decimal("0.01"), mark) == StressBand.RED
    assert stress_band(mark.p20, mark) == StressBand.YELLOW
    assert stress_band(mark.p50 - Decimal("0.01"), mark) == StressBand.YELLOW
    assert stress_band(mark.p50, mark) == StressBand.BLUE
    assert stress_band(mark.p80 - Decimal("0.01"), mark) == StressBand.BLUE
    assert stress_band(mark.p80, mark) == StressBand.GREEN
    assert stress_band(Decimal("5.00"), mark) == StressBand.GREEN


def test_findings_are_the_scales_below_target_worst_first() -> None:
    answers: dict[int, int | None] = everyone(4)  # demands and relationships reverse to 2.00, the rest 4.00
    findings = stress_findings(team_scores([answers], STRESS), STRESS)
    # relationships 2.00 vs 4.00, demands 2.00 vs 3.40, role 4.00 vs 4.30; the others are at or above target
    assert [f.scale for f in findings] == [StressScale.RELATIONSHIPS, StressScale.DEMANDS, StressScale.ROLE]
    assert findings[0].score == Decimal("2.00")
    assert findings[0].band == StressBand.RED
    assert findings[0].target == STRESS.benchmark[StressScale.RELATIONSHIPS].target


def test_a_scale_exactly_on_target_is_not_a_finding() -> None:
    # Change has 3 items; target 3.25 cannot be hit by one respondent, but 4 respondents can: 3, 3, 3, 4 -> 3.25
    answers = [{**everyone(4), 26: a, 28: a, 32: a} for a in (3, 3, 3, 4)]
    scores = team_scores(answers, STRESS)  # type: ignore[arg-type]
    assert scores[StressScale.CHANGE].score == Decimal("3.25") == STRESS.benchmark[StressScale.CHANGE].target
    assert StressScale.CHANGE not in {f.scale for f in stress_findings(scores, STRESS)}


def test_answers_out_of_range_are_problems() -> None:
    problems = answer_problems({1: 0, 2: 6, 3: 5, 4: None}, STRESS)
    assert [p.field for p in problems] == ["q1", "q2"]
    assert [p.field for p in answer_problems({1: None}, STRESS)] == ["row"]


# --- response rate and absence ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("responses", "invited", "label"),
    [
        (5, 10, "low"),
        (51, 100, "adequate"),
        (6, 10, "adequate"),
        (61, 100, "desirable"),
        (7, 10, "desirable"),
        (71, 100, "good"),
        (8, 10, "good"),
        (81, 100, "very_good"),
        (10, 10, "very_good"),
    ],
)
def test_response_rate_guide_is_more_than(responses: int, invited: int, label: str) -> None:
    assert response_rate_label(response_rate(responses, invited), STRESS) == label


def test_response_rate_unknown_without_the_number_invited() -> None:
    assert response_rate(10, None) is None
    assert response_rate_label(None, STRESS) is None
    assert response_rate(2, 3) == Decimal("66.7")


def test_absence_per_fte_and_mental_health_share() -> None:
    assert absence_per_fte(Decimal("120"), Decimal("12.5")) == Decimal("9.60")
    assert absence_per_fte(Decimal("10"), Decimal("3")) == Decimal("3.33")
    assert mental_health_share(Decimal("120"), Decimal("60")) == Decimal("50.0")
    assert mental_health_share(Decimal("0"), Decimal("0")) == Decimal("0.0")
    assert mental_health_share(Decimal("10"), None) is None
