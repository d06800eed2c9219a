"""Hazards rules as plain functions over plain values: no HTTP, no database.

Every derived fact has exactly one function here - next due, overdue, days overdue, control status, the
outcome a day of legionella readings gives, suitable and sufficient, review overdue, Indicator Tool scores
and bands, absence per FTE. Services, queries and schemas call them rather than re-deriving anything. Where a
list must filter on a fact in SQL, hazards/queries.py states the same rule as an expression built from the
same constants, and tests/integration/test_hazards_sql_rules.py checks the two agree.

Dates: "today" is always passed in (Context.today). A thing due today is not overdue; it is overdue from the
day after.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from risk_register.core.errors import FieldProblem
from risk_register.estates.enums import SiteType
from risk_register.hazards.config import Benchmark, Frequency, LegionellaRules, StressRules, TemperatureRule
from risk_register.hazards.enums import (
    FAILING_OUTCOMES,
    ChecklistItem,
    CheckOutcome,
    ControlStatus,
    FrequencyUnit,
    LegionellaSiteStatus,
    OutletKind,
    StressBand,
    StressScale,
    SubjectKind,
    Water,
)

TWO_PLACES = Decimal("0.01")

# --- calendar arithmetic -----------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months; a day the target month lacks becomes its last day
    (31 January + 1 month = 28 February, or 29 in a leap year; 29 February + 12 months = 28 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_frequency(day: date, frequency: Frequency) -> date:
    """The date one period after ``day``: days are days, months are calendar months (never 30 days)."""
    if frequency.unit == FrequencyUnit.DAY:
        return day + timedelta(days=frequency.count)
    return add_months(day, frequency.count)


# --- controls ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckFact:
    """A check as the rules see it. ``sequence`` orders checks made on the same day (later recorded wins)."""

    checked_on: date
    outcome: CheckOutcome
    sequence: object = 0


@dataclass(frozen=True)
class ControlState:
    """What a control's checks make of it; stored on the control so lists filter and sort in SQL."""

    next_due_on: date
    last_checked_on: date | None
    last_outcome: CheckOutcome | None


def latest_check(checks: Iterable[CheckFact]) -> CheckFact | None:
    """The check that speaks for the control now: the latest date; on the same day, the one recorded last."""
    return max(checks, key=lambda c: (c.checked_on, c.sequence), default=None)


def next_due_on(first_due_on: date, frequency: Frequency, last_checked_on: date | None) -> date:
    """THE next-due rule. Never checked: the first due date. Checked: one period after the latest check,
    whatever its outcome (a failed check still has to be repeated on time), in calendar arithmetic."""
    if last_checked_on is None:
        return first_due_on
    return add_frequency(last_checked_on, frequency)


def control_state(first_due_on: date, frequency: Frequency, checks: Iterable[CheckFact]) -> ControlState:
    """The stored derived fields of a control from its schedule and its checks (recomputed on every check
    written or deleted, and when the schedule changes)."""
    latest = latest_check(checks)
    return ControlState(
        next_due_on=next_due_on(first_due_on, frequency, latest.checked_on if latest else None),
        last_checked_on=latest.checked_on if latest else None,
        last_outcome=latest.outcome if latest else None,
    )


def is_overdue(next_due: date, today: date, retired_on: date | None = None) -> bool:
    """Overdue: in use and its next check fell due before today. Due today is not overdue."""
    return retired_on is None and next_due < today


def days_overdue(next_due: date, today: date, retired_on: date | None = None) -> int:
    """Whole days since the check fell due (due yesterday: 1); 0 when not overdue."""
    return (today - next_due).days if is_overdue(next_due, today, retired_on) else 0


def overdue_since(next_due: date) -> date:
    """The first day the control counts as overdue: the day after it fell due."""
    return next_due + timedelta(days=1)


def overdue_by_at_least(next_due: date, today: date, min_days: int, retired_on: date | None = None) -> bool:
    """Overdue by ``min_days`` days or more (``min_days`` >= 1)."""
    return is_overdue(next_due, today, retired_on) and days_overdue(next_due, today, retired_on) >= min_days


