"""Deterministic demo hazards data for a generated estate, as plain rows, and its bulk load.

For every site: the standard controls its type needs (legionella sentinel and calorifier monitoring, fire alarm
and emergency lighting, gas, EICR, portable appliances, asbestos where present, first aid; welfare and tools at
unpaid work (UPW) sites) with a year of checks; the latest legionella round as temperature readings; risk
assessments for legionella, fire, asbestos and UPW welfare. For every PDU two teams (sentence management, UPW
delivery) and for every region an Approved Premises staff team, each with lone-working and stress controls and
checks, assessments, an Indicator Tool survey for most, and a year of sickness absence by quarter.

Shares follow the inspection (../shared/seed/): UPW sites are checked less reliably and more often neglected,
worse buildings fail more checks, and the legionella and stress assessments are often not suitable and
sufficient. Every derived field (next due, last outcome, reading verdicts, check outcomes from readings,
suitable and sufficient, survey scores) is computed by the one rule in risk_register/hazards/rules.py.

Same seed, scale, estate and date: same rows. Sizes at scale 1: about 5,000 controls and 30,000 checks; x100
is loaded with Core bulk inserts (the audit trail is for users' writes, not for demo data).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from advanced_alchemy.types import GUID
from sqlalchemy import JSON
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.estates.enums import SiteType
from risk_register.hazards import rules
from risk_register.hazards.config import ControlTemplate, Frequency, HazardRules, load_hazard_rules
from risk_register.hazards.enums import (
    ChecklistItem,
    CheckOutcome,
    CheckSource,
    FrequencyUnit,
    OutletKind,
    StressScale,
    Water,
)
from risk_register.hazards.models import (
    ControlCheck,
    HazardControl,
    LegionellaReading,
    RiskAssessment,
    SicknessAbsence,
    StressSurvey,
    StressSurveyResponse,
    Team,
)
from risk_register.hazards.views import stored_scores
from risk_register.organisation.reference import Organisation

BATCH = 20_000
SITES_PER_CHUNK = 5000
CHECKERS = ["A. Patel", "B. Jones", "C. Williams", "D. Evans", "E. Brown", "F. Khan", "G. Taylor", "H. Davies"]
CONTRACTORS = ["Aqua Compliance Ltd", "SafeFlow Water Services", "Sparks Electrical Testing", "Gas Safe Heating Co"]
OWNER = {
    "legionella": "Facilities manager",
    "fire": "Site manager",
    "gas_safety": "Facilities manager",
    "fixed_electrical": "Facilities manager",
    "portable_appliances": "Office manager",
    "asbestos": "Regional estates lead",
    "first_aid": "Office manager",
    "upw_site_welfare": "UPW supervisor",
    "lone_working": "Senior probation officer",
    "work_related_stress": "Head of PDU",
}


@dataclass
class DemoHazards:
    teams: list[dict[str, Any]] = field(default_factory=list)
    controls: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    readings: list[dict[str, Any]] = field(default_factory=list)
    assessments: list[dict[str, Any]] = field(default_factory=list)
    surveys: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    absence: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in vars(self).items()}


@dataclass(frozen=True)
class _Profile:
    """How well a site or team keeps its checks: the inspection's UPW finding and building condition."""

    on_time: float  # chance a check is done by its due date (else late)
    neglect: float  # chance a control stops being checked at some point in the year
    fail: float  # chance a check fails
    partial: float


def _profile(site_type: SiteType | None, condition: str | None) -> _Profile:
    if site_type == SiteType.UNPAID_WORK:
        return _Profile(on_time=0.78, neglect=0.16, fail=0.06, partial=0.05)
    worse = condition in {"C", "D"}
    return _Profile(on_time=0.92, neglect=0.06, fail=0.04 if worse else 0.02, partial=0.03 if worse else 0.02)


