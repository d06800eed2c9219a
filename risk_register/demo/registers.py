"""Deterministic demo registers: the national register and one register per HMPPS Area, with realistic risks,
a quarter and more of history, mitigating actions and links to the demo estate's sites and the hazard
catalogue, and - when the hazards demo is loaded - to its controls and risk assessments (some overdue, failing,
not suitable and sufficient or overdue for review, so every reason a risk is uncontrolled occurs). The same
seed and date give the same rows (ids aside).

Shaped by the inspection (../shared/seed/): Area registers that "did not align with the national risk
register" - just over half of Area risks name a national risk (``national_reference``), some name one that
does not exist or write it differently, and some plainly match a national risk without saying so - so the
alignment work has something to find. Risks cover estates condition, legionella, work-related stress,
statutory checks, unpaid work sites, ICT, workforce and public protection.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.estates.models import Site
from risk_register.hazards import rules as hazard_rules
from risk_register.hazards.models import HazardControl, RiskAssessment, Team
from risk_register.organisation.models import RegionRecord
from risk_register.organisation.reference import Organisation
from risk_register.registers import rules
from risk_register.registers.enums import ActionStatus, ChangeSource, LinkKind, RegisterLevel, RiskStatus
from risk_register.registers.models import Register, Risk, RiskAction, RiskLink, RiskVersion
from risk_register.registers.rules import load_hazard_types
from risk_register.registers.services import ensure_registers
from risk_register.settings import get_settings

AREA_PREFIX = {
    "north-west": "NW",
    "north-east": "NE",
    "midlands": "MID",
    "wales": "WAL",
    "london": "LON",
    "south-east-and-east": "SEE",
    "south-west-and-south-central": "SWSC",
}


@dataclass(frozen=True)
class Template:
    title: str
    category: str
    cause: str
    effect: str
    owner: str
    inherent: tuple[int, int]
    residual: tuple[int, int]
    target: tuple[int, int]
    hazard: str | None = None  # a hazard catalogue code to link to, when the catalogue has it
    site_linked: bool = False  # an Area copy links to a few of the Area's sites


NATIONAL: list[Template] = [
    Template("Estate condition: buildings life-expired or unsuitable for probation delivery", "estates",
             "Backlog maintenance; leases ending; capital funding below need",
             "Closures, unsafe or unsuitable premises, staff and people on probation harmed", "Director of Estates",
             (5, 5), (4, 4), (2, 3), site_linked=True),
    Template("Legionella controls not maintained across the estate", "health-and-safety",
             "Missed temperature monitoring and flushing; contractor gaps; little-used outlets",
             "Legionnaires' disease; enforcement action", "Head of Health and Safety", (4, 5), (3, 4), (1, 4),
             hazard="legionella", site_linked=True),
    Template("Work-related stress and sickness absence in probation teams", "workforce",
             "High caseloads; vacancies; change; limited manager support",
             "Absence (half of it mental health), reduced supervision quality, attrition", "Chief Probation Officer",
             (5, 4), (4, 4), (3, 3), hazard="work_related_stress"),
    Template("Statutory gas and electrical safety checks overdue", "health-and-safety",
             "Contract transition; incomplete asset data", "Fire, injury, prosecution",
             "Director of Estates", (4, 5), (3, 4), (1, 4), hazard="gas_safety", site_linked=True),
    Template("Unpaid work sites and depots below welfare and safety standards", "health-and-safety",
             "UPW sites given less attention than offices; no welfare facilities at some sites",
             "Injury to people on probation and supervisors; reputational damage", "Head of Unpaid Work",
             (4, 4), (3, 4), (2, 2), hazard="upw_site_welfare", site_linked=True),
    Template("Recruitment and retention of probation officers", "workforce",
             "Labour market; training pipeline; pay", "Unallocated cases, unmanageable workloads",
             "HR Director", (5, 4), (4, 4), (3, 3)),
    Template("Case management and digital systems unavailable or unfit", "ict-and-digital",
             "Legacy systems; supplier dependency; network outages",
             "Lost recording time; missed risk information", "Chief Digital Officer", (4, 4), (3, 4), (2, 3)),
    Template("Public protection: risk of serious harm not identified or managed", "public-protection",
             "Incomplete assessments; information sharing gaps", "Serious further offences; loss of public confidence",
             "Chief Probation Officer", (4, 5), (3, 5), (2, 5)),
    Template("Commissioned rehabilitative services not delivered to contract", "commissioned-services",
             "Provider capacity; referral volumes", "Unmet needs; wasted spend", "Head of Commissioning",
             (4, 3), (3, 3), (2, 3)),
    Template("Finance: estates and operational budgets overspent", "finance",
             "Inflation; unplanned reactive repairs", "Deferred maintenance; cuts elsewhere", "Finance Director",
             (4, 4), (3, 3), (2, 3)),
    Template("No current business plan for the estate", "governance",
             "Plan lapsed; priorities unclear", "Investment not targeted at greatest need", "Director of Estates",
             (4, 3), (4, 3), (2, 2)),
    Template("Risks not escalated from Areas to the national register", "governance",
             "Area registers not aligned with the national register", "Gaps in strategic oversight",
             "Head of Risk and Assurance", (4, 4), (3, 4), (2, 2)),
    Template("Fire risk assessments not reviewed on time", "health-and-safety",
             "Assessor capacity; no review tracking", "Fire safety failures", "Head of Health and Safety",
             (3, 5), (2, 5), (1, 5), hazard="fire", site_linked=True),
    Template("Lone working and home visits without adequate controls", "health-and-safety",
             "Devices not issued or tested; check-in not followed", "Assault or injury to staff",
             "Head of Health and Safety", (4, 4), (3, 4), (2, 3), hazard="lone_working"),
    Template("Information held insecurely or shared wrongly", "information-and-data",
             "Manual processes; training gaps", "Data breach; harm to victims", "Senior Information Risk Owner",
             (3, 4), (2, 4), (2, 3)),
    Template("Approved Premises capacity below demand", "service-delivery",
             "Bed closures for repairs; rising demand", "Release to unsuitable accommodation",
             "Head of Approved Premises", (4, 4), (4, 3), (2, 3), site_linked=True),
]  # fmt: skip

LOCAL: list[Template] = [
    Template("Office lease ending with no replacement identified", "estates", "Landlord not renewing",
             "Loss of reporting centre", "Area Estates Lead", (4, 4), (3, 4), (2, 2), site_linked=True),
    Template("Asbestos management plan out of date at older offices", "health-and-safety",
             "Re-inspections missed", "Exposure during works", "Area H&S Lead", (3, 5), (2, 5), (1, 5),
             hazard="asbestos", site_linked=True),
    Template("Court report deadlines missed", "service-delivery", "Staffing gaps in court teams",
             "Adjournments; poor sentencing information", "Head of Courts", (4, 3), (3, 3), (2, 2)),
    Template("Partnership arrangements with local authorities weakened", "governance",
             "Restructures; funding", "Gaps in housing and substance misuse support", "Area Executive Director",
             (3, 3), (3, 3), (2, 2)),
    Template("First aid cover insufficient at larger offices", "health-and-safety", "Trained staff left",
             "Delayed treatment", "Area H&S Lead", (3, 3), (2, 3), (1, 3), hazard="first_aid"),
]  # fmt: skip


NATIONAL_PER_AREA = 9  # national risks each Area register has its own version of, per cohort
LOCAL_PER_AREA = 4  # and risks of its own


@dataclass
class DemoRegisters:
    risks: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)


def _status(rng: random.Random) -> RiskStatus:
    return rng.choices(list(RiskStatus), weights=[70, 10, 12, 8])[0]


def _nudge(level: int, rng: random.Random) -> int:
    return max(1, min(rules.MATRIX_SIZE, level + rng.choice([-1, 0, 0, 1])))


class _Builder:
    def __init__(self, today: date, seed: int, hazard_types: frozenset[str] | None) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.hazard_types = hazard_types
        self.out = DemoRegisters()
        self.now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)

    def risk(
        self,
        register_id: UUID,
        reference: str,
        template: Template,
        *,
        national_reference: str | None,
        sites: Sequence[UUID],
        owner: str | None = None,
    ) -> None:
        rng = self.rng
        identified = self.today - timedelta(days=rng.randint(200, 900))
        interval = timedelta(days=rng.choice([90, 90, 180]))
        values: dict[str, Any] = {
            "reference": reference,
            "title": template.title,
            "description": f"{template.title}. {template.cause}.",
            "cause": template.cause,
            "effect": template.effect,
            "category": template.category,
            "owner": owner or template.owner,
            "inherent_likelihood": template.inherent[0],
            "inherent_impact": template.inherent[1],
            "residual_likelihood": _nudge(template.residual[0], rng),
            "residual_impact": template.residual[1],
            "target_likelihood": template.target[0],
            "target_impact": template.target[1],
            "status": RiskStatus.OPEN,
            "identified_on": identified,
            "last_reviewed_on": None,
            "next_review_on": None,
            "national_reference": national_reference,
        }
        # History: in the register from about two quarters ago; some change at the review a quarter ago and
        # again this month. Each change is made at a review, which sets the next one.
        first_day = max(identified, self.today - timedelta(days=rng.randint(160, 200)))
        states = [(first_day, {**values, "last_reviewed_on": first_day, "next_review_on": first_day + interval})]
        for when in (
            self.today - timedelta(days=rng.randint(80, 100)),
            self.today - timedelta(days=rng.randint(5, 30)),
        ):
            if rng.random() < 0.4:
                changed = dict(states[-1][1])
                changed["residual_likelihood"] = _nudge(changed["residual_likelihood"], rng)
                if rng.random() < 0.35:
                    changed["status"] = _status(rng)
                changed["last_reviewed_on"], changed["next_review_on"] = when, when + interval
                states.append((when, changed))
        risk_id = uuid7()
        final = states[-1][1]
        self.out.risks.append(
            {
                "id": risk_id,
                "register_id": register_id,
                **final,
                "version": len(states),
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        previous: dict[str, Any] | None = None
        for number, (when, state) in enumerate(states, start=1):
            end = states[number][0] if number < len(states) else None
            self.out.versions.append(
                {
                    "id": uuid7(),
                    "risk_id": risk_id,
                    "register_id": register_id,
                    "version_no": number,
                    "valid_from": when,
                    "valid_to": end,
                    "recorded_by": "demo",
                    "source": ChangeSource.DEMO,
                    "import_id": None,
                    "changed": [f for f in rules.RISK_FIELDS if state[f] is not None]
                    if previous is None
                    else rules.changed_fields(previous, state),
                    "created_at": self.now,
                    "updated_at": self.now,
                    **state,
                }
            )
            previous = state
        if rng.random() < 0.6:
            for _ in range(rng.randint(1, 2)):
                due = self.today + timedelta(days=rng.randint(-60, 120))
                status = rng.choices(list(ActionStatus), weights=[35, 40, 20, 5])[0]
                self.out.actions.append(
                    {
                        "id": uuid7(),
                        "risk_id": risk_id,
                        "description": f"Mitigate: {template.cause.split(';')[0].lower()}",
                        "owner": template.owner,
                        "due_on": due,
                        "status": status,
                        "completed_on": min(due, self.today) if status == ActionStatus.COMPLETED else None,
                        "version": 1,
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                )
        if template.hazard and (self.hazard_types is None or template.hazard in self.hazard_types):
            self.link(risk_id, LinkKind.HAZARD_TYPE, template.hazard)
        if template.site_linked:
            for site_id in rng.sample(sites, min(len(sites), rng.randint(1, 3))):
                self.link(risk_id, LinkKind.SITE, str(site_id), site_id)

    def link(self, risk_id: UUID, kind: LinkKind, target: str, site_id: UUID | None = None) -> None:
        self.out.links.append(
            {
                "id": uuid7(),
                "risk_id": risk_id,
                "kind": kind,
                "target": target,
                "site_id": site_id,
                "note": None,
                "version": 1,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )


def generate_registers(
    registers: Mapping[str | None, UUID],
    organisation: Organisation,
    sites_by_area: Mapping[str, Sequence[UUID]],
    *,
    today: date,
    seed: int = 20250401,
    hazard_types: frozenset[str] | None = None,
    scale: int = 1,
) -> DemoRegisters:
    """Rows for the national register (``registers[None]``) and each Area's (``registers[area_code]``).

    At ``scale`` N every register holds N cohorts of risks: the first cohort is the 1x demo itself, row for row;
    each further cohort is drawn the same way from its own random stream (the seed and the cohort number), with
    its own titles and references, its Area risks naming that cohort's national risks, and site links drawn
    from the whole (scaled) estate. So aligned share, divergences, escalation candidates and the reasons a
    risk is uncontrolled occur in about the same proportions at every scale."""
    builder = _Builder(today, seed, hazard_types)
    for cohort in range(scale):
        if cohort:
            builder.rng = random.Random(f"{seed}/registers/{cohort}")
        _cohort(builder, cohort, registers, organisation, sites_by_area)
    return builder.out


def national_reference(cohort: int, number: int) -> str:
    """Cohort 0: NR-01 .. NR-16 (as the 1x demo); cohort c: NR-{c+1}{number:02d} (NR-201, NR-10016)."""
    return f"NR-{number:02d}" if cohort == 0 else f"NR-{cohort + 1}{number:02d}"


def _written_differently(cohort: int, number: int) -> str:
    """How an Area register miswrites a national reference: without the dash and the leading zero (NR-01 ->
    NR1, NR-201 -> NR201). As at 1x, NR-10 and up are written correctly (the 1x rule changes nothing there)."""
    reference = national_reference(cohort, number)
    if number >= 10:
        return reference
    return reference.replace("NR-0", "NR") if cohort == 0 else reference.replace("-", "")


def _title(title: str, cohort: int) -> str:
    return title if cohort == 0 else f"{title} (workstream {cohort + 1})"


def _cohort(
    builder: _Builder,
    cohort: int,
    registers: Mapping[str | None, UUID],
    organisation: Organisation,
    sites_by_area: Mapping[str, Sequence[UUID]],
) -> None:
    rng = builder.rng
    national_refs = []
    for n, template in enumerate(NATIONAL, start=1):
        reference = national_reference(cohort, n)
        national_refs.append(reference)
        builder.risk(registers[None], reference, _retitled(template, cohort), national_reference=None, sites=[])
    for area in organisation.areas:
        prefix = AREA_PREFIX.get(area.code, area.code[:3].upper())
        sites = sites_by_area.get(area.code, [])
        chosen = rng.sample(range(len(NATIONAL)), NATIONAL_PER_AREA)
        number = cohort * (NATIONAL_PER_AREA + LOCAL_PER_AREA)
        for index in chosen:
            number += 1
            roll = rng.random()
            if roll < 0.62:
                claimed: str | None = national_refs[index]  # aligned, and says so
            elif roll < 0.72:
                claimed = _written_differently(cohort, index + 1)  # says so, written differently
            else:
                claimed = None  # matches a national risk without saying so
            template = _retitled(NATIONAL[index], cohort)
            builder.risk(
                registers[area.code],
                f"{prefix}-{number:02d}",
                template,
                national_reference=claimed,
                sites=sites,
                owner=f"{template.owner}, {area.name}",
            )
        for template in rng.sample(LOCAL, LOCAL_PER_AREA):
            number += 1
            stray = "NR-99" if rng.random() < 0.2 else None  # a national risk that does not exist
            builder.risk(
                registers[area.code],
                f"{prefix}-{number:02d}",
                _retitled(template, cohort),
                national_reference=stray,
                sites=sites,
            )


def _retitled(template: Template, cohort: int) -> Template:
    return template if cohort == 0 else replace(template, title=_title(template.title, cohort))


async def load_register_demo(
    session: AsyncSession,
    organisation: Organisation,
    *,
    today: date,
    seed: int = 20250401,
    hazard_types: frozenset[str] | None = None,
    scale: int = 1,
) -> int:
    """Fill the (empty) registers with the demo rows (``scale`` cohorts), in bulk; returns how many risks.
    Registers that already hold risks are left alone: then nothing is loaded. Hazard links use
    config/hazards.toml's codes unless ``hazard_types`` is given."""
    if hazard_types is None:
        hazard_types = load_hazard_types(get_settings().config_dir)
    await ensure_registers(session, organisation)
    await session.flush()
    if await session.scalar(select(func.count()).select_from(Risk)):
        return 0
    registers: dict[str | None, UUID] = {}
    for register in (await session.scalars(select(Register))).all():
        if register.level == RegisterLevel.NATIONAL:
            registers[None] = register.id
        elif register.level == RegisterLevel.AREA and register.area_code:
            registers[register.area_code] = register.id
    sites_by_area: dict[str, list[UUID]] = {}
    rows = await session.execute(
        select(Site.id, RegionRecord.area_code)
        .join(RegionRecord, RegionRecord.code == Site.region_code)
        .order_by(Site.code)
    )
    for site_id, area_code in rows:
        sites_by_area.setdefault(area_code, []).append(site_id)
    demo = generate_registers(
        registers, organisation, sites_by_area, today=today, seed=seed, hazard_types=hazard_types, scale=scale
    )
    area_of_register = {register_id: area for area, register_id in registers.items()}
    await _link_controls_and_assessments(session, demo, area_of_register, today=today, seed=seed)
    for model, items in (
        (Risk, demo.risks),
        (RiskVersion, demo.versions),
        (RiskAction, demo.actions),
        (RiskLink, demo.links),
    ):
        for start in range(0, len(items), 2000):
            await session.execute(insert(cast(Table, model.__table__)), items[start : start + 2000])
    return len(demo.risks)