def latest_due_date_overdue_by(today: date, min_days: int) -> date:
    """The latest next-due date that is overdue by at least ``min_days`` (>= 1) days: the SQL bound of
    overdue_by_at_least (next_due_on <= this)."""
    return today - timedelta(days=max(min_days, 1))


def is_due_within(next_due: date, today: date, days: int, retired_on: date | None = None) -> bool:
    """Falls due between today and ``days`` days from now, both included (not yet overdue)."""
    return retired_on is None and today <= next_due <= today + timedelta(days=days)


def is_failing(last_outcome: CheckOutcome | None, retired_on: date | None = None) -> bool:
    """Failing: in use and its latest check failed or partly failed."""
    return retired_on is None and last_outcome in FAILING_OUTCOMES


def control_status(
    last_outcome: CheckOutcome | None, next_due: date, today: date, retired_on: date | None = None
) -> ControlStatus:
    """A control's one status, in this order of precedence:

    1. ``retired`` - no longer in use (retired_on set);
    2. ``failing`` - the latest check failed or partly failed. **Failing wins over overdue**: a failed check
       is evidence the control does not work, which is worse than a missing check. A failing control that is
       also overdue still appears in the overdue list (that list asks "overdue?", not "status = overdue"), and
       its ``days_overdue`` is reported beside the status;
    3. ``overdue`` - its next check fell due before today (never-checked controls past their first due date
       included);
    4. ``not_yet_checked`` - never checked, first check not yet due;
    5. ``effective`` - the latest check passed and the next is not yet overdue.
    """
    if retired_on is not None:
        return ControlStatus.RETIRED
    if is_failing(last_outcome):
        return ControlStatus.FAILING
    if is_overdue(next_due, today):
        return ControlStatus.OVERDUE
    if last_outcome is None:
        return ControlStatus.NOT_YET_CHECKED
    return ControlStatus.EFFECTIVE


def control_problems(
    *,
    subject: SubjectKind,
    hazard_subject: SubjectKind,
    site_type: SiteType | None,
    hazard_site_types: frozenset[SiteType],
    first_due_on: date,
    retired_on: date | None,
    today: date,
) -> list[FieldProblem]:
    problems = []
    if subject != hazard_subject:
        field = "team_id" if hazard_subject == SubjectKind.TEAM else "site_id"
        problems.append(FieldProblem(field, f"this hazard's controls apply to a {hazard_subject.value}"))
    if site_type is not None and hazard_site_types and site_type not in hazard_site_types:
        allowed = ", ".join(sorted(t.value for t in hazard_site_types))
        problems.append(FieldProblem("site_id", f"this hazard applies only to site types: {allowed}"))
    if retired_on is not None and retired_on > today:
        problems.append(FieldProblem("retired_on", "must not be in the future"))
    if retired_on is not None and retired_on < first_due_on - timedelta(days=3660):
        problems.append(FieldProblem("retired_on", "is implausibly early"))
    return problems


def check_problems(*, checked_on: date, today: date) -> list[FieldProblem]:
    if checked_on > today:
        return [FieldProblem("checked_on", "must not be in the future")]
    return []


# --- legionella --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadingVerdict:
    passed: bool
    requirement: str  # e.g. "at least 50.0 C within 60 s"
    reason: str | None  # why it failed


def is_healthcare(site_type: SiteType, rules: LegionellaRules) -> bool:
    return site_type in rules.healthcare_site_types


def reading_point_problems(kind: OutletKind, water: Water, rules: LegionellaRules) -> list[FieldProblem]:
    if (kind, water) not in rules.rules:
        allowed = sorted(w.value for k, w in rules.rules if k == kind)
        return [FieldProblem("water", f"a {kind.value} reading must be one of: {', '.join(allowed)}")]
    return []


