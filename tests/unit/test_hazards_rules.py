"""The hazards rules for schedules, controls and assessments, as plain functions: no HTTP, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk_register.hazards.config import Frequency, load_hazard_rules, parse_frequency
from risk_register.hazards.enums import (
    ChecklistItem,
    CheckOutcome,
    ControlStatus,
    FrequencyUnit,
    SubjectKind,
)
from risk_register.hazards.rules import (
    ActionFact,
    CheckFact,
    action_overdue,
    add_frequency,
    add_months,
    control_problems,
    control_state,
    control_status,
    days_overdue,
    default_next_review,
    is_due_within,
    is_failing,
    is_overdue,
    latest_due_date_overdue_by,
    next_due_on,
    overdue_by_at_least,
    overdue_since,
    review_days_overdue,
    review_overdue,
    suitability,
)
from risk_register.settings import PROJECT_ROOT
from tests.conftest import TODAY

RULES = load_hazard_rules(PROJECT_ROOT / "config")
MONTHLY = Frequency(FrequencyUnit.MONTH, 1)
WEEKLY = Frequency(FrequencyUnit.DAY, 7)
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2080, 12, 31))
frequencies = st.builds(Frequency, st.sampled_from(list(FrequencyUnit)), st.integers(min_value=1, max_value=120))


# --- calendar arithmetic -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # 31 Jan + 1 month: end of February
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # ... 29th in a leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day + 1 year
        (date(2024, 2, 29), 48, date(2028, 2, 29)),  # leap day + 4 years
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 1, 15), 1, date(2025, 2, 15)),
        (date(2025, 12, 31), 1, date(2026, 1, 31)),  # across the year end
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 6, 30), 60, date(2030, 6, 30)),  # a five-yearly EICR
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
    ],
)
def test_add_months_is_calendar_arithmetic(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_a_month_is_not_thirty_days() -> None:
    assert add_frequency(date(2025, 1, 31), MONTHLY) != date(2025, 1, 31) + timedelta(days=30)
    assert add_frequency(date(2025, 2, 1), MONTHLY) == date(2025, 3, 1)  # 28 days later
    assert add_frequency(date(2025, 7, 1), MONTHLY) == date(2025, 8, 1)  # 31 days later
    assert add_frequency(date(2025, 1, 31), WEEKLY) == date(2025, 2, 7)


@given(dates, st.integers(min_value=0, max_value=600))
def test_add_months_keeps_the_day_or_clamps_to_the_month_end(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or (result.day < start.day and (result + timedelta(days=1)).day == 1)


@given(dates, st.integers(min_value=1, max_value=600))
def test_adding_months_always_moves_forward(start: date, months: int) -> None:
    assert add_months(start, months) > start


@pytest.mark.parametrize(
    ("text", "unit", "count"),
    [
        ("1 month", "month", 1),
        ("1 week", "day", 7),
        ("2 weeks", "day", 14),
        ("5 years", "month", 60),
        ("12 months", "month", 12),
        ("3 days", "day", 3),
        ("1 year", "month", 12),
    ],
)
def test_frequencies_parse_weeks_as_days_and_years_as_months(text: str, unit: str, count: int) -> None:
    assert parse_frequency(text) == Frequency(FrequencyUnit(unit), count)


@pytest.mark.parametrize("text", ["monthly", "0 months", "1 fortnight", "", "-1 days", "1.5 months"])
def test_bad_frequencies_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="frequency"):
        parse_frequency(text)


def test_frequency_descriptions() -> None:
    assert [
        parse_frequency(t).describe() for t in ["1 week", "1 month", "6 months", "1 year", "5 years", "3 days"]
    ] == [
        "weekly",
        "monthly",
        "every 6 months",
        "annually",
        "every 5 years",
        "every 3 days",
    ]


# --- next due and overdue ------------------------------------------------------------------------------------


def test_never_checked_is_due_on_its_first_due_date() -> None:
    assert next_due_on(date(2025, 7, 1), MONTHLY, None) == date(2025, 7, 1)


def test_checked_is_due_one_period_after_the_latest_check_whatever_the_outcome() -> None:
    state = control_state(
        date(2024, 1, 1),
        MONTHLY,
        [CheckFact(date(2025, 1, 31), CheckOutcome.PASS), CheckFact(date(2024, 12, 31), CheckOutcome.PASS)],
    )
    assert state.next_due_on == date(2025, 2, 28)
    assert state.last_checked_on == date(2025, 1, 31)
    failed = control_state(date(2024, 1, 1), MONTHLY, [CheckFact(date(2024, 1, 31), CheckOutcome.FAIL)])
    assert failed.next_due_on == date(2024, 2, 29)
    assert failed.last_outcome == CheckOutcome.FAIL


def test_on_the_same_day_the_check_recorded_last_speaks_for_the_control() -> None:
    state = control_state(
        TODAY,
        MONTHLY,
        [CheckFact(TODAY, CheckOutcome.FAIL, sequence=1), CheckFact(TODAY, CheckOutcome.PASS, sequence=2)],
    )
    assert state.last_outcome == CheckOutcome.PASS
    earlier_day_recorded_later = control_state(
        TODAY,
        MONTHLY,
        [CheckFact(TODAY, CheckOutcome.FAIL, sequence=1), CheckFact(YESTERDAY, CheckOutcome.PASS, sequence=9)],
    )
    assert earlier_day_recorded_later.last_outcome == CheckOutcome.FAIL


def test_no_checks_means_no_last_outcome() -> None:
    state = control_state(TOMORROW, WEEKLY, [])
    assert state == type(state)(next_due_on=TOMORROW, last_checked_on=None, last_outcome=None)


@pytest.mark.parametrize(
    ("due", "overdue", "days"),
    [
        (TODAY + timedelta(days=1), False, 0),
        (TODAY, False, 0),
        (YESTERDAY, True, 1),
        (TODAY - timedelta(days=40), True, 40),
    ],
)
def test_due_today_is_not_overdue_due_yesterday_is(due: date, overdue: bool, days: int) -> None:
    assert is_overdue(due, TODAY) is overdue
    assert days_overdue(due, TODAY) == days


def test_a_retired_control_is_never_overdue_due_or_failing() -> None:
    assert not is_overdue(YESTERDAY, TODAY, retired_on=YESTERDAY)
    assert days_overdue(YESTERDAY, TODAY, retired_on=YESTERDAY) == 0
    assert not is_due_within(TODAY, TODAY, 7, retired_on=YESTERDAY)
    assert not is_failing(CheckOutcome.FAIL, retired_on=YESTERDAY)


def test_monthly_check_on_31_january_is_overdue_from_1_march_in_2025_and_from_1_march_in_2024() -> None:
    due_2025 = next_due_on(date(2025, 1, 1), MONTHLY, date(2025, 1, 31))
    assert due_2025 == date(2025, 2, 28)
    assert not is_overdue(due_2025, date(2025, 2, 28))
    assert is_overdue(due_2025, date(2025, 3, 1))
    assert days_overdue(due_2025, date(2025, 3, 1)) == 1
    due_2024 = next_due_on(date(2024, 1, 1), MONTHLY, date(2024, 1, 31))
    assert due_2024 == date(2024, 2, 29)
    assert not is_overdue(due_2024, date(2024, 2, 29))
    assert is_overdue(due_2024, date(2024, 3, 1))


def test_overdue_since_is_the_day_after_it_fell_due() -> None:
    assert overdue_since(YESTERDAY) == TODAY
    assert is_overdue(YESTERDAY, overdue_since(YESTERDAY))
    assert not is_overdue(YESTERDAY, overdue_since(YESTERDAY) - timedelta(days=1))


@given(dates, dates, st.integers(min_value=1, max_value=4000))
def test_min_days_overdue_bound_agrees_with_days_overdue(due: date, today: date, min_days: int) -> None:
    assert overdue_by_at_least(due, today, min_days) == (due <= latest_due_date_overdue_by(today, min_days))


@given(dates, dates)
def test_overdue_iff_days_overdue_positive(due: date, today: date) -> None:
    assert is_overdue(due, today) == (days_overdue(due, today) > 0)


@pytest.mark.parametrize(
    ("offset", "within", "expected"),
    [(-1, 7, False), (0, 7, True), (7, 7, True), (8, 7, False), (0, 0, True), (1, 0, False)],
)
def test_due_within_includes_today_and_the_last_day(offset: int, within: int, expected: bool) -> None:
    assert is_due_within(TODAY + timedelta(days=offset), TODAY, within) is expected


# --- status ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "due", "retired", "expected"),
    [
        (None, TOMORROW, None, ControlStatus.NOT_YET_CHECKED),
        (None, TODAY, None, ControlStatus.NOT_YET_CHECKED),
        (None, YESTERDAY, None, ControlStatus.OVERDUE),
        (CheckOutcome.PASS, TODAY, None, ControlStatus.EFFECTIVE),
        (CheckOutcome.PASS, YESTERDAY, None, ControlStatus.OVERDUE),
        (CheckOutcome.FAIL, TOMORROW, None, ControlStatus.FAILING),
        (CheckOutcome.PARTIAL, TOMORROW, None, ControlStatus.FAILING),
        (CheckOutcome.FAIL, YESTERDAY, None, ControlStatus.FAILING),  # failing wins over overdue
        (CheckOutcome.PARTIAL, YESTERDAY, None, ControlStatus.FAILING),
        (CheckOutcome.FAIL, YESTERDAY, YESTERDAY, ControlStatus.RETIRED),
        (None, YESTERDAY, TODAY, ControlStatus.RETIRED),
    ],
)
def test_control_status_precedence(
    outcome: CheckOutcome | None, due: date, retired: date | None, expected: ControlStatus
) -> None:
    assert control_status(outcome, due, TODAY, retired) == expected


@given(st.sampled_from([None, *CheckOutcome]), dates, dates)
def test_status_agrees_with_the_single_facts(outcome: CheckOutcome | None, due: date, today: date) -> None:
    status = control_status(outcome, due, today)
    assert (status == ControlStatus.FAILING) == is_failing(outcome)
    assert (status == ControlStatus.OVERDUE) == (is_overdue(due, today) and not is_failing(outcome))
    assert (status == ControlStatus.NOT_YET_CHECKED) == (outcome is None and not is_overdue(due, today))


def test_control_problems_name_the_subject_the_hazard_needs() -> None:
    stress = RULES.hazard("work_related_stress")
    assert stress is not None
    problems = control_problems(
        subject=SubjectKind.SITE,
        hazard_subject=stress.subject,
        site_type=None,
        hazard_site_types=stress.site_types,
        first_due_on=TODAY,
        retired_on=TOMORROW,
        today=TODAY,
    )
    assert sorted(p.field for p in problems) == ["retired_on", "team_id"]


def test_upw_welfare_controls_only_apply_to_upw_sites() -> None:
    upw = RULES.hazard("upw_site_welfare")
    assert upw is not None
    from risk_register.estates.enums import SiteType

    kwargs = {
        "subject": SubjectKind.SITE,
        "hazard_subject": upw.subject,
        "hazard_site_types": upw.site_types,
        "first_due_on": TODAY,
        "retired_on": None,
        "today": TODAY,
    }
    assert control_problems(site_type=SiteType.UNPAID_WORK, **kwargs) == []  # type: ignore[arg-type]
    assert [p.field for p in control_problems(site_type=SiteType.PROBATION_OFFICE, **kwargs)] == ["site_id"]  # type: ignore[arg-type]


# --- suitable and sufficient ---------------------------------------------------------------------------------

ALL_MET = dict.fromkeys(ChecklistItem, True)
EVIDENCE = {
    "assessor_name": "A. Assessor (IOSH Managing Safely)",
    "significant_findings": "Dead legs on the first floor; calorifier return below 50 C",
    "actions": [ActionFact("Facilities manager", date(2025, 8, 1))],
    "next_review_on": date(2027, 6, 30),
}


def test_every_item_met_with_the_evidence_is_suitable_and_sufficient() -> None:
    result = suitability(ALL_MET, required=RULES.required_items, **EVIDENCE)  # type: ignore[arg-type]
    assert result.suitable_and_sufficient
    assert result.missing == ()


@pytest.mark.parametrize("item", list(ChecklistItem))
def test_one_item_not_met_is_not_suitable_and_names_that_item(item: ChecklistItem) -> None:
    checklist = {**ALL_MET, item: False}
    result = suitability(checklist, required=RULES.required_items, **EVIDENCE)  # type: ignore[arg-type]
    assert not result.suitable_and_sufficient
    assert result.missing == (item,)


def test_an_item_not_recorded_counts_as_not_met_and_missing_keeps_config_order() -> None:
    checklist = {
        k: v for k, v in ALL_MET.items() if k not in {ChecklistItem.REVIEW_DATE_SET, ChecklistItem.HAZARDS_IDENTIFIED}
    }
    result = suitability(checklist, required=RULES.required_items, **EVIDENCE)  # type: ignore[arg-type]
    assert result.missing == (ChecklistItem.HAZARDS_IDENTIFIED, ChecklistItem.REVIEW_DATE_SET)


@pytest.mark.parametrize(
    ("override", "item"),
    [
        ({"significant_findings": None}, ChecklistItem.SIGNIFICANT_FINDINGS_RECORDED),
        ({"significant_findings": "   "}, ChecklistItem.SIGNIFICANT_FINDINGS_RECORDED),
        ({"assessor_name": ""}, ChecklistItem.COMPETENT_ASSESSOR),
        ({"actions": [ActionFact(None, date(2025, 8, 1))]}, ChecklistItem.FURTHER_ACTIONS_WITH_OWNERS_AND_DATES),
        ({"actions": [ActionFact("Owner", None)]}, ChecklistItem.FURTHER_ACTIONS_WITH_OWNERS_AND_DATES),
        ({"next_review_on": None}, ChecklistItem.REVIEW_DATE_SET),
    ],
)
def test_a_ticked_item_the_record_contradicts_is_missing(override: dict, item: ChecklistItem) -> None:  # type: ignore[type-arg]
    result = suitability(ALL_MET, required=RULES.required_items, **{**EVIDENCE, **override})  # type: ignore[arg-type]
    assert result.missing == (item,)


def test_no_further_actions_is_fine_when_the_item_is_ticked() -> None:
    result = suitability(ALL_MET, required=RULES.required_items, **{**EVIDENCE, "actions": []})  # type: ignore[arg-type]
    assert result.suitable_and_sufficient


def test_only_required_items_count() -> None:
    checklist = {**ALL_MET, ChecklistItem.WORKERS_CONSULTED: False}
    required = [i for i in ChecklistItem if i != ChecklistItem.WORKERS_CONSULTED]
    assert suitability(checklist, required=required, **EVIDENCE).suitable_and_sufficient  # type: ignore[arg-type]


@given(st.dictionaries(st.sampled_from(list(ChecklistItem)), st.booleans()))
def test_suitable_iff_nothing_missing(checklist: dict[ChecklistItem, bool]) -> None:
    result = suitability(checklist, required=RULES.required_items, **EVIDENCE)  # type: ignore[arg-type]
    assert result.suitable_and_sufficient == (result.missing == ())
    assert set(result.missing) == {i for i in RULES.required_items if checklist.get(i) is not True}


# --- review ---------------------------------------------------------------------------------------------------


def test_review_is_overdue_from_the_day_after_the_review_date() -> None:
    assert not review_overdue(TODAY, TODAY)
    assert review_overdue(YESTERDAY, TODAY)
    assert review_days_overdue(TODAY - timedelta(days=10), TODAY) == 10
    assert review_days_overdue(TOMORROW, TODAY) == 0
    assert not review_overdue(YESTERDAY, TODAY, superseded=True)


def test_default_review_is_the_interval_in_calendar_months() -> None:
    assert default_next_review(date(2024, 2, 29), 24) == date(2026, 2, 28)
    assert default_next_review(date(2025, 1, 31), 1) == date(2025, 2, 28)


def test_actions_are_overdue_when_open_and_past_their_date() -> None:
    assert action_overdue(YESTERDAY, None, TODAY)
    assert not action_overdue(TODAY, None, TODAY)
    assert not action_overdue(YESTERDAY, YESTERDAY, TODAY)
    assert not action_overdue(None, None, TODAY)