def _site_templates(site: Mapping[str, Any], rng: random.Random) -> list[str]:
    """The controls the register tracks at a site. Routine in-house tests logged on site (the weekly fire alarm
    test and monthly emergency lighting test at offices, first-aid kit checks) stay in the site's log book;
    the register holds the statutory and specialist checks, and the weekly alarm test at Approved Premises,
    where people sleep."""
    site_type = SiteType(site["site_type"])
    chosen = [
        "sentinel_outlet_temperatures",
        "emergency_lighting_annual",
        "fire_alarm_service",
        "eicr",
        "first_aid_needs_assessment_review",
    ]
    if site_type == SiteType.APPROVED_PREMISES:
        chosen += ["fire_alarm_weekly_test", "calorifier_flow_return", "pat_formal_visual_inspection"]
    elif site_type == SiteType.PROBATION_OFFICE:
        if rng.random() < 0.25:
            chosen.append("calorifier_flow_return")
        chosen.append("pat_formal_visual_inspection")
    if (site_type != SiteType.UNPAID_WORK or rng.random() < 0.5) and rng.random() < 0.75:
        chosen.append("gas_appliance_service")
    if rng.random() < (0.6 if site["condition_grade"] in {"C", "D"} else 0.3):
        chosen.append("acm_reinspection")
    if site_type == SiteType.UNPAID_WORK:
        chosen += ["upw_welfare_facilities_inspection", "upw_tools_and_equipment_inspection"]
    return chosen


TEAM_TEMPLATES = [
    "personal_safety_device_test",
    "contact_arrangements_review",
    "indicator_tool_survey",
    "sickness_absence_review",
]


def _period_days(frequency: Frequency) -> int:
    return frequency.count if frequency.unit == FrequencyUnit.DAY else frequency.count * 30