def judge_reading(
    kind: OutletKind,
    water: Water,
    temperature_c: Decimal,
    run_seconds: int | None,
    *,
    healthcare: bool,
    rules: LegionellaRules,
) -> ReadingVerdict:
    """THE legionella rule: a temperature against its HSG274 threshold from config. "At least" is >=,
    "below" is <. Where the rule has a time (hot and TMV supply: within 60 s; cold: after up to 120 s), a
    reading taken after longer fails. The kind and water must be a valid point (reading_point_problems)."""
    rule = rules.rules[(kind, water)]
    limit_s = rule.within_seconds
    requirement = requirement_text(rule, healthcare=healthcare)
    if rule.at_least_c is not None:
        minimum = _minimum(rule, healthcare)
        ok = temperature_c >= minimum
        reason = None if ok else f"{temperature_c} C is below the {minimum} C minimum"
    else:
        assert rule.below_c is not None
        ok = temperature_c < rule.below_c
        reason = None if ok else f"{temperature_c} C is not below {rule.below_c} C"
    if ok and limit_s is not None and run_seconds is not None and run_seconds > limit_s:
        ok, reason = False, f"taken after {run_seconds} s: the rule must be met within {limit_s} s"
    return ReadingVerdict(passed=ok, requirement=requirement, reason=reason)


def _minimum(rule: TemperatureRule, healthcare: bool) -> Decimal:
    assert rule.at_least_c is not None
    return rule.healthcare_at_least_c if healthcare and rule.healthcare_at_least_c else rule.at_least_c


def requirement_text(rule: TemperatureRule, *, healthcare: bool = False) -> str:
    """What a temperature rule asks, as readings and the site's status show it: "at least 50.0 C within 60 s"."""
    timing = f" within {rule.within_seconds} s" if rule.within_seconds is not None else ""
    if rule.at_least_c is not None:
        return f"at least {_minimum(rule, healthcare)} C{timing}"
    return f"below {rule.below_c} C{timing}"


def monitoring_outcome(passed: Iterable[bool]) -> CheckOutcome:
    """The outcome of a control's check made from a day's readings: any failing reading fails it."""
    results = list(passed)
    if not results:
        raise ValueError("a monitoring check needs at least one reading")
    return CheckOutcome.PASS if all(results) else CheckOutcome.FAIL


def legionella_site_status(control_statuses: Sequence[ControlStatus], failing_points: int) -> LegionellaSiteStatus:
    """A site's legionella status: failing (a control failing, or the latest reading at any outlet point
    failing) > overdue > not yet checked > no controls in use > compliant."""
    live = [s for s in control_statuses if s != ControlStatus.RETIRED]
    if failing_points or ControlStatus.FAILING in live:
        return LegionellaSiteStatus.FAILING
    if ControlStatus.OVERDUE in live:
        return LegionellaSiteStatus.OVERDUE
    if not live:
        return LegionellaSiteStatus.NO_CONTROLS
    if ControlStatus.NOT_YET_CHECKED in live:
        return LegionellaSiteStatus.NOT_YET_CHECKED
    return LegionellaSiteStatus.COMPLIANT


def reading_problems(*, taken_on: date, today: date) -> list[FieldProblem]:
    if taken_on > today:
        return [FieldProblem("taken_on", "must not be in the future")]
    return []


# --- risk assessments --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFact:
    owner: str | None
    due_on: date | None
    completed_on: date | None = None


@dataclass(frozen=True)
class Suitability:
    suitable_and_sufficient: bool
    missing: tuple[ChecklistItem, ...]


def suitability(
    checklist: Mapping[ChecklistItem, bool],
    *,
    required: Sequence[ChecklistItem],
    assessor_name: str | None,
    significant_findings: str | None,
    actions: Sequence[ActionFact],
    next_review_on: date | None,
) -> Suitability:
    """THE suitable-and-sufficient rule. Every required checklist item must be recorded as met; an item not
    recorded counts as not met. Where the record itself can show an item, it must also show it - ticking
    "significant findings recorded" with no findings written does not make it so:

    - competent_assessor: an assessor is named;
    - significant_findings_recorded: the significant findings are written down;
    - further_actions_with_owners_and_dates: every action has an owner and a date (no actions at all is fine
      when the item is ticked: the assessor found no further action needed);
    - review_date_set: there is a next review date.

    ``missing`` lists the unmet required items in the configured order.
    """
    evidence = {
        ChecklistItem.COMPETENT_ASSESSOR: bool(assessor_name and assessor_name.strip()),
        ChecklistItem.SIGNIFICANT_FINDINGS_RECORDED: bool(significant_findings and significant_findings.strip()),
        ChecklistItem.FURTHER_ACTIONS_WITH_OWNERS_AND_DATES: all(
            bool(a.owner and a.owner.strip()) and a.due_on is not None for a in actions
        ),
        ChecklistItem.REVIEW_DATE_SET: next_review_on is not None,
    }
    missing = tuple(item for item in required if not (checklist.get(item) is True and evidence.get(item, True)))
    return Suitability(suitable_and_sufficient=not missing, missing=missing)