# --- links to the hazards work's controls and assessments ----------------------------------------------------

CONTROLLED_CATEGORIES = frozenset({"health-and-safety", "estates"})
NO_CONTROLS_SHARE = 0.2  # of the risks that would link controls, the share that links none ("no controls linked")
ASSESSMENT_SHARE = 0.55  # of those linking controls, the share that also links an assessment
# When a risk links a control or an assessment, the chance it is one in each state (by the hazards rules), so
# every reason a risk is uncontrolled occurs at every scale; the rest are in order.
CONTROL_STATES = {"overdue": 0.22, "failing": 0.15}
ASSESSMENT_STATES = {"not_suitable": 0.3, "review_overdue": 0.2}


@dataclass(frozen=True)
class _Subject:
    """A control or assessment a demo risk may link to: where it is, and its state by the hazards rules."""

    id: UUID
    hazard_code: str
    site_id: UUID | None
    area_code: str | None
    state: str  # a CONTROL_STATES / ASSESSMENT_STATES key, or "sound"


def _control_state(next_due_on: date, last_outcome: Any, retired_on: date | None, today: date) -> str:
    if hazard_rules.is_failing(last_outcome, retired_on):
        return "failing"  # perhaps overdue too
    if hazard_rules.is_overdue(next_due_on, today, retired_on):
        return "overdue"
    return "sound"