class _Generator:
    def __init__(self, hazard_rules: HazardRules, seed: int, today: date) -> None:
        self.rules = hazard_rules
        self.rng = random.Random(f"{seed}-hazards")
        self.today = today
        self.stamp = datetime(today.year, today.month, today.day, tzinfo=UTC)
        self.out = DemoHazards()
        self.id_base = self.rng.getrandbits(48) << 80
        self.counter = 0

    def new_id(self) -> uuid.UUID:
        """Ids in creation order (like the UUIDv7 the service issues), so bulk loads append to the indexes."""
        self.counter += 1
        return uuid.UUID(int=self.id_base | self.counter)

    def audit(self, versioned: bool = True) -> dict[str, Any]:
        row: dict[str, Any] = {"id": self.new_id(), "created_at": self.stamp, "updated_at": self.stamp}
        if versioned:
            row["version"] = 1
        return row

    # --- controls and a year of checks -------------------------------------------------------------------

    def _outcome(self, profile: _Profile) -> CheckOutcome:
        roll = self.rng.random()
        if roll < profile.fail:
            return CheckOutcome.FAIL
        if roll < profile.fail + profile.partial:
            return CheckOutcome.PARTIAL
        return CheckOutcome.PASS

    def _history(
        self, template: ControlTemplate, profile: _Profile, first_due: date
    ) -> list[tuple[date, CheckOutcome]]:
        """Checks from one before the last year up to today: on time or late, sometimes failed (then retested
        soon), sometimes abandoned part-way (the control is then overdue)."""
        rng, today = self.rng, self.today
        period = _period_days(template.frequency)
        window_start = today - timedelta(days=365)
        # The anchor: the last check before the year, somewhere in the period before it (a little beyond, now
        # and then, for long-period controls that are already overdue).
        last = window_start - timedelta(days=rng.randint(0, max(int(period * 1.1), 1)))
        if last < first_due:
            last = first_due
        checks = [(last, self._outcome(profile))]
        stop = today + timedelta(days=1)
        if rng.random() < profile.neglect:
            stop = window_start + timedelta(days=rng.randint(0, 365))
        while True:
            previous_date, previous_outcome = checks[-1]
            due = rules.add_frequency(previous_date, template.frequency)
            if previous_outcome != CheckOutcome.PASS:
                when = previous_date + timedelta(days=rng.randint(1, min(14, max(period // 2, 1))))
                outcome = CheckOutcome.PASS if rng.random() < 0.8 else self._outcome(profile)
            else:
                if rng.random() < profile.on_time:
                    early = min(max(period // 6, 0), 7)
                    when = due - timedelta(days=rng.randint(0, early))
                else:
                    when = due + timedelta(days=rng.randint(1, max(min(period, 45), 2)))
                outcome = self._outcome(profile)
            when = max(when, previous_date + timedelta(days=1))
            if when > today or when >= stop:
                break
            checks.append((when, outcome))
        return checks

    def add_control(
        self,
        template: ControlTemplate,
        profile: _Profile,
        *,
        site: Mapping[str, Any] | None = None,
        team: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = self.rng
        new = rng.random() < 0.01  # applied recently: first check not due yet, or just due
        first_due = (
            self.today + timedelta(days=rng.randint(-2, 20))
            if new
            else self.today - timedelta(days=rng.randint(1100, 2000))
        )
        history = [] if new else self._history(template, profile, first_due)
        control_id = self.new_id()
        stamp, new_id, random_ = self.stamp, self.new_id, rng.random
        people = CONTRACTORS if template.frequency.count >= 6 else CHECKERS
        checker = people[rng.randrange(len(people))]  # the same contractor or colleague all year, mostly
        checks = [
            {
                "id": new_id(),
                "created_at": stamp,
                "updated_at": stamp,
                "version": 1,
                "control_id": control_id,
                "checked_on": checked_on,
                "checked_by": checker,
                "outcome": outcome,
                "notes": None if outcome == CheckOutcome.PASS else "Defect found; remedial work requested",
                "evidence_ref": f"LOG-{control_id.hex[:8]}-{sequence:03d}" if random_() < 0.7 else None,
                "source": CheckSource.MANUAL,
            }
            for sequence, (checked_on, outcome) in enumerate(history)
        ]
        control = {
            **self.audit(),
            "id": control_id,
            "hazard_code": template.hazard_code,
            "template_code": template.code,
            "title": template.title,
            "description": None,
            "basis": template.basis,
            "site_id": site["id"] if site is not None else None,
            "team_id": team["id"] if team is not None else None,
            "owner": OWNER[template.hazard_code],
            "frequency_unit": template.frequency.unit,
            "frequency_count": template.frequency.count,
            "first_due_on": first_due,
            "retired_on": None,
        }
        self.out.controls.append(control)
        self.out.checks.extend(checks)
        return control, checks

    def settle(self, control: dict[str, Any], checks: Sequence[dict[str, Any]]) -> None:
        """The control's stored state from its checks: the one rule."""
        # The history is made in date order, so its last check is the latest: the rule is given that one.
        latest = [rules.CheckFact(checks[-1]["checked_on"], checks[-1]["outcome"])] if checks else []
        state = rules.control_state(
            control["first_due_on"], Frequency(control["frequency_unit"], control["frequency_count"]), latest
        )
        control["next_due_on"] = state.next_due_on
        control["last_checked_on"] = state.last_checked_on
        control["last_outcome"] = state.last_outcome

    # --- legionella readings ------------------------------------------------------------------------------

    def monitoring_round(
        self,
        site: Mapping[str, Any],
        control: dict[str, Any],
        check: dict[str, Any],
        points: list[tuple[str, OutletKind, Water]],
    ) -> None:
        """Turn the latest check of a monitoring control into the readings that made it."""
        legionella = self.rules.legionella
        healthcare = rules.is_healthcare(SiteType(site["site_type"]), legionella)
        failing = check["outcome"] != CheckOutcome.PASS
        bad_point = self.rng.randrange(len(points)) if failing else -1
        verdicts = []
        for index, (outlet, kind, water) in enumerate(points):
            rule = legionella.rules[(kind, water)]
            if rule.at_least_c is not None:
                low = float(rule.at_least_c)
                value = self.rng.uniform(low - 7, low - 0.1) if index == bad_point else self.rng.uniform(low, low + 9)
            else:
                assert rule.below_c is not None
                high = float(rule.below_c)
                value = (
                    self.rng.uniform(high, high + 5) if index == bad_point else self.rng.uniform(high - 12, high - 0.1)
                )
            temperature = Decimal(f"{value:.1f}")
            run = self.rng.randint(20, 60) if rule.within_seconds else None
            verdict = rules.judge_reading(kind, water, temperature, run, healthcare=healthcare, rules=legionella)
            verdicts.append(verdict.passed)
            self.out.readings.append(
                {
                    **self.audit(versioned=False),
                    "site_id": site["id"],
                    "control_id": control["id"],
                    "check_id": check["id"],
                    "outlet": outlet,
                    "kind": kind,
                    "water": water,
                    "taken_on": check["checked_on"],
                    "temperature_c": temperature,
                    "run_seconds": run,
                    "taken_by": check["checked_by"],
                    "notes": None,
                    "passed": verdict.passed,
                    "requirement": verdict.requirement,
                }
            )
        check["outcome"] = rules.monitoring_outcome(verdicts)
        check["source"] = CheckSource.LEGIONELLA_MONITORING
        check["evidence_ref"] = "legionella readings"
        check["notes"] = None if check["outcome"] == CheckOutcome.PASS else "Reading out of range: see readings"

    # --- assessments --------------------------------------------------------------------------------------

    def add_assessment(
        self,
        hazard_code: str,
        *,
        site: Mapping[str, Any] | None = None,
        team: Mapping[str, Any] | None = None,
        item_rate: float,
        title: str,
    ) -> None:
        rng = self.rng
        hazard = self.rules.hazards[hazard_code]
        assessed_on = self.today - timedelta(days=rng.randint(10, 900))
        checklist = {item.value: rng.random() < item_rate for item in ChecklistItem}
        findings = f"{hazard.name}: significant findings recorded at assessment" if rng.random() < item_rate else None
        actions = []
        for n in range(rng.randint(0, 3)):
            due = assessed_on + timedelta(days=rng.randint(30, 240))
            actions.append(
                {
                    "description": f"Action {n + 1} from the {hazard.name.lower()} assessment",
                    "owner": OWNER[hazard_code] if rng.random() < item_rate else None,
                    "due_on": due.isoformat() if rng.random() < item_rate else None,
                    "completed_on": min(due, self.today).isoformat() if rng.random() < 0.6 else None,
                }
            )
        next_review = rules.default_next_review(assessed_on, hazard.review_interval_months)
        assessor = f"{rng.choice(CHECKERS)} ({'competent person' if rng.random() < 0.9 else 'trainee'})"
        verdict = rules.suitability(
            {rules_item: checklist[rules_item.value] for rules_item in ChecklistItem},
            required=self.rules.required_items,
            assessor_name=assessor,
            significant_findings=findings,
            actions=[
                rules.ActionFact(a["owner"], date.fromisoformat(a["due_on"]) if a["due_on"] else None) for a in actions
            ],
            next_review_on=next_review,
        )
        self.out.assessments.append(
            {
                **self.audit(),
                "hazard_code": hazard_code,
                "site_id": site["id"] if site is not None else None,
                "team_id": team["id"] if team is not None else None,
                "title": title,
                "assessor_name": assessor,
                "assessor_competence": None,
                "assessed_on": assessed_on,
                "persons_at_risk": "Staff, people on probation and visitors" if rng.random() < 0.9 else None,
                "significant_findings": findings,
                "actions": actions,
                "review_interval_months": hazard.review_interval_months,
                "next_review_on": next_review,
                "checklist": checklist,
                "suitable_and_sufficient": verdict.suitable_and_sufficient,
                "missing_items": [i.value for i in verdict.missing],
                "superseded_by_id": None,
            }
        )

    # --- stress -------------------------------------------------------------------------------------------

    def add_survey(self, team: Mapping[str, Any]) -> None:
        rng, stress = self.rng, self.rules.stress
        climate = {scale: min(max(rng.gauss(3.5, 0.45), 1.5), 4.8) for scale in StressScale}
        respondents = []
        for _ in range(rng.randint(4, 14)):
            answers: dict[int, int | None] = {}
            for item in range(1, stress.items + 1):
                scale = stress.scale_of_item[item]
                good = min(max(round(rng.gauss(climate[scale], 0.8)), 1), 5)
                answers[item] = (
                    None
                    if rng.random() < 0.02
                    else (rules.reverse_answer(good, stress) if item in stress.reverse_items else good)
                )
            respondents.append(answers)
        survey_id = self.new_id()
        self.out.surveys.append(
            {
                **self.audit(),
                "id": survey_id,
                "team_id": team["id"],
                "surveyed_on": self.today - timedelta(days=rng.randint(20, 300)),
                "invited": len(respondents) + rng.randint(0, 8),
                "responses": len(respondents),
                "scale_scores": stored_scores(rules.team_scores(respondents, stress)),
            }
        )
        for answers in respondents:
            self.out.responses.append(
                {
                    **self.audit(versioned=False),
                    "survey_id": survey_id,
                    "answers": [answers[i] for i in range(1, stress.items + 1)],
                }
            )

    def add_absence(self, team: Mapping[str, Any]) -> None:
        rng = self.rng
        fte = Decimal(f"{team['headcount'] * rng.uniform(0.8, 0.95):.2f}")
        end = self.today.replace(day=1) - timedelta(days=1)
        for _ in range(4):
            start = rules.add_months(end + timedelta(days=1), -3)
            days = Decimal(f"{float(fte) * rng.uniform(1.2, 4.0):.1f}")
            self.out.absence.append(
                {
                    **self.audit(),
                    "team_id": team["id"],
                    "period_start": start,
                    "period_end": end,
                    "fte": fte,
                    "days_lost": days,
                    "mental_health_days_lost": Decimal(f"{float(days) * rng.uniform(0.35, 0.65):.1f}"),
                }
            )
            end = start - timedelta(days=1)


SENTINEL_POINTS = [
    ("Sentinel near: ground floor kitchen sink", OutletKind.SENTINEL, Water.HOT),
    ("Sentinel near: ground floor kitchen sink", OutletKind.SENTINEL, Water.COLD),
    ("Sentinel far: top floor WC basin", OutletKind.SENTINEL, Water.HOT),
    ("Sentinel far: top floor WC basin", OutletKind.SENTINEL, Water.COLD),
]
CALORIFIER_POINTS = [
    ("Calorifier 1", OutletKind.CALORIFIER, Water.FLOW),
    ("Calorifier 1", OutletKind.CALORIFIER, Water.RETURN),
]


def _teams(organisation: Organisation, gen: _Generator, scale: int) -> list[dict[str, Any]]:
    rng = gen.rng
    teams = []
    number = 0
    for copy in range(scale):
        for region in organisation.regions:
            prefix = region.code[:3].upper().replace("-", "")
            units: list[tuple[str | None, str, str]] = [
                (p.code, p.name, kind) for p in region.pdus for kind in ("Sentence management", "Unpaid work delivery")
            ]
            units.append((None, region.name, "Approved Premises staff"))
            for pdu_code, place, kind in units:
                number += 1
                teams.append(
                    {
                        **gen.audit(),
                        "code": f"T{prefix}-{number:06d}",
                        "name": f"{place} {kind} team" + (f" {copy + 1}" if scale > 1 else ""),
                        "region_code": region.code,
                        "pdu_code": pdu_code,
                        "headcount": rng.randint(8, 40),
                    }
                )
    return teams


def _add_sites(gen: _Generator, sites: Sequence[Mapping[str, Any]]) -> None:
    templates, today = gen.rules.templates, gen.today
    for site in sites:
        site_type = SiteType(site["site_type"])
        profile = _profile(site_type, site["condition_grade"])
        chosen = _site_templates(site, gen.rng)
        for code in chosen:
            control, checks = gen.add_control(templates[code], profile, site=site)
            if checks and code in {"sentinel_outlet_temperatures", "calorifier_flow_return"}:
                latest = checks[-1]
                if (today - latest["checked_on"]).days <= 45:
                    points = SENTINEL_POINTS if code == "sentinel_outlet_temperatures" else CALORIFIER_POINTS
                    gen.monitoring_round(site, control, latest, points)
            gen.settle(control, checks)
        upw = site_type == SiteType.UNPAID_WORK
        if gen.rng.random() < 0.92:
            gen.add_assessment(
                "legionella",
                site=site,
                item_rate=0.86 if upw else 0.9,
                title=f"Legionella risk assessment: {site['name']}",
            )
        gen.add_assessment(
            "fire", site=site, item_rate=0.95 if upw else 0.98, title=f"Fire risk assessment: {site['name']}"
        )
        if "acm_reinspection" in chosen:
            gen.add_assessment("asbestos", site=site, item_rate=0.97, title=f"Asbestos management: {site['name']}")
        if upw:
            gen.add_assessment(
                "upw_site_welfare", site=site, item_rate=0.9, title=f"UPW site safety and welfare: {site['name']}"
            )


def _add_teams(gen: _Generator, organisation: Organisation, scale: int) -> None:
    templates = gen.rules.templates
    gen.out.teams = _teams(organisation, gen, scale)
    team_profile = _Profile(on_time=0.85, neglect=0.1, fail=0.03, partial=0.03)
    for team in gen.out.teams:
        for code in TEAM_TEMPLATES:
            control, checks = gen.add_control(templates[code], team_profile, team=team)
            gen.settle(control, checks)
        if gen.rng.random() < 0.85:
            gen.add_assessment(
                "work_related_stress", team=team, item_rate=0.88, title=f"Stress risk assessment: {team['name']}"
            )
        if gen.rng.random() < 0.9:
            gen.add_assessment(
                "lone_working", team=team, item_rate=0.95, title=f"Lone working and home visits: {team['name']}"
            )
        if gen.rng.random() < 0.6:
            gen.add_survey(team)
        gen.add_absence(team)


def generate_hazards(
    organisation: Organisation,
    hazard_rules: HazardRules,
    sites: Sequence[Mapping[str, Any]],
    *,
    scale: int = 1,
    seed: int = 20250401,
    today: date,
) -> DemoHazards:
    """Every hazards row for an estate, in memory (load_hazards_demo makes the same rows in chunks)."""
    gen = _Generator(hazard_rules, seed, today)
    _add_sites(gen, sites)
    _add_teams(gen, organisation, scale)
    return gen.out


async def _insert(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert through the driver: values prepared by each column's own SQLAlchemy bind processor (so
    they are stored exactly as the ORM would store them), then one executemany (SQLite) or COPY (PostgreSQL)
    per batch, in the session's transaction. At x100 the hazards rows are millions of checks, where even Core
    executemany spends most of its time building per-row parameters."""
    if not rows:
        return
    table = model.__table__
    connection = await session.connection()
    dialect = connection.dialect
    columns = [c for c in table.columns if c.key in rows[0]]
    prepare = [_preparer(c, dialect) for c in columns]
    keys = [c.key for c in columns]
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    for start in range(0, len(rows), BATCH):
        batch = [tuple(p(row[k]) for p, k in zip(prepare, keys, strict=True)) for row in rows[start : start + BATCH]]
        if dialect.name == "postgresql":
            await driver.copy_records_to_table(table.name, records=batch, columns=[c.name for c in columns])
        else:
            names = ", ".join(f'"{c.name}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            await driver.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', batch)


def _preparer(column: Any, dialect: Any) -> Any:
    """A column's bind processor, remembered per value for the columns whose values repeat (dates, enums,
    timestamps), since some processors (timezone-aware timestamps) are slow and most values are shared."""
    if isinstance(column.type, GUID):
        # What GUID's own processor gives, without its per-value checks: 16 bytes on SQLite, the UUID itself
        # for asyncpg (which encodes it natively).
        if dialect.name == "postgresql":
            return lambda value: value
        return lambda value: None if value is None else value.bytes
    process = column.type._cached_bind_processor(dialect)
    if process is None:
        return lambda value: value
    if column.type._type_affinity is JSON:
        return process
    memo: dict[Any, Any] = {}

    def prepare(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            memo[value] = result = process(value)
            return result
        except TypeError:  # unhashable
            return process(value)

    return prepare


async def load_hazards_demo(
    session: AsyncSession,
    organisation: Organisation,
    sites: Sequence[Mapping[str, Any]],
    *,
    scale: int,
    today: date,
    seed: int = 20250401,
    hazard_rules: HazardRules | None = None,
) -> dict[str, int]:
    """Generate and insert the hazards rows for an estate just loaded; returns the row counts."""
    if hazard_rules is None:
        from risk_register.settings import get_settings

        hazard_rules = load_hazard_rules(get_settings().config_dir)
    gen = _Generator(hazard_rules, seed, today)
    totals: dict[str, int] = dict.fromkeys(DemoHazards().counts(), 0)
    # The same rows as generate_hazards (one random stream), made and written a chunk of sites at a time so
    # the x100 estate never holds millions of checks in memory at once.
    for start in range(0, len(sites), SITES_PER_CHUNK):
        gen.out = DemoHazards()
        _add_sites(gen, sites[start : start + SITES_PER_CHUNK])
        await _insert_all(session, gen.out, totals)
    gen.out = DemoHazards()
    _add_teams(gen, organisation, scale)
    await _insert_all(session, gen.out, totals)
    return totals


async def _insert_all(session: AsyncSession, data: DemoHazards, totals: dict[str, int]) -> None:
    await _insert(session, Team, data.teams)
    await _insert(session, HazardControl, data.controls)
    await _insert(session, ControlCheck, data.checks)
    await _insert(session, LegionellaReading, data.readings)
    await _insert(session, RiskAssessment, data.assessments)
    await _insert(session, StressSurvey, data.surveys)
    await _insert(session, StressSurveyResponse, data.responses)
    await _insert(session, SicknessAbsence, data.absence)
    for name, count in data.counts().items():
        totals[name] += count