def default_next_review(assessed_on: date, review_interval_months: int) -> date:
    """When an assessment is next reviewed unless a date is given: the review interval after the assessment."""
    return add_months(assessed_on, review_interval_months)


def review_overdue(next_review_on: date, today: date, superseded: bool = False) -> bool:
    """A current assessment whose review date is before today (due today is not yet overdue)."""
    return not superseded and next_review_on < today


def review_days_overdue(next_review_on: date, today: date, superseded: bool = False) -> int:
    return (today - next_review_on).days if review_overdue(next_review_on, today, superseded) else 0


def action_overdue(due_on: date | None, completed_on: date | None, today: date) -> bool:
    """An assessment action is overdue when it has a date, is not completed, and the date is before today."""
    return completed_on is None and due_on is not None and due_on < today


def assessment_problems(
    *,
    subject: SubjectKind,
    hazard_subject: SubjectKind,
    site_type: SiteType | None,
    hazard_site_types: frozenset[SiteType],
    assessed_on: date,
    next_review_on: date,
    actions: Sequence[ActionFact],
    today: date,
) -> list[FieldProblem]:
    problems = []
    if subject != hazard_subject:
        field = "team_id" if hazard_subject == SubjectKind.TEAM else "site_id"
        problems.append(FieldProblem(field, f"this hazard is assessed per {hazard_subject.value}"))
    if site_type is not None and hazard_site_types and site_type not in hazard_site_types:
        allowed = ", ".join(sorted(t.value for t in hazard_site_types))
        problems.append(FieldProblem("site_id", f"this hazard applies only to site types: {allowed}"))
    if assessed_on > today:
        problems.append(FieldProblem("assessed_on", "must not be in the future"))
    if next_review_on <= assessed_on:
        problems.append(FieldProblem("next_review_on", "must be after assessed_on"))
    for index, action in enumerate(actions):
        if action.completed_on is not None and action.completed_on > today:
            problems.append(FieldProblem(f"actions.{index}.completed_on", "must not be in the future"))
    return problems


# --- work-related stress: the HSE Indicator Tool -----------------------------------------------------------


def reverse_answer(answer: int, rules: StressRules) -> int:
    """A reverse-scored answer: 6 - answer on the 1..5 scale (answer_min + answer_max - answer)."""
    return rules.answer_min + rules.answer_max - answer


def item_score(item: int, answer: int, rules: StressRules) -> int:
    """An answer as it counts towards its scale: reversed for reverse-scored items (Demands, Relationships),
    so that higher is better on every scale."""
    return reverse_answer(answer, rules) if item in rules.reverse_items else answer


def respondent_scores(answers: Mapping[int, int | None], rules: StressRules) -> dict[StressScale, Fraction | None]:
    """One respondent's scale scores: the mean of the items of the scale they answered (exact), None for a
    scale with no answered item. ``answers`` maps item number (1..35) to the answer or None."""
    scores: dict[StressScale, Fraction | None] = {}
    for scale, definition in rules.scales.items():
        values = [item_score(i, a, rules) for i in definition.items if (a := answers.get(i)) is not None]
        scores[scale] = Fraction(sum(values), len(values)) if values else None
    return scores


