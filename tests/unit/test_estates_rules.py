"""The estates rules as plain functions: no HTTP, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk_register.estates.enums import (
    CLOSED_REMEDIATION_STATUSES,
    AccessibilityStatus,
    FindingStatus,
    RefurbishmentStatus,
    RemediationStatus,
    RepairPriority,
    Tenure,
)
from risk_register.estates.rules import (
    EstatesRules,
    accessibility_status,
    days_overdue,
    default_target_date,
    finding_problems,
    is_finding_open,
    is_remediation_open,
    is_remediation_overdue,
    load_estates_rules,
    refurbishment_problems,
    remediation_problems,
    site_problems,
)
from risk_register.settings import PROJECT_ROOT
from tests.conftest import TODAY

RULES = load_estates_rules(PROJECT_ROOT / "config")
OPEN_STATUSES = [s for s in RemediationStatus if s not in CLOSED_REMEDIATION_STATUSES]
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
statuses = st.sampled_from(list(RemediationStatus))
priorities = st.sampled_from(list(RepairPriority))


def fields(problems: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(p.field for p in problems)


# --- config ---------------------------------------------------------------------------------------------


def test_config_gives_days_for_every_priority() -> None:
    assert set(RULES.remediation_target_days) == set(RepairPriority)
    assert all(days >= 0 for days in RULES.remediation_target_days.values())
    # More urgent repairs never get a later target than less urgent ones.
    ordered = [RULES.remediation_target_days[p] for p in sorted(RepairPriority)]
    assert ordered == sorted(ordered)


def test_config_accessibility_cut_offs() -> None:
    assert RULES.inaccessible_at_or_below_priority == 1
    assert RULES.partial_at_or_below_priority == 3
    assert set(RULES.condition_grades) == {"A", "B", "C", "D"}


def test_load_refuses_a_config_missing_a_priority(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = (PROJECT_ROOT / "config" / "estates.toml").read_text()
    (tmp_path / "estates.toml").write_text(text.replace("P4 = 90", ""))
    with pytest.raises(ValueError, match="P1, P2, P3 and P4"):
        load_estates_rules(tmp_path)


def test_load_refuses_negative_days(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = (PROJECT_ROOT / "config" / "estates.toml").read_text()
    (tmp_path / "estates.toml").write_text(text.replace("P2 = 7", "P2 = -7"))
    with pytest.raises(ValueError, match="negative"):
        load_estates_rules(tmp_path)


# --- default target date --------------------------------------------------------------------------------


@pytest.mark.parametrize(("priority", "days"), [("P1", 1), ("P2", 7), ("P3", 28), ("P4", 90)])
def test_default_target_date_per_priority(priority: str, days: int, estates_rules: EstatesRules) -> None:
    reported = date(2025, 6, 1)
    assert estates_rules.remediation_target_days[RepairPriority(priority)] == days
    assert default_target_date(RepairPriority(priority), reported, estates_rules) == reported + timedelta(days=days)


def test_default_target_date_uses_the_rules_passed_in() -> None:
    custom = replace(RULES, remediation_target_days={p: 100 + i for i, p in enumerate(RepairPriority)})
    reported = date(2025, 1, 31)
    assert default_target_date(RepairPriority.P1, reported, custom) == date(2025, 5, 11)
    assert default_target_date(RepairPriority.P4, reported, custom) == reported + timedelta(days=103)


def test_default_target_date_crosses_month_and_leap_day() -> None:
    assert default_target_date(RepairPriority.P1, date(2024, 2, 28), RULES) == date(2024, 2, 29)
    assert default_target_date(RepairPriority.P1, date(2025, 12, 31), RULES) == date(2026, 1, 1)


@given(reported_on=dates, priority=priorities)
def test_default_target_is_reported_plus_configured_days(reported_on: date, priority: RepairPriority) -> None:
    target = default_target_date(priority, reported_on, RULES)
    assert target == reported_on + timedelta(days=RULES.remediation_target_days[priority])
    assert target >= reported_on
    # The default target never breaks the ordering rule.
    assert not remediation_problems(
        status=RemediationStatus.REPORTED,
        reported_on=reported_on,
        target_date=target,
        completed_on=None,
        today=max(reported_on, TODAY),
    )


# --- overdue ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_open_status_due_today_is_not_overdue(status: RemediationStatus) -> None:
    assert is_remediation_open(status)
    assert not is_remediation_overdue(status, TODAY, TODAY)
    assert days_overdue(status, TODAY, TODAY) == 0


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_open_status_due_yesterday_is_overdue(status: RemediationStatus) -> None:
    assert is_remediation_overdue(status, YESTERDAY, TODAY)
    assert days_overdue(status, YESTERDAY, TODAY) == 1


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_open_status_due_tomorrow_is_not_overdue(status: RemediationStatus) -> None:
    assert not is_remediation_overdue(status, TOMORROW, TODAY)
    assert days_overdue(status, TOMORROW, TODAY) == 0


@pytest.mark.parametrize("status", [RemediationStatus.COMPLETED, RemediationStatus.CANCELLED])
@pytest.mark.parametrize("target", [date(2000, 1, 1), YESTERDAY, TODAY, TOMORROW])
def test_closed_statuses_are_never_overdue(status: RemediationStatus, target: date) -> None:
    assert not is_remediation_open(status)
    assert not is_remediation_overdue(status, target, TODAY)
    assert days_overdue(status, target, TODAY) == 0


def test_every_open_status_is_exactly_the_non_closed_ones() -> None:
    assert set(OPEN_STATUSES) == {
        RemediationStatus.REPORTED,
        RemediationStatus.PARTS_AWAITED,
        RemediationStatus.IN_PROGRESS,
    }


def test_days_overdue_counts_whole_calendar_days() -> None:
    assert days_overdue(RemediationStatus.REPORTED, date(2025, 6, 20), TODAY) == 10
    assert days_overdue(RemediationStatus.IN_PROGRESS, date(2024, 6, 30), TODAY) == 365
    assert days_overdue(RemediationStatus.PARTS_AWAITED, date(2024, 2, 28), date(2024, 3, 1)) == 2


@given(status=statuses, target=dates, today=dates)
def test_overdue_iff_open_and_target_before_today(status: RemediationStatus, target: date, today: date) -> None:
    expected = status not in CLOSED_REMEDIATION_STATUSES and target < today
    assert is_remediation_overdue(status, target, today) is expected


@given(status=statuses, target=dates, today=dates)
def test_days_overdue_is_never_negative_and_exact_when_overdue(
    status: RemediationStatus, target: date, today: date
) -> None:
    days = days_overdue(status, target, today)
    assert isinstance(days, int)
    assert days >= 0
    if is_remediation_overdue(status, target, today):
        assert days == (today - target).days
        assert days >= 1
    else:
        assert days == 0


# --- accessibility ------------------------------------------------------------------------------------


def test_no_findings_is_accessible() -> None:
    assert accessibility_status([], RULES) == AccessibilityStatus.ACCESSIBLE


@pytest.mark.parametrize(
    ("priorities", "expected"),
    [
        ([1], AccessibilityStatus.INACCESSIBLE),
        ([2], AccessibilityStatus.PARTIALLY_ACCESSIBLE),
        ([3], AccessibilityStatus.PARTIALLY_ACCESSIBLE),
        ([4], AccessibilityStatus.ACCESSIBLE),
        ([4, 4, 4], AccessibilityStatus.ACCESSIBLE),
        ([4, 3], AccessibilityStatus.PARTIALLY_ACCESSIBLE),
        ([4, 2, 3], AccessibilityStatus.PARTIALLY_ACCESSIBLE),
        ([4, 3, 1, 2], AccessibilityStatus.INACCESSIBLE),
        ([2, 1], AccessibilityStatus.INACCESSIBLE),
    ],
)
def test_worst_open_finding_wins(priorities: list[int], expected: AccessibilityStatus) -> None:
    assert accessibility_status(priorities, RULES) == expected


def test_accessibility_takes_any_iterable() -> None:
    assert accessibility_status(iter([3, 1]), RULES) == AccessibilityStatus.INACCESSIBLE
    assert accessibility_status((p for p in [4]), RULES) == AccessibilityStatus.ACCESSIBLE


def test_accessibility_cut_offs_come_from_the_rules_passed_in() -> None:
    strict = replace(RULES, inaccessible_at_or_below_priority=2, partial_at_or_below_priority=4)
    assert accessibility_status([2], strict) == AccessibilityStatus.INACCESSIBLE
    assert accessibility_status([3], strict) == AccessibilityStatus.PARTIALLY_ACCESSIBLE
    assert accessibility_status([4], strict) == AccessibilityStatus.PARTIALLY_ACCESSIBLE
    assert accessibility_status([], strict) == AccessibilityStatus.ACCESSIBLE

    lenient = EstatesRules(
        remediation_target_days=dict(RULES.remediation_target_days),
        inaccessible_at_or_below_priority=0,
        partial_at_or_below_priority=1,
        condition_grades={},
    )
    assert accessibility_status([1], lenient) == AccessibilityStatus.PARTIALLY_ACCESSIBLE
    assert accessibility_status([2, 3], lenient) == AccessibilityStatus.ACCESSIBLE


@given(st.lists(st.integers(min_value=1, max_value=4), max_size=12))
def test_accessibility_depends_only_on_the_worst_priority(priorities: list[int]) -> None:
    status = accessibility_status(priorities, RULES)
    if not priorities:
        assert status == AccessibilityStatus.ACCESSIBLE
    else:
        assert status == accessibility_status([min(priorities)], RULES)


@pytest.mark.parametrize(
    ("status", "is_open"),
    [
        (FindingStatus.OPEN, True),
        (FindingStatus.IN_PROGRESS, True),
        (FindingStatus.RESOLVED, False),
        (FindingStatus.ACCEPTED, False),
    ],
)
def test_finding_open_statuses(status: FindingStatus, is_open: bool) -> None:
    assert is_finding_open(status) is is_open


# --- remediation problems -----------------------------------------------------------------------------


def remediation(**overrides: object) -> list[str]:
    values: dict[str, object] = {
        "status": RemediationStatus.REPORTED,
        "reported_on": TODAY - timedelta(days=10),
        "target_date": TODAY - timedelta(days=3),
        "completed_on": None,
        "today": TODAY,
    }
    values.update(overrides)
    return fields(remediation_problems(**values))  # type: ignore[arg-type]


def test_remediation_valid() -> None:
    assert remediation() == []


def test_remediation_target_equal_to_reported_is_allowed() -> None:
    assert remediation(reported_on=TODAY - timedelta(days=4), target_date=TODAY - timedelta(days=4)) == []


def test_remediation_target_one_day_before_reported_is_refused() -> None:
    assert remediation(reported_on=TODAY - timedelta(days=4), target_date=TODAY - timedelta(days=5)) == ["target_date"]


def test_remediation_reported_today_is_allowed_tomorrow_refused() -> None:
    assert remediation(reported_on=TODAY, target_date=TODAY) == []
    assert remediation(reported_on=TOMORROW, target_date=TOMORROW) == ["reported_on"]


def test_remediation_target_in_the_future_is_allowed() -> None:
    assert remediation(target_date=TODAY + timedelta(days=365)) == []


def test_remediation_completed_requires_completed_on() -> None:
    assert remediation(status=RemediationStatus.COMPLETED) == ["completed_on"]
    assert remediation(status=RemediationStatus.COMPLETED, completed_on=TODAY) == []


@pytest.mark.parametrize("status", [s for s in RemediationStatus if s != RemediationStatus.COMPLETED])
def test_remediation_completed_on_only_when_completed(status: RemediationStatus) -> None:
    assert remediation(status=status) == []
    assert remediation(status=status, completed_on=TODAY - timedelta(days=1)) == ["completed_on"]


def test_remediation_completed_on_boundaries() -> None:
    reported = TODAY - timedelta(days=10)
    completed = RemediationStatus.COMPLETED
    assert remediation(status=completed, reported_on=reported, completed_on=reported) == []
    assert remediation(status=completed, reported_on=reported, completed_on=reported - timedelta(days=1)) == [
        "completed_on"
    ]
    assert remediation(status=completed, completed_on=TODAY) == []
    assert remediation(status=completed, completed_on=TOMORROW) == ["completed_on"]


def test_remediation_reports_every_problem_at_once() -> None:
    assert remediation(
        status=RemediationStatus.IN_PROGRESS,
        reported_on=TOMORROW,
        target_date=TODAY,
        completed_on=TODAY,
    ) == ["completed_on", "completed_on", "reported_on", "target_date"]


@given(
    reported_back=st.integers(min_value=0, max_value=3000),
    target_after=st.integers(min_value=0, max_value=3000),
    completed_fraction=st.floats(min_value=0, max_value=1),
    status=statuses,
)
def test_remediation_with_ordered_past_dates_has_no_problems(
    reported_back: int, target_after: int, completed_fraction: float, status: RemediationStatus
) -> None:
    reported = TODAY - timedelta(days=reported_back)
    completed = (
        reported + timedelta(days=int(reported_back * completed_fraction))
        if status == RemediationStatus.COMPLETED
        else None
    )
    assert (
        remediation_problems(
            status=status,
            reported_on=reported,
            target_date=reported + timedelta(days=target_after),
            completed_on=completed,
            today=TODAY,
        )
        == []
    )


# --- finding problems ---------------------------------------------------------------------------------


def finding(**overrides: object) -> list[str]:
    values: dict[str, object] = {
        "status": FindingStatus.OPEN,
        "raised_on": TODAY - timedelta(days=10),
        "target_date": None,
        "resolved_on": None,
        "accepted_reason": None,
        "today": TODAY,
    }
    values.update(overrides)
    return fields(finding_problems(**values))  # type: ignore[arg-type]


def test_finding_valid() -> None:
    assert finding() == []
    assert finding(status=FindingStatus.IN_PROGRESS, target_date=TODAY + timedelta(days=90)) == []


def test_finding_raised_today_allowed_tomorrow_refused() -> None:
    assert finding(raised_on=TODAY) == []
    assert finding(raised_on=TOMORROW) == ["raised_on"]


def test_finding_target_boundaries() -> None:
    raised = TODAY - timedelta(days=10)
    assert finding(raised_on=raised, target_date=raised) == []
    assert finding(raised_on=raised, target_date=raised - timedelta(days=1)) == ["target_date"]
    assert finding(raised_on=raised, target_date=TODAY + timedelta(days=1000)) == []


def test_finding_resolved_boundaries() -> None:
    raised = TODAY - timedelta(days=10)
    resolved = FindingStatus.RESOLVED
    assert finding(status=resolved, raised_on=raised, resolved_on=raised) == []
    assert finding(status=resolved, raised_on=raised, resolved_on=TODAY) == []
    assert finding(status=resolved, raised_on=raised, resolved_on=raised - timedelta(days=1)) == ["resolved_on"]
    assert finding(status=resolved, raised_on=raised, resolved_on=TOMORROW) == ["resolved_on"]


def test_finding_resolved_requires_resolved_on() -> None:
    assert finding(status=FindingStatus.RESOLVED) == ["resolved_on"]


@pytest.mark.parametrize("status", [FindingStatus.OPEN, FindingStatus.IN_PROGRESS])
def test_open_finding_may_not_have_resolved_on(status: FindingStatus) -> None:
    assert finding(status=status, resolved_on=TODAY) == ["resolved_on"]


def test_finding_accepted_requires_accepted_reason() -> None:
    accepted = FindingStatus.ACCEPTED
    assert finding(status=accepted) == ["accepted_reason"]
    assert finding(status=accepted, accepted_reason="") == ["accepted_reason"]
    assert finding(status=accepted, accepted_reason="Listed building: alteration refused") == []


def test_finding_reason_is_not_required_unless_accepted() -> None:
    assert finding(status=FindingStatus.OPEN, accepted_reason=None) == []
    assert finding(status=FindingStatus.RESOLVED, resolved_on=TODAY, accepted_reason=None) == []


# --- site problems ------------------------------------------------------------------------------------


@pytest.mark.parametrize("tenure", [Tenure.FREEHOLD, Tenure.OTHER])
def test_lease_end_date_only_for_leaseholds(tenure: Tenure) -> None:
    assert fields(site_problems(tenure=tenure, lease_end_date=None, staff_headcount=0)) == []
    assert fields(site_problems(tenure=tenure, lease_end_date=TODAY, staff_headcount=0)) == ["lease_end_date"]


def test_leasehold_with_or_without_lease_end_date() -> None:
    assert site_problems(tenure=Tenure.LEASEHOLD, lease_end_date=TODAY - timedelta(days=400), staff_headcount=5) == []
    assert site_problems(tenure=Tenure.LEASEHOLD, lease_end_date=None, staff_headcount=5) == []


def test_headcount_boundary() -> None:
    assert site_problems(tenure=Tenure.FREEHOLD, lease_end_date=None, staff_headcount=0) == []
    assert fields(site_problems(tenure=Tenure.FREEHOLD, lease_end_date=None, staff_headcount=-1)) == ["staff_headcount"]


# --- refurbishment problems ---------------------------------------------------------------------------


def refurbishment(**overrides: object) -> list[str]:
    values: dict[str, object] = {
        "status": RefurbishmentStatus.PROPOSED,
        "planned_start": None,
        "planned_end": None,
        "actual_start": None,
        "actual_end": None,
        "today": TODAY,
    }
    values.update(overrides)
    return fields(refurbishment_problems(**values))  # type: ignore[arg-type]


def test_refurbishment_with_no_dates_is_valid_until_started() -> None:
    for status in (RefurbishmentStatus.PROPOSED, RefurbishmentStatus.APPROVED, RefurbishmentStatus.FUNDED):
        assert refurbishment(status=status) == []
    assert refurbishment(status=RefurbishmentStatus.CANCELLED) == []


def test_refurbishment_planned_dates() -> None:
    start = TODAY + timedelta(days=30)
    assert refurbishment(planned_start=start, planned_end=start) == []
    assert refurbishment(planned_start=start, planned_end=start - timedelta(days=1)) == ["planned_end"]
    # Planned dates may be in the future, and one may be given without the other.
    assert refurbishment(planned_start=start) == []
    assert refurbishment(planned_end=start) == []


def test_refurbishment_actual_dates() -> None:
    start = TODAY - timedelta(days=30)
    in_progress = RefurbishmentStatus.IN_PROGRESS
    assert refurbishment(status=in_progress, actual_start=start) == []
    assert refurbishment(status=in_progress, actual_start=start, actual_end=start) == []
    assert refurbishment(status=in_progress, actual_start=start, actual_end=start - timedelta(days=1)) == ["actual_end"]
    assert refurbishment(actual_end=start) == ["actual_start"]


def test_refurbishment_actual_dates_may_not_be_in_the_future() -> None:
    in_progress = RefurbishmentStatus.IN_PROGRESS
    assert refurbishment(status=in_progress, actual_start=TODAY) == []
    assert refurbishment(status=in_progress, actual_start=TOMORROW) == ["actual_start"]
    assert refurbishment(status=in_progress, actual_start=TODAY - timedelta(days=3), actual_end=TODAY) == []
    assert refurbishment(status=in_progress, actual_start=TODAY - timedelta(days=3), actual_end=TOMORROW) == [
        "actual_end"
    ]


def test_refurbishment_complete_requires_both_actual_dates() -> None:
    complete = RefurbishmentStatus.COMPLETE
    assert refurbishment(status=complete) == ["actual_end", "actual_start"]
    assert refurbishment(status=complete, actual_start=TODAY - timedelta(days=5)) == ["actual_end"]
    assert refurbishment(status=complete, actual_start=TODAY - timedelta(days=5), actual_end=TODAY) == []


def test_refurbishment_in_progress_requires_actual_start() -> None:
    assert refurbishment(status=RefurbishmentStatus.IN_PROGRESS) == ["actual_start"]


@given(
    status=st.sampled_from(list(RefurbishmentStatus)),
    planned_start=dates,
    planned_length=st.integers(min_value=0, max_value=800),
    started_back=st.integers(min_value=0, max_value=2000),
    finished_fraction=st.floats(min_value=0, max_value=1),
)
def test_refurbishment_with_consistent_dates_has_no_problems(
    status: RefurbishmentStatus,
    planned_start: date,
    planned_length: int,
    started_back: int,
    finished_fraction: float,
) -> None:
    started = status in {RefurbishmentStatus.IN_PROGRESS, RefurbishmentStatus.COMPLETE}
    actual_start = TODAY - timedelta(days=started_back) if started else None
    actual_end = (
        TODAY - timedelta(days=int(started_back * (1 - finished_fraction)))
        if status == RefurbishmentStatus.COMPLETE
        else None
    )
    assert (
        refurbishment_problems(
            status=status,
            planned_start=planned_start,
            planned_end=planned_start + timedelta(days=planned_length),
            actual_start=actual_start,
            actual_end=actual_end,
            today=TODAY,
        )
        == []
    )