def _assessment_state(suitable_and_sufficient: bool, next_review_on: date, today: date) -> str:
    if not suitable_and_sufficient:
        return "not_suitable"
    if hazard_rules.review_overdue(next_review_on, today):
        return "review_overdue"
    return "sound"


async def _subjects(session: AsyncSession, model: Any, site_ids: Sequence[UUID], today: date) -> list[_Subject]:
    """The model's current rows at the given sites and on every team, in a stable order (site or team code,
    hazard, title), each with its state: what the demo risks choose from."""
    if model is HazardControl:
        columns: list[Any] = [HazardControl.next_due_on, HazardControl.last_outcome]
        current = HazardControl.retired_on.is_(None)
    else:
        columns = [RiskAssessment.suitable_and_sufficient, RiskAssessment.next_review_on]
        current = RiskAssessment.superseded_by_id.is_(None)
    base = [model.id, model.hazard_code, model.site_id, model.title]
    rows: list[tuple[str, Any]] = []
    for start in range(0, len(site_ids), 1000):  # within every engine's parameter limits
        chunk = site_ids[start : start + 1000]
        result = await session.execute(
            select(*base, *columns, Site.code, RegionRecord.area_code)
            .join(Site, Site.id == model.site_id)
            .join(RegionRecord, RegionRecord.code == Site.region_code)
            .where(model.site_id.in_(chunk), current)
        )
        rows.extend(("site", row) for row in result)
    result = await session.execute(
        select(*base, *columns, Team.code, RegionRecord.area_code)
        .join(Team, Team.id == model.team_id)
        .join(RegionRecord, RegionRecord.code == Team.region_code)
        .where(current)
    )
    rows.extend(("team", row) for row in result)
    rows.sort(key=lambda item: (item[0], item[1][6], item[1][1], item[1][3], str(item[1][4]), str(item[1][5])))
    subjects = []
    for _, (subject_id, hazard_code, site_id, _title, first, second, _code, area_code) in rows:
        state = (
            _control_state(first, second, None, today)
            if model is HazardControl
            else _assessment_state(bool(first), second, today)
        )
        subjects.append(_Subject(subject_id, hazard_code, site_id, area_code, state))
    return subjects


