"""Estates rules as plain functions over plain values: no HTTP, no database.

Each derived fact has exactly one function here; services, queries and schemas call it rather than
re-deriving it. Where a list must filter on a fact in SQL, estates/queries.py states the same rule as an
expression and tests/unit/test_estates_rules.py checks the two agree.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from risk_register.core.errors import FieldProblem
from risk_register.estates.enums import (
    CLOSED_REMEDIATION_STATUSES,
    OPEN_FINDING_STATUSES,
    AccessibilityStatus,
    FindingStatus,
    RefurbishmentStatus,
    RemediationStatus,
    RepairPriority,
    Tenure,
)


@dataclass(frozen=True)
class EstatesRules:
    remediation_target_days: dict[RepairPriority, int]
    inaccessible_at_or_below_priority: int
    partial_at_or_below_priority: int
    condition_grades: dict[str, str]


def load_estates_rules(config_dir: Path) -> EstatesRules:
    with (config_dir / "estates.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    days = {RepairPriority(k): int(v) for k, v in raw["remediation_target_days"].items()}
    if set(days) != set(RepairPriority):
        raise ValueError("estates.toml must give remediation_target_days for P1, P2, P3 and P4")
    if any(d < 0 for d in days.values()):
        raise ValueError("remediation_target_days must not be negative")
    access = raw["accessibility"]
    return EstatesRules(
        remediation_target_days=days,
        inaccessible_at_or_below_priority=int(access["inaccessible_at_or_below_priority"]),
        partial_at_or_below_priority=int(access["partial_at_or_below_priority"]),
        condition_grades=dict(raw["condition_grades"]),
    )


# --- remediation actions -------------------------------------------------------------------------------


def default_target_date(priority: RepairPriority, reported_on: date, rules: EstatesRules) -> date:
    """The target a repair gets when none is given: reported date plus the priority's days from config.

    Total for every date: near the end of the calendar it stops at the last representable day, so an absurd
    reported date is refused by remediation_problems ("in the future"), not by an arithmetic error."""
    days = rules.remediation_target_days[priority]
    return reported_on + timedelta(days=days) if (date.max - reported_on).days >= days else date.max


def is_remediation_open(status: RemediationStatus) -> bool:
    return status not in CLOSED_REMEDIATION_STATUSES


def is_remediation_overdue(status: RemediationStatus, target_date: date, today: date) -> bool:
    """Overdue: still open and the target date is before today (due today is not yet overdue)."""
    return is_remediation_open(status) and target_date < today


def days_overdue(status: RemediationStatus, target_date: date, today: date) -> int:
    """Whole days past the target of an overdue action; 0 for one that is not overdue."""
    return (today - target_date).days if is_remediation_overdue(status, target_date, today) else 0


def remediation_problems(
    *, status: RemediationStatus, reported_on: date, target_date: date, completed_on: date | None, today: date
) -> list[FieldProblem]:
    problems = []
    if target_date < reported_on:
        problems.append(FieldProblem("target_date", "must not be before reported_on"))
    if reported_on > today:
        problems.append(FieldProblem("reported_on", "must not be in the future"))
    if status == RemediationStatus.COMPLETED and completed_on is None:
        problems.append(FieldProblem("completed_on", "is required when status is completed"))
    if status != RemediationStatus.COMPLETED and completed_on is not None:
        problems.append(FieldProblem("completed_on", "must be empty unless status is completed"))
    if completed_on is not None and completed_on < reported_on:
        problems.append(FieldProblem("completed_on", "must not be before reported_on"))
    if completed_on is not None and completed_on > today:
        problems.append(FieldProblem("completed_on", "must not be in the future"))
    return problems


# --- accessibility -----------------------------------------------------------------------------------


def is_finding_open(status: FindingStatus) -> bool:
    return status in OPEN_FINDING_STATUSES


def accessibility_status(open_finding_priorities: Iterable[int], rules: EstatesRules) -> AccessibilityStatus:
    """A site's accessibility from the priorities (1 most severe .. 4) of its open access-audit findings.

    Any open finding at or below ``inaccessible_at_or_below_priority`` makes the site inaccessible; else any
    at or below ``partial_at_or_below_priority`` makes it partially accessible; else it is accessible.
    Resolved and accepted findings do not count. Cut-offs come from config/estates.toml.
    """
    worst = min(open_finding_priorities, default=None)
    if worst is None:
        return AccessibilityStatus.ACCESSIBLE
    if worst <= rules.inaccessible_at_or_below_priority:
        return AccessibilityStatus.INACCESSIBLE
    if worst <= rules.partial_at_or_below_priority:
        return AccessibilityStatus.PARTIALLY_ACCESSIBLE
    return AccessibilityStatus.ACCESSIBLE


def finding_problems(
    *,
    status: FindingStatus,
    raised_on: date,
    target_date: date | None,
    resolved_on: date | None,
    accepted_reason: str | None,
    today: date,
) -> list[FieldProblem]:
    problems = []
    if raised_on > today:
        problems.append(FieldProblem("raised_on", "must not be in the future"))
    if target_date is not None and target_date < raised_on:
        problems.append(FieldProblem("target_date", "must not be before raised_on"))
    if resolved_on is not None and resolved_on < raised_on:
        problems.append(FieldProblem("resolved_on", "must not be before raised_on"))
    if resolved_on is not None and resolved_on > today:
        problems.append(FieldProblem("resolved_on", "must not be in the future"))
    if status == FindingStatus.RESOLVED and resolved_on is None:
        problems.append(FieldProblem("resolved_on", "is required when status is resolved"))
    if status in OPEN_FINDING_STATUSES and resolved_on is not None:
        problems.append(FieldProblem("resolved_on", "must be empty while the finding is open"))
    if status == FindingStatus.ACCEPTED and not accepted_reason:
        problems.append(FieldProblem("accepted_reason", "is required when status is accepted"))
    return problems


# --- sites and refurbishment -------------------------------------------------------------------------


def site_problems(*, tenure: Tenure, lease_end_date: date | None, staff_headcount: int) -> list[FieldProblem]:
    problems = []
    if tenure != Tenure.LEASEHOLD and lease_end_date is not None:
        problems.append(FieldProblem("lease_end_date", "applies only to leasehold sites"))
    if staff_headcount < 0:
        problems.append(FieldProblem("staff_headcount", "must not be negative"))
    return problems


def refurbishment_problems(
    *,
    status: RefurbishmentStatus,
    planned_start: date | None,
    planned_end: date | None,
    actual_start: date | None,
    actual_end: date | None,
    today: date,
) -> list[FieldProblem]:
    problems = []
    if planned_start and planned_end and planned_end < planned_start:
        problems.append(FieldProblem("planned_end", "must not be before planned_start"))
    if actual_end and actual_start is None:
        problems.append(FieldProblem("actual_start", "is required when actual_end is given"))
    if actual_start and actual_end and actual_end < actual_start:
        problems.append(FieldProblem("actual_end", "must not be before actual_start"))
    if actual_start and actual_start > today:
        problems.append(FieldProblem("actual_start", "must not be in the future"))
    if actual_end and actual_end > today:
        problems.append(FieldProblem("actual_end", "must not be in the future"))
    if status == RefurbishmentStatus.COMPLETE and actual_end is None:
        problems.append(FieldProblem("actual_end", "is required when status is complete"))
    if status in {RefurbishmentStatus.IN_PROGRESS, RefurbishmentStatus.COMPLETE} and actual_start is None:
        problems.append(FieldProblem("actual_start", f"is required when status is {status.value}"))
    return problems
