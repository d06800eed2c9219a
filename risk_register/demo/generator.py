"""A realistic, deterministic demo estate, as plain rows (no database): the same seed, scale and date give
the same rows.

Sizes at scale 1 are the order of the real estate: about 120 PDUs each with a few probation offices and an
unpaid work (UPW) site, about 100 Approved Premises, a dozen contact centres. Shares follow the inspection
(../shared/seed/): many leaseholds, some condition D and unsuitable buildings, inaccessible buildings, open
and overdue repairs to water, gas, electricity and hot water heaters, and around 64 major refurbishments
and 65 redecorations completed.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from risk_register.estates.enums import (
    BuildingSystem,
    ConditionGrade,
    FindingCategory,
    FindingStatus,
    OperationalStatus,
    RefurbishmentKind,
    RefurbishmentStatus,
    RemediationStatus,
    RepairPriority,
    SiteType,
    Suitability,
    Tenure,
)
from risk_register.estates.rules import EstatesRules, default_target_date
from risk_register.organisation.reference import Organisation

REGION_PREFIX = {
    "north-west": ("NW", ["L", "PR", "CA", "WA", "CH", "BB", "LA", "CW"]),
    "greater-manchester": ("GM", ["M", "BL", "OL", "SK", "WN"]),
    "north-east": ("NE", ["NE", "SR", "DH", "TS", "DL"]),
    "yorkshire-and-the-humber": ("YH", ["LS", "BD", "S", "HU", "YO", "WF", "HD", "DN"]),
    "west-midlands": ("WM", ["B", "CV", "WS", "WV", "DY", "ST", "TF", "WR"]),
    "east-midlands": ("EM", ["DE", "NG", "LE", "LN", "NN"]),
    "wales": ("WA", ["CF", "SA", "NP", "LL", "LD", "SY"]),
    "london": ("LO", ["E", "N", "SE", "SW", "W", "NW", "EC", "CR", "BR", "HA"]),
    "kent-surrey-and-sussex": ("KS", ["ME", "CT", "TN", "GU", "BN", "RH", "KT"]),
    "east-of-england": ("EE", ["CB", "PE", "NR", "IP", "CM", "CO", "SS", "LU", "SG"]),
    "south-west": ("SW", ["BS", "BA", "TR", "EX", "PL", "DT", "GL", "SN", "TA"]),
    "south-central": ("SC", ["SO", "PO", "OX", "MK", "RG", "SL", "HP"]),
}
STREETS = [
    "High Street",
    "Station Road",
    "Church Street",
    "Market Place",
    "Victoria Road",
    "Queen Street",
    "Mill Lane",
    "Park Road",
    "King Street",
    "Bridge Street",
    "Castle Street",
    "Commercial Road",
]
REPAIRS = {
    BuildingSystem.WATER: ["Leak from cold water storage tank", "Low flow at sentinel outlet"],
    BuildingSystem.GAS: ["Boiler flue defect found at annual service", "Gas meter housing damaged"],
    BuildingSystem.ELECTRICITY: ["EICR C2 observation: no RCD on socket circuit", "Failed emergency light fitting"],
    BuildingSystem.HOT_WATER_HEATERS: ["Calorifier not reaching 60C", "Point-of-use water heater failed"],
    BuildingSystem.HEATING: ["Radiators cold on first floor", "Heating controls faulty"],
    BuildingSystem.FIRE_SAFETY: ["Fire door closer broken", "Fire alarm call point damaged"],
    BuildingSystem.FABRIC_AND_STRUCTURE: ["Roof leak over interview room", "Cracked window pane"],
    BuildingSystem.WELFARE: ["Staff toilet out of order", "No hot water in welfare unit"],
    BuildingSystem.SECURITY: ["Reception screen damaged", "Door access system failing"],
    BuildingSystem.OTHER: ["Car park lighting failed", "Pest control required"],
}
FINDINGS = {
    FindingCategory.APPROACH_AND_PARKING: "No designated accessible parking bay",
    FindingCategory.ENTRANCE: "Step at main entrance with no ramp",
    FindingCategory.RECEPTION: "Reception counter has no lowered section",
    FindingCategory.HORIZONTAL_CIRCULATION: "Corridor doors too narrow for a wheelchair",
    FindingCategory.LIFTS_AND_STAIRS: "Interview rooms on first floor with no lift",
    FindingCategory.TOILETS: "No wheelchair-accessible toilet",
    FindingCategory.SIGNAGE_AND_WAYFINDING: "Signage lacks contrast and tactile elements",
    FindingCategory.HEARING_ENHANCEMENT: "No hearing loop at reception",
    FindingCategory.EMERGENCY_EGRESS: "No refuge area on upper floor",
    FindingCategory.WELFARE_FACILITIES: "Kitchen facilities not reachable from a wheelchair",
}


@dataclass
class DemoEstate:
    sites: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    projects: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)


def _weighted(rng: random.Random, options: Mapping[Any, float]) -> Any:
    return rng.choices(list(options), weights=list(options.values()))[0]


def _site_plan(
    organisation: Organisation, rng: random.Random, scale: int
) -> Iterator[tuple[str, str | None, SiteType]]:
    """Region, PDU and type of every site: per PDU a few offices and a UPW site, per region its APs."""
    for _ in range(scale):
        for region in organisation.regions:
            for pdu in region.pdus:
                for _ in range(rng.randint(2, 4)):
                    yield region.code, pdu.code, SiteType.PROBATION_OFFICE
                for _ in range(rng.choice([1, 1, 1, 2])):
                    yield region.code, pdu.code, SiteType.UNPAID_WORK
            for _ in range(rng.randint(6, 10)):
                yield region.code, rng.choice(region.pdus).code, SiteType.APPROVED_PREMISES
            yield region.code, None, SiteType.PROBATION_CONTACT_CENTRE
            if rng.random() < 0.6:
                yield region.code, None, SiteType.OTHER


def generate_estate(
    organisation: Organisation, rules: EstatesRules, *, scale: int = 1, seed: int = 20250401, today: date
) -> DemoEstate:
    rng = random.Random(seed)
    estate = DemoEstate()
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC)

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    def audit() -> dict[str, Any]:
        return {"id": new_id(), "created_at": stamp, "updated_at": stamp, "version": 1}

    def recent(days: int) -> date:
        return today - timedelta(days=rng.randint(0, days))

    counters: dict[str, int] = {}
    for region_code, pdu_code, site_type in _site_plan(organisation, rng, scale):
        prefix, postcode_areas = REGION_PREFIX.get(region_code, (region_code[:2].upper(), ["AB"]))
        counters[prefix] = counters.get(prefix, 0) + 1
        number = counters[prefix]
        pdu = organisation.pdu(pdu_code) if pdu_code else None
        place = pdu.name.split(",")[0].split(" and ")[0] if pdu else organisation.region(region_code).name  # type: ignore[union-attr]
        tenure = _weighted(rng, {Tenure.LEASEHOLD: 0.62, Tenure.FREEHOLD: 0.3, Tenure.OTHER: 0.08})
        if site_type == SiteType.UNPAID_WORK:  # UPW sites: older, worse kept (the inspection's finding)
            condition = _weighted(rng, {"A": 0.08, "B": 0.37, "C": 0.38, "D": 0.17})
        else:
            condition = _weighted(rng, {"A": 0.18, "B": 0.47, "C": 0.27, "D": 0.08})
        suitability = (
            Suitability.UNSUITABLE
            if condition == "D" and rng.random() < 0.6
            else Suitability.NEEDS_MAJOR_REFURBISHMENT
            if condition in "CD" and rng.random() < 0.5
            else Suitability.SUITABLE
        )
        label = {
            SiteType.PROBATION_OFFICE: "Probation Office",
            SiteType.UNPAID_WORK: "Unpaid Work Depot",
            SiteType.APPROVED_PREMISES: "Approved Premises",
            SiteType.PROBATION_CONTACT_CENTRE: "Probation Contact Centre",
            SiteType.OTHER: "Training Centre",
        }
        site = {
            **audit(),
            "code": f"{prefix}-{number:05d}",
            "name": f"{place} {label[site_type]} {number}",
            "address": f"{rng.randint(1, 240)} {rng.choice(STREETS)}, {place}",
            "postcode": f"{rng.choice(postcode_areas)}{rng.randint(1, 29)} {rng.randint(1, 9)}"
            f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
            "region_code": region_code,
            "pdu_code": pdu_code,
            "site_type": site_type,
            "tenure": tenure,
            "lease_end_date": today + timedelta(days=rng.randint(-200, 3650)) if tenure == Tenure.LEASEHOLD else None,
            "condition_grade": ConditionGrade(condition),
            "suitability": suitability,
            "operational_status": _weighted(
                rng,
                {
                    OperationalStatus.OPERATIONAL: 0.93,
                    OperationalStatus.PARTIALLY_CLOSED: 0.05,
                    OperationalStatus.CLOSED: 0.02,
                },
            ),
            "staff_headcount": 0
            if site_type == SiteType.OTHER
            else rng.randint(4, 120)
            if site_type == SiteType.PROBATION_OFFICE
            else rng.randint(2, 25),
        }
        estate.sites.append(site)
        _add_findings(estate, site, rng, audit, recent, today)
        _add_actions(estate, site, rng, audit, recent, rules, today)
        _add_projects(estate, site, rng, audit, today)
    return estate


def _add_findings(
    estate: DemoEstate, site: dict[str, Any], rng: random.Random, audit: Any, recent: Any, today: date
) -> None:
    worse = site["condition_grade"] in {"C", "D"} or site["site_type"] == SiteType.UNPAID_WORK
    for _ in range(rng.choice([0, 0, 1, 2, 3] if worse else [0, 0, 0, 1, 2])):
        category = rng.choice(list(FindingCategory))
        status = _weighted(
            rng,
            {
                FindingStatus.OPEN: 0.45,
                FindingStatus.IN_PROGRESS: 0.15,
                FindingStatus.RESOLVED: 0.32,
                FindingStatus.ACCEPTED: 0.08,
            },
        )
        raised = recent(900)
        resolved = (
            raised + timedelta(days=rng.randint(0, (today - raised).days)) if status == FindingStatus.RESOLVED else None
        )
        estate.findings.append(
            {
                **audit(),
                "site_id": site["id"],
                "category": category,
                "description": FINDINGS[category],
                "priority": _weighted(rng, {1: 0.15, 2: 0.3, 3: 0.35, 4: 0.2}),
                "status": status,
                "accepted_reason": "Listed building: alteration refused; alternative venue arranged"
                if status == FindingStatus.ACCEPTED
                else None,
                "raised_on": raised,
                "target_date": raised + timedelta(days=rng.choice([30, 90, 180, 365])),
                "resolved_on": resolved,
            }
        )


def _add_actions(
    estate: DemoEstate,
    site: dict[str, Any],
    rng: random.Random,
    audit: Any,
    recent: Any,
    rules: EstatesRules,
    today: date,
) -> None:
    systems = {
        BuildingSystem.WATER: 3,
        BuildingSystem.GAS: 2,
        BuildingSystem.ELECTRICITY: 3,
        BuildingSystem.HOT_WATER_HEATERS: 2,
        BuildingSystem.HEATING: 2,
        BuildingSystem.FIRE_SAFETY: 2,
        BuildingSystem.FABRIC_AND_STRUCTURE: 3,
        BuildingSystem.WELFARE: 1,
        BuildingSystem.SECURITY: 1,
        BuildingSystem.OTHER: 1,
    }
    count = rng.randint(1, 6) if site["condition_grade"] in {"C", "D"} else rng.randint(0, 3)
    for _ in range(count):
        system = _weighted(rng, systems)
        priority = _weighted(
            rng, {RepairPriority.P1: 0.1, RepairPriority.P2: 0.3, RepairPriority.P3: 0.4, RepairPriority.P4: 0.2}
        )
        status = _weighted(
            rng,
            {
                RemediationStatus.REPORTED: 0.25,
                RemediationStatus.PARTS_AWAITED: 0.1,
                RemediationStatus.IN_PROGRESS: 0.15,
                RemediationStatus.COMPLETED: 0.45,
                RemediationStatus.CANCELLED: 0.05,
            },
        )
        # Open repairs are mostly recent, with a tail of old ones nobody closed; closed ones span the year.
        open_now = status not in {RemediationStatus.COMPLETED, RemediationStatus.CANCELLED}
        reported = recent(45 if open_now and rng.random() < 0.6 else 400)
        completed = (
            reported + timedelta(days=rng.randint(0, (today - reported).days))
            if status == RemediationStatus.COMPLETED
            else None
        )
        estate.actions.append(
            {
                **audit(),
                "site_id": site["id"],
                "system": system,
                "description": rng.choice(REPAIRS[system]),
                "priority": priority,
                "status": status,
                "reported_on": reported,
                "target_date": default_target_date(priority, reported, rules),
                "blocker": "Awaiting landlord consent"
                if status == RemediationStatus.PARTS_AWAITED and site["tenure"] == Tenure.LEASEHOLD
                else None,
                "completed_on": completed,
            }
        )


def _add_projects(estate: DemoEstate, site: dict[str, Any], rng: random.Random, audit: Any, today: date) -> None:
    if rng.random() > 0.5:
        return
    kind = _weighted(
        rng,
        {
            RefurbishmentKind.MAJOR_REFURBISHMENT: 0.41,
            RefurbishmentKind.REDECORATION_OR_REFURNISH: 0.41,
            RefurbishmentKind.REPLACEMENT_SITE: 0.04,
            RefurbishmentKind.PLANNED_MAINTENANCE: 0.14,
        },
    )
    status = _weighted(
        rng,
        {
            RefurbishmentStatus.PROPOSED: 0.13,
            RefurbishmentStatus.APPROVED: 0.07,
            RefurbishmentStatus.FUNDED: 0.07,
            RefurbishmentStatus.IN_PROGRESS: 0.14,
            RefurbishmentStatus.COMPLETE: 0.55,
            RefurbishmentStatus.CANCELLED: 0.04,
        },
    )
    planned_start = today + timedelta(days=rng.randint(-900, 300))
    planned_end = planned_start + timedelta(days=rng.randint(30, 400))
    started = status in {RefurbishmentStatus.IN_PROGRESS, RefurbishmentStatus.COMPLETE}
    actual_start = min(planned_start + timedelta(days=rng.randint(0, 60)), today) if started else None
    actual_end = None
    if status == RefurbishmentStatus.COMPLETE and actual_start is not None:
        actual_end = actual_start + timedelta(days=rng.randint(0, max((today - actual_start).days, 0)))
    budget = Decimal(rng.randrange(5_000, 1_500_000, 500))
    estate.projects.append(
        {
            **audit(),
            "site_id": site["id"],
            "kind": kind,
            "status": status,
            "description": f"{kind.value.replace('_', ' ').capitalize()} of {site['name']}",
            "budget": budget,
            "spend": (budget * Decimal(rng.randint(0, 110)) / 100).quantize(Decimal("0.01"))
            if started
            else Decimal("0"),
            "planned_start": planned_start,
            "planned_end": planned_end,
            "actual_start": actual_start,
            "actual_end": actual_end,
        }
    )
