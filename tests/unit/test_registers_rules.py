"""The register rules as plain functions: no HTTP, no database."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk_register.registers.enums import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AppetiteLevel,
    Axis,
    ChangeKind,
    Rag,
    RegisterLevel,
    RiskStatus,
)
from risk_register.registers.rules import (
    MATRIX_SIZE,
    RISK_FIELDS,
    action_problems,
    appetite_of,
    assess,
    band_of,
    classify_change,
    effective_problems,
    hazard_type_codes,
    heat_map,
    is_above_appetite,
    is_action_open,
    is_action_overdue,
    is_review_overdue,
    load_register_rules,
    parse_category,
    parse_date,
    parse_level,
    parse_status,
    possible_scores,
    risk_problems,
    score,
)
from risk_register.settings import PROJECT_ROOT
from tests.conftest import TODAY

RULES = load_register_rules(PROJECT_ROOT / "config")
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)
levels = st.integers(min_value=1, max_value=MATRIX_SIZE)
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


def fields(problems: list[Any]) -> list[str]:
    return sorted(p.field for p in problems)


# --- configuration --------------------------------------------------------------------------------------


def test_the_matrix_is_five_by_five_with_the_orange_book_ends() -> None:
    assert [lv.score for lv in RULES.likelihood] == [1, 2, 3, 4, 5]
    assert [lv.score for lv in RULES.impact] == [1, 2, 3, 4, 5]
    assert (RULES.likelihood[0].label, RULES.likelihood[-1].label) == ("Rare", "Almost certain")
    assert (RULES.impact[0].label, RULES.impact[-1].label) == ("Insignificant", "Catastrophic")


def test_bands_are_the_common_practice_ranges_and_cover_every_score_once() -> None:
    assert [(b.code, b.min_score, b.max_score) for b in RULES.bands] == [
        ("low", 1, 3),
        ("moderate", 4, 6),
        ("high", 8, 12),
        ("extreme", 15, 25),
    ]
    for value in possible_scores():
        assert sum(b.holds(value) for b in RULES.bands) == 1


def test_appetite_levels_are_in_orange_book_order_with_rising_tolerance() -> None:
    assert list(RULES.appetites) == [
        AppetiteLevel.AVERSE,
        AppetiteLevel.MINIMAL,
        AppetiteLevel.CAUTIOUS,
        AppetiteLevel.OPEN,
        AppetiteLevel.EAGER,
    ]
    tolerances = [a.tolerance for a in RULES.appetites.values()]
    assert tolerances == sorted(tolerances)


def test_the_taxonomy_holds_the_categories_the_issue_names() -> None:
    for code in (
        "health-and-safety",
        "estates",
        "workforce",
        "ict-and-digital",
        "public-protection",
        "rehabilitation",
        "commissioned-services",
        "finance",
        "governance",
    ):
        assert code in RULES.categories


def test_unverified_values_are_marked_in_config() -> None:
    for name in ("risk_matrix.toml", "risk_categories.toml"):
        text = (PROJECT_ROOT / "config" / name).read_text()
        assert "[U]" in text
        assert "standards.md" in text
    lines = (PROJECT_ROOT / "config" / "risk_categories.toml").read_text().splitlines()
    appetites = [line for line in lines if line.startswith("appetite = ")]
    assert appetites
    assert all(line.endswith("# [U]") for line in appetites)


def _copy_config(tmp_path: Path) -> Path:
    for name in ("risk_matrix.toml", "risk_categories.toml"):
        shutil.copy(PROJECT_ROOT / "config" / name, tmp_path / name)
    return tmp_path


def test_a_gap_in_the_bands_is_refused(tmp_path: Path) -> None:
    config = _copy_config(tmp_path)
    path = config / "risk_matrix.toml"
    path.write_text(path.read_text().replace("min_score = 8", "min_score = 9"))
    with pytest.raises(ValueError, match="score 8 must fall in exactly one band"):
        load_register_rules(config)


def test_a_word_that_contradicts_a_level_label_is_refused(tmp_path: Path) -> None:
    config = _copy_config(tmp_path)
    path = config / "risk_matrix.toml"
    path.write_text(path.read_text().replace('"vl" = 1\n', '"vl" = 1\n"rare" = 3\n', 1))
    with pytest.raises(ValueError, match="contradicts a level label"):
        load_register_rules(config)


def test_an_alias_naming_two_categories_is_refused(tmp_path: Path) -> None:
    config = _copy_config(tmp_path)
    path = config / "risk_categories.toml"
    path.write_text(path.read_text().replace('"Budget"', '"Estates"'))
    with pytest.raises(ValueError, match="names both"):
        load_register_rules(config)


def test_without_a_hazard_catalogue_any_hazard_code_is_taken(tmp_path: Path) -> None:
    assert load_register_rules(_copy_config(tmp_path)).hazard_types is None


def test_the_project_hazard_catalogue_is_read_when_present() -> None:
    if not (PROJECT_ROOT / "config" / "hazards.toml").exists():
        pytest.skip("the hazards work has not added its catalogue yet")
    assert RULES.hazard_types
    assert "legionella" in RULES.hazard_types


@pytest.mark.parametrize(
    "raw",
    [
        {"hazards": [{"code": "legionella"}, {"code": "fire"}]},
        {"hazard_types": [{"code": "legionella"}, {"code": "fire"}]},
        {"hazards": {"legionella": {"name": "Legionella"}, "fire": {"name": "Fire"}}},
        {"catalogue": {"legionella": {"code": "legionella"}, "fire": {"code": "fire"}}},
        {"other": [{"code": "legionella"}, {"code": "fire"}]},
    ],
)
def test_hazard_codes_are_found_in_every_usual_catalogue_shape(raw: dict[str, Any]) -> None:
    assert hazard_type_codes(raw) == {"legionella", "fire"}


# --- scores, bands, appetite ------------------------------------------------------------------------------


@given(levels, levels)
def test_score_is_likelihood_times_impact_and_always_banded(likelihood: int, impact: int) -> None:
    value = score(likelihood, impact)
    assert value == likelihood * impact
    band = band_of(value, RULES)
    assert band is not None
    assert band.min_score <= likelihood * impact <= band.max_score


@given(levels, levels, levels, levels)
def test_a_higher_score_never_has_a_lower_band(l1: int, i1: int, l2: int, i2: int) -> None:
    order = [b.code for b in RULES.bands]
    s1, s2 = l1 * i1, l2 * i2
    b1, b2 = band_of(s1, RULES), band_of(s2, RULES)
    assert b1 is not None
    assert b2 is not None
    if s1 <= s2:
        assert order.index(b1.code) <= order.index(b2.code)


def test_score_needs_both_halves() -> None:
    assert score(None, 3) is None
    assert score(3, None) is None
    assert band_of(None, RULES) is None


@pytest.mark.parametrize(
    ("value", "band", "rag"),
    [
        (1, "low", Rag.GREEN),
        (3, "low", Rag.GREEN),
        (4, "moderate", Rag.AMBER),
        (6, "moderate", Rag.AMBER),
        (8, "high", Rag.RED),
        (12, "high", Rag.RED),
        (15, "extreme", Rag.RED),
        (25, "extreme", Rag.RED),
    ],
)
def test_band_boundaries(value: int, band: str, rag: Rag) -> None:
    found = band_of(value, RULES)
    assert found is not None
    assert (found.code, found.rag) == (band, rag)


def test_appetite_follows_the_category() -> None:
    assert appetite_of("health-and-safety", RULES).level == AppetiteLevel.AVERSE
    assert appetite_of("rehabilitation", RULES).level == AppetiteLevel.OPEN


@pytest.mark.parametrize(("residual", "above"), [(3, False), (4, True)])
def test_above_appetite_is_strictly_above_the_tolerance_averse(residual: int, above: bool) -> None:
    assert RULES.appetites[AppetiteLevel.AVERSE].tolerance == 3
    assert is_above_appetite(residual, "health-and-safety", RULES) is above


@given(levels, levels, st.sampled_from(sorted(RULES.categories)))
def test_above_appetite_compares_the_residual_score_with_the_categorys_tolerance(
    likelihood: int, impact: int, category: str
) -> None:
    tolerance = RULES.appetites[RULES.categories[category].appetite].tolerance
    assert is_above_appetite(likelihood * impact, category, RULES) is (likelihood * impact > tolerance)


def test_an_unknown_category_or_missing_score_is_never_above_appetite() -> None:
    assert not is_above_appetite(25, "no-such-category", RULES)
    assert not is_above_appetite(None, "finance", RULES)


# --- review and action dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("next_review", "overdue"),
    [(YESTERDAY, True), (TODAY, False), (TOMORROW, False), (None, False)],
    ids=["yesterday", "today", "tomorrow", "none"],
)
def test_review_due_today_is_not_overdue(next_review: date | None, overdue: bool) -> None:
    assert is_review_overdue(RiskStatus.OPEN, next_review, TODAY) is overdue


@pytest.mark.parametrize("status", list(RiskStatus))
def test_a_closed_risk_is_never_overdue_for_review(status: RiskStatus) -> None:
    assert is_review_overdue(status, YESTERDAY, TODAY) is (status != RiskStatus.CLOSED)


@given(st.sampled_from(list(ActionStatus)), dates, dates)
def test_an_action_is_overdue_only_when_open_and_due_before_today(status: ActionStatus, due: date, today: date) -> None:
    assert is_action_overdue(status, due, today) is (status in OPEN_ACTION_STATUSES and due < today)
    assert is_action_open(status) is (status in OPEN_ACTION_STATUSES)


def test_action_due_today_is_not_overdue() -> None:
    assert not is_action_overdue(ActionStatus.PLANNED, TODAY, TODAY)
    assert is_action_overdue(ActionStatus.IN_PROGRESS, YESTERDAY, TODAY)
    assert not is_action_overdue(ActionStatus.COMPLETED, YESTERDAY, TODAY)


def test_action_completion_rules() -> None:
    assert fields(action_problems(status=ActionStatus.COMPLETED, completed_on=None, today=TODAY)) == ["completed_on"]
    assert fields(action_problems(status=ActionStatus.PLANNED, completed_on=TODAY, today=TODAY)) == ["completed_on"]
    assert fields(action_problems(status=ActionStatus.COMPLETED, completed_on=TOMORROW, today=TODAY)) == [
        "completed_on"
    ]
    assert action_problems(status=ActionStatus.COMPLETED, completed_on=TODAY, today=TODAY) == []


# --- what people type ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30/06/2025", date(2025, 6, 30)),
        ("1/7/2025", date(2025, 7, 1)),
        ("01-07-2025", date(2025, 7, 1)),
        ("01.07.2025", date(2025, 7, 1)),
        ("2025-06-30", date(2025, 6, 30)),
        ("2025-06-30 00:00:00", date(2025, 6, 30)),
        ("2025-01-02T13:05:00", date(2025, 1, 2)),
        (" 30/06/2025 ", date(2025, 6, 30)),
    ],
)
def test_uk_and_iso_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("06/30/2025", "not a real calendar date"),  # never read month-first
        ("31/02/2025", "not a real calendar date"),
        ("30/06/25", "four-digit year"),
        ("June 30 2025", "dd/mm/yyyy or yyyy-mm-dd"),
        ("45838", "dd/mm/yyyy or yyyy-mm-dd"),
        ("30/06-2025", "dd/mm/yyyy or yyyy-mm-dd"),
    ],
)
def test_dates_that_are_refused(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


@given(dates)
def test_any_date_written_either_way_reads_back(day: date) -> None:
    assert parse_date(day.strftime("%d/%m/%Y")) == day
    assert parse_date(day.isoformat()) == day


@pytest.mark.parametrize(
    ("text", "axis", "expected"),
    [
        ("3", Axis.LIKELIHOOD, 3),
        ("3.0", Axis.IMPACT, 3),
        ("High", Axis.LIKELIHOOD, 4),
        ("medium", Axis.IMPACT, 3),
        ("LOW", Axis.IMPACT, 2),
        ("very  high", Axis.IMPACT, 5),
        ("H", Axis.LIKELIHOOD, 4),
        ("Almost certain", Axis.LIKELIHOOD, 5),
        ("Catastrophic", Axis.IMPACT, 5),
        ("Rare", Axis.LIKELIHOOD, 1),
        ("Moderate", Axis.IMPACT, 3),
    ],
)
def test_scores_as_numbers_or_words(text: str, axis: Axis, expected: int) -> None:
    assert parse_level(text, axis, RULES) == expected


@pytest.mark.parametrize("text", ["0", "6", "2.5", "-1", "Catastrophic", "Big", ""])
def test_likelihoods_that_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="must be"):
        parse_level(text, Axis.LIKELIHOOD, RULES)


@given(levels, st.sampled_from(list(Axis)))
def test_every_level_label_reads_as_its_level(level: int, axis: Axis) -> None:
    label = RULES.levels(axis)[level - 1].label
    assert parse_level(label, axis, RULES) == level
    assert parse_level(str(level), axis, RULES) == level


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Health & Safety", "health-and-safety"),
        ("H&S", "health-and-safety"),
        ("health-and-safety", "health-and-safety"),
        ("ICT", "ict-and-digital"),
        ("Estates and facilities", "estates"),
        ("  people ", "workforce"),
        ("CRS", "commissioned-services"),
    ],
)
def test_categories_by_code_label_or_alias(text: str, code: str) -> None:
    assert parse_category(text, RULES) == code


def test_an_unknown_category_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="Health and safety"):
        parse_category("Weather", RULES)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Open", RiskStatus.OPEN),
        ("live", RiskStatus.OPEN),
        ("ESCALATED", RiskStatus.ESCALATED),
        ("Tolerated", RiskStatus.TOLERATED),
        ("accepted", RiskStatus.TOLERATED),
        ("Closed", RiskStatus.CLOSED),
    ],
)
def test_statuses(text: str, status: RiskStatus) -> None:
    assert parse_status(text) == status


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="open, escalated, tolerated, closed"):
        parse_status("Pending")


# --- a risk's own rules ----------------------------------------------------------------------------------


def risk(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(RISK_FIELDS)
    values.update(
        reference="NW-1",
        title="t",
        category="estates",
        owner="o",
        residual_likelihood=3,
        residual_impact=3,
        status=RiskStatus.OPEN,
        identified_on=date(2025, 1, 1),
    )
    values.update(changes)
    return values


def problems_of(level: RegisterLevel = RegisterLevel.AREA, **changes: Any) -> list[str]:
    return fields(risk_problems(risk(**changes), level=level, rules=RULES, today=TODAY))


def test_a_plain_risk_has_no_problems() -> None:
    assert problems_of() == []


def test_score_halves_come_in_pairs() -> None:
    assert problems_of(inherent_likelihood=4) == ["inherent_impact"]
    assert problems_of(target_impact=2) == ["target_likelihood"]
    assert problems_of(inherent_likelihood=4, inherent_impact=4, target_likelihood=1, target_impact=1) == []


def test_review_dates_follow_identification_and_today() -> None:
    assert problems_of(identified_on=TOMORROW) == ["identified_on"]
    assert problems_of(identified_on=TODAY) == []
    assert problems_of(last_reviewed_on=TOMORROW) == ["last_reviewed_on"]
    assert problems_of(last_reviewed_on=date(2024, 12, 31)) == ["last_reviewed_on"]
    assert problems_of(last_reviewed_on=date(2025, 3, 1), next_review_on=date(2025, 2, 28)) == ["next_review_on"]
    assert problems_of(next_review_on=date(2024, 12, 1)) == ["next_review_on"]
    assert problems_of(last_reviewed_on=date(2025, 3, 1), next_review_on=date(2025, 3, 1)) == []


def test_only_area_and_regional_risks_name_a_national_risk() -> None:
    assert problems_of(RegisterLevel.NATIONAL, national_reference="NR-01") == ["national_reference"]
    assert problems_of(RegisterLevel.AREA, national_reference="NR-01") == []
    assert problems_of(RegisterLevel.REGIONAL, national_reference="NR-01") == []


def test_an_unknown_category_is_a_problem() -> None:
    assert problems_of(category="weather") == ["category"]


def test_effective_dates_keep_history_in_order() -> None:
    ok = effective_problems(TODAY, today=TODAY, identified_on=date(2025, 1, 1), last_change_on=TODAY)
    assert ok == []
    assert fields(effective_problems(TOMORROW, today=TODAY, identified_on=None, last_change_on=None)) == [
        "effective_on"
    ]
    assert fields(effective_problems(YESTERDAY, today=TODAY, identified_on=TODAY, last_change_on=None)) == [
        "effective_on"
    ]
    assert fields(effective_problems(YESTERDAY, today=TODAY, identified_on=None, last_change_on=TODAY)) == [
        "effective_on"
    ]


# --- derived facts together -------------------------------------------------------------------------------


@dataclass
class Plain:
    category: str
    status: RiskStatus
    inherent_likelihood: int | None
    inherent_impact: int | None
    residual_likelihood: int
    residual_impact: int
    target_likelihood: int | None
    target_impact: int | None
    next_review_on: date | None


def test_assess_uses_each_rule_once() -> None:
    item = Plain("health-and-safety", RiskStatus.OPEN, 5, 5, 2, 3, 1, 2, YESTERDAY)
    found = assess(item, RULES, TODAY)
    assert (found.inherent_score, found.residual_score, found.target_score) == (25, 6, 2)
    assert found.inherent_band is not None
    assert found.inherent_band.code == "extreme"
    assert found.residual_band is not None
    assert found.residual_band.code == "moderate"
    assert found.appetite is not None
    assert found.appetite.level == AppetiteLevel.AVERSE
    assert found.above_appetite
    assert found.review_overdue
    calm = assess(Plain("rehabilitation", RiskStatus.CLOSED, None, None, 2, 3, None, None, YESTERDAY), RULES, TODAY)
    assert calm.inherent_score is None
    assert not calm.above_appetite
    assert not calm.review_overdue


def test_heat_map_counts_cells() -> None:
    grid = heat_map([(5, 1), (5, 1), (1, 5), (None, 3)])
    assert grid[4][0] == 2
    assert grid[0][4] == 1
    assert sum(map(sum, grid)) == 3


# --- history ---------------------------------------------------------------------------------------------


def test_a_new_risk_is_new_and_may_arrive_closed_or_escalated() -> None:
    assert classify_change(None, risk()) == {ChangeKind.NEW}
    assert classify_change(None, risk(status=RiskStatus.CLOSED)) == {ChangeKind.NEW, ChangeKind.CLOSED}
    assert classify_change(None, risk(status=RiskStatus.ESCALATED)) == {ChangeKind.NEW, ChangeKind.ESCALATED}


def test_status_changes() -> None:
    assert classify_change(risk(), risk(status=RiskStatus.CLOSED)) == {ChangeKind.CLOSED}
    assert classify_change(risk(status=RiskStatus.CLOSED), risk()) == {ChangeKind.REOPENED}
    assert classify_change(risk(), risk(status=RiskStatus.ESCALATED)) == {ChangeKind.ESCALATED}
    assert classify_change(risk(status=RiskStatus.ESCALATED), risk(status=RiskStatus.TOLERATED)) == {
        ChangeKind.DE_ESCALATED
    }
    assert classify_change(risk(status=RiskStatus.ESCALATED), risk(status=RiskStatus.CLOSED)) == {ChangeKind.CLOSED}


def test_score_changes_and_other_changes() -> None:
    assert classify_change(risk(), risk(residual_likelihood=4)) == {ChangeKind.SCORE_UP}
    assert classify_change(risk(), risk(residual_impact=1)) == {ChangeKind.SCORE_DOWN}
    # the same score from other halves is not a score change
    assert classify_change(
        risk(residual_likelihood=2, residual_impact=6), risk(residual_likelihood=6, residual_impact=2)
    ) == {ChangeKind.UPDATED}
    assert classify_change(risk(), risk(owner="someone else")) == {ChangeKind.UPDATED}
    assert classify_change(risk(), risk()) == frozenset()
    assert classify_change(risk(), risk(status=RiskStatus.ESCALATED, residual_likelihood=5)) == {
        ChangeKind.ESCALATED,
        ChangeKind.SCORE_UP,
    }
    assert classify_change(risk(), None) == frozenset()


@given(levels, levels, levels, levels)
def test_score_up_and_down_are_exclusive_and_follow_the_residual_score(a: int, b: int, c: int, d: int) -> None:
    kinds = classify_change(
        risk(residual_likelihood=a, residual_impact=b), risk(residual_likelihood=c, residual_impact=d)
    )
    assert (ChangeKind.SCORE_UP in kinds) is (c * d > a * b)
    assert (ChangeKind.SCORE_DOWN in kinds) is (c * d < a * b)