def to_score(value: Fraction) -> Decimal:
    """A score as shown and judged: rounded half up to 2 decimal places."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScaleResult:
    scale: StressScale
    score: Decimal | None  # 1.00..5.00, None when nobody answered the scale
    respondents: int


def team_scores(respondents: Iterable[Mapping[int, int | None]], rules: StressRules) -> dict[StressScale, ScaleResult]:
    """THE team scoring rule: per scale, the mean of the respondents' scale scores (each the mean of the items
    they answered), rounded to 2 places. Respondents who answered no item of a scale do not count for it."""
    per_scale: dict[StressScale, list[Fraction]] = {s: [] for s in rules.scales}
    for answers in respondents:
        for scale, value in respondent_scores(answers, rules).items():
            if value is not None:
                per_scale[scale].append(value)
    return {
        scale: ScaleResult(
            scale=scale,
            score=to_score(sum(values, Fraction(0)) / len(values)) if values else None,
            respondents=len(values),
        )
        for scale, values in per_scale.items()
    }


def stress_band(score: Decimal, benchmark: Benchmark) -> StressBand:
    """HSE Analysis Tool colour: red below p20; yellow p20 up to p50; blue p50 up to p80; green from p80."""
    if score < benchmark.p20:
        return StressBand.RED
    if score < benchmark.p50:
        return StressBand.YELLOW
    if score < benchmark.p80:
        return StressBand.BLUE
    return StressBand.GREEN


def below_target(score: Decimal, benchmark: Benchmark) -> bool:
    """A finding: the (rounded) scale score is below the configured target (strictly)."""
    return score < benchmark.target


@dataclass(frozen=True)
class StressFinding:
    scale: StressScale
    name: str
    score: Decimal
    target: Decimal
    band: StressBand


def stress_findings(scores: Mapping[StressScale, ScaleResult], rules: StressRules) -> list[StressFinding]:
    """The scales below target, worst first (furthest below target), as findings for the risk assessment."""
    findings = [
        StressFinding(
            scale=scale,
            name=rules.scales[scale].name,
            score=result.score,
            target=rules.benchmark[scale].target,
            band=stress_band(result.score, rules.benchmark[scale]),
        )
        for scale, result in scores.items()
        if result.score is not None and below_target(result.score, rules.benchmark[scale])
    ]
    return sorted(findings, key=lambda f: (f.score - f.target, list(StressScale).index(f.scale)))


def response_rate(responses: int, invited: int | None) -> Decimal | None:
    """Responses as a percentage of those invited, 1 decimal place; None when the number invited is unknown."""
    if not invited:
        return None
    return (Decimal(responses) * 100 / Decimal(invited)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def response_rate_label(rate: Decimal | None, rules: StressRules) -> str | None:
    """HSE's guide: more than 50% adequate, 60% desirable, 70% good, 80% very good; else "low"."""
    if rate is None:
        return None
    label = "low"
    for name, more_than in rules.response_rate:
        if rate > more_than:
            label = name
    return label


def answer_problem(answer: int, rules: StressRules) -> str | None:
    """Why an Indicator Tool answer is not valid (outside 1..5), or None."""
    if not rules.answer_min <= answer <= rules.answer_max:
        return f"must be {rules.answer_min} to {rules.answer_max}, or blank"
    return None


def answer_problems(answers: Mapping[int, int | None], rules: StressRules) -> list[FieldProblem]:
    problems = []
    for item, answer in answers.items():
        if answer is not None and (reason := answer_problem(answer, rules)) is not None:
            problems.append(FieldProblem(f"q{item}", reason))
    if all(a is None for a in answers.values()):
        problems.append(FieldProblem("row", "answers no item"))
    return problems


def absence_per_fte(days_lost: Decimal, fte: Decimal) -> Decimal:
    """Working days lost to sickness per full-time equivalent, 2 places."""
    return (days_lost / fte).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def mental_health_share(days_lost: Decimal, mental_health_days: Decimal | None) -> Decimal | None:
    """Percentage of days lost that were for mental ill health, 1 place (None when not recorded)."""
    if mental_health_days is None:
        return None
    if days_lost == 0:
        return Decimal("0.0")
    return (mental_health_days * 100 / days_lost).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def absence_problems(
    *,
    period_start: date,
    period_end: date,
    fte: Decimal,
    days_lost: Decimal,
    mental_health_days: Decimal | None,
    today: date,
) -> list[FieldProblem]:
    problems = []
    if period_end < period_start:
        problems.append(FieldProblem("period_end", "must not be before period_start"))
    if period_end > today:
        problems.append(FieldProblem("period_end", "must not be in the future"))
    if fte <= 0:
        problems.append(FieldProblem("fte", "must be more than 0"))
    if mental_health_days is not None and mental_health_days > days_lost:
        problems.append(FieldProblem("mental_health_days_lost", "must not exceed days_lost"))
    return problems