class _Pool:
    """Subjects a risk may link to, grouped by state."""

    def __init__(self, subjects: Iterable[_Subject] = ()) -> None:
        self.all: list[_Subject] = []
        self.by_state: dict[str, list[_Subject]] = {}
        for subject in subjects:
            self.add(subject)

    def add(self, subject: _Subject) -> None:
        self.all.append(subject)
        self.by_state.setdefault(subject.state, []).append(subject)

    def pick(self, count: int, states: Mapping[str, float], rng: random.Random) -> list[_Subject]:
        """``count`` different subjects, each drawn from a state chosen by ``states``' chances (the rest:
        sound), or from the whole pool when none in that state is left."""
        chosen: list[_Subject] = []
        for _ in range(min(count, len(self.all))):
            roll, state = rng.random(), "sound"
            for name, chance in states.items():
                if roll < chance:
                    state = name
                    break
                roll -= chance
            for candidates in (self.by_state.get(state, []), self.all):
                left = [s for s in candidates if s not in chosen] if len(candidates) <= 64 else candidates
                pick = rng.choice(left) if left else None
                if pick is not None and pick not in chosen:
                    chosen.append(pick)
                    break
        return chosen


async def _link_controls_and_assessments(
    session: AsyncSession,
    demo: DemoRegisters,
    area_of_register: Mapping[UUID, str | None],
    *,
    today: date,
    seed: int,
) -> None:
    """Link the demo's health and safety and estates risks, and the risks of a hazard type, to controls and
    assessments of the hazards demo already loaded: at the sites a risk links to (of its hazard type when it
    has one), or, for a risk without sites, of its hazard type in its Area (a national risk: anywhere). Most
    link one to three controls and some an assessment; a minority link none. Some of what they link is overdue,
    failing, not suitable and sufficient or overdue for review, chosen by the hazards rules (CONTROL_STATES,
    ASSESSMENT_STATES). Drawn from its own random stream, so the risks and the other links are unchanged."""
    sites_of: dict[UUID, list[UUID]] = {}
    hazard_of: dict[UUID, str] = {}
    for link in demo.links:
        if link["kind"] == LinkKind.SITE:
            sites_of.setdefault(link["risk_id"], []).append(link["site_id"])
        elif link["kind"] == LinkKind.HAZARD_TYPE:
            hazard_of[link["risk_id"]] = link["target"]
    linked_sites = sorted({site for sites in sites_of.values() for site in sites}, key=str)
    controls = await _subjects(session, HazardControl, linked_sites, today)
    if not controls:
        return  # no hazards demo loaded
    assessments = await _subjects(session, RiskAssessment, linked_sites, today)

    def index(subjects: list[_Subject]) -> tuple[dict[UUID, list[_Subject]], dict[tuple[str, str | None], _Pool]]:
        at_site: dict[UUID, list[_Subject]] = {}
        by_hazard: dict[tuple[str, str | None], _Pool] = {}
        for subject in subjects:
            if subject.site_id:
                at_site.setdefault(subject.site_id, []).append(subject)
            for area in (subject.area_code, None):
                by_hazard.setdefault((subject.hazard_code, area), _Pool()).add(subject)
        return at_site, by_hazard

    indexes = {HazardControl: index(controls), RiskAssessment: index(assessments)}

    def pool(model: Any, risk: Mapping[str, Any]) -> _Pool:
        at_site, by_hazard = indexes[model]
        hazard = hazard_of.get(risk["id"])
        found = _Pool(
            subject
            for site in sites_of.get(risk["id"], [])
            for subject in at_site.get(site, [])
            if hazard is None or subject.hazard_code == hazard
        )
        if not found.all and hazard is not None:
            area = area_of_register.get(risk["register_id"])  # None: a national risk, anywhere
            return by_hazard.get((hazard, area), _Pool())
        return found

    rng = random.Random(f"{seed}/registers/controls")
    for risk in demo.risks:
        if risk["category"] not in CONTROLLED_CATEGORIES and risk["id"] not in hazard_of:
            continue
        if rng.random() < NO_CONTROLS_SHARE:
            continue
        chosen = pool(HazardControl, risk).pick(rng.randint(1, 3), CONTROL_STATES, rng)
        for control in chosen:
            _append_link(demo, risk["id"], LinkKind.CONTROL, control.id, risk["created_at"])
        if chosen and rng.random() < ASSESSMENT_SHARE:
            for assessment in pool(RiskAssessment, risk).pick(1, ASSESSMENT_STATES, rng):
                _append_link(demo, risk["id"], LinkKind.ASSESSMENT, assessment.id, risk["created_at"])


def _append_link(demo: DemoRegisters, risk_id: UUID, kind: LinkKind, target: UUID, now: datetime) -> None:
    demo.links.append(
        {
            "id": uuid7(),
            "risk_id": risk_id,
            "kind": kind,
            "target": str(target),
            "site_id": None,
            "note": None,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
    )
