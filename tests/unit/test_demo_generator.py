"""The demo estate: deterministic, realistic in shape, and every row a valid record."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from risk_register.demo.generator import DemoEstate, generate_estate
from risk_register.estates.enums import (
    FindingStatus,
    RefurbishmentKind,
    RefurbishmentStatus,
    RemediationStatus,
    SiteType,
    Tenure,
)
from risk_register.estates.rules import (
    default_target_date,
    finding_problems,
    is_remediation_open,
    is_remediation_overdue,
    refurbishment_problems,
    remediation_problems,
    site_problems,
)
from risk_register.estates.schemas import FindingCreate, ProjectCreate, RemediationCreate, SiteCreate
from risk_register.estates.services import placement_problems
from tests.conftest import TODAY

DATE_FIELDS = {
    "lease_end_date",
    "raised_on",
    "target_date",
    "resolved_on",
    "reported_on",
    "completed_on",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
}


@pytest.fixture(scope="module")
def estate(organisation, estates_rules) -> DemoEstate:  # type: ignore[no-untyped-def]
    return generate_estate(organisation, estates_rules, today=TODAY)


def test_same_seed_and_today_give_the_same_estate(organisation, estates_rules, estate: DemoEstate) -> None:  # type: ignore[no-untyped-def]
    again = generate_estate(organisation, estates_rules, today=TODAY)
    assert again == estate


def test_another_seed_gives_another_estate(organisation, estates_rules, estate: DemoEstate) -> None:  # type: ignore[no-untyped-def]
    other = generate_estate(organisation, estates_rules, today=TODAY, seed=7)
    assert other.sites != estate.sites
    assert generate_estate(organisation, estates_rules, today=TODAY, seed=7) == other


def _shifted(row: dict[str, Any], delta: timedelta) -> dict[str, Any]:
    return {
        key: (value + delta if key in DATE_FIELDS and value is not None else value)
        for key, value in row.items()
        if key not in {"created_at", "updated_at"}
    }


def test_dates_are_relative_to_today(organisation, estates_rules, estate: DemoEstate) -> None:  # type: ignore[no-untyped-def]
    delta = timedelta(days=400)
    later = generate_estate(organisation, estates_rules, today=TODAY + delta)
    for name in ("sites", "findings", "projects", "actions"):
        mine, theirs = getattr(estate, name), getattr(later, name)
        assert len(mine) == len(theirs)
        assert [_shifted(row, delta) for row in mine] == [_shifted(row, timedelta()) for row in theirs], name


def test_ids_and_codes_are_unique(estate: DemoEstate) -> None:
    all_ids = [row["id"] for name in ("sites", "findings", "projects", "actions") for row in getattr(estate, name)]
    assert len(all_ids) == len(set(all_ids))
    codes = [s["code"] for s in estate.sites]
    assert len(codes) == len(set(codes))


def test_covers_every_region_and_site_type(organisation, estate: DemoEstate) -> None:  # type: ignore[no-untyped-def]
    regions = {s["region_code"] for s in estate.sites}
    assert len(regions) == 12
    assert regions == {r.code for r in organisation.regions}
    assert {s["site_type"] for s in estate.sites} == set(SiteType)
    # Every PDU has at least one probation office and one UPW site.
    for pdu in organisation.pdus:
        types = {s["site_type"] for s in estate.sites if s["pdu_code"] == pdu.code}
        assert {SiteType.PROBATION_OFFICE, SiteType.UNPAID_WORK} <= types, pdu.code


def test_size_is_of_the_order_of_the_real_estate(estate: DemoEstate) -> None:
    assert 400 <= len(estate.sites) <= 800
    types = Counter(s["site_type"] for s in estate.sites)
    assert 80 <= types[SiteType.APPROVED_PREMISES] <= 130
    assert types[SiteType.PROBATION_CONTACT_CENTRE] == 12


def test_realistic_upw_share(estate: DemoEstate) -> None:
    upw = sum(1 for s in estate.sites if s["site_type"] == SiteType.UNPAID_WORK)
    assert 0.10 <= upw / len(estate.sites) <= 0.40


def test_some_condition_d_and_unsuitable_sites_and_upw_in_worse_condition(estate: DemoEstate) -> None:
    grades = Counter(s["condition_grade"] for s in estate.sites)
    assert set(grades) == {"A", "B", "C", "D"}
    assert 0.03 <= grades["D"] / len(estate.sites) <= 0.25
    assert any(s["suitability"] == "unsuitable_replacement_required" for s in estate.sites)

    def poor_share(site_type_is_upw: bool) -> float:
        group = [s for s in estate.sites if (s["site_type"] == SiteType.UNPAID_WORK) == site_type_is_upw]
        return sum(1 for s in group if s["condition_grade"] in {"C", "D"}) / len(group)

    assert poor_share(True) > poor_share(False)


def test_many_leaseholds_with_lease_end_dates(estate: DemoEstate) -> None:
    leaseholds = [s for s in estate.sites if s["tenure"] == Tenure.LEASEHOLD]
    assert len(leaseholds) / len(estate.sites) >= 0.4
    assert all(s["lease_end_date"] is not None for s in leaseholds)
    assert all(s["lease_end_date"] is None for s in estate.sites if s["tenure"] != Tenure.LEASEHOLD)


def test_open_and_overdue_repairs_relative_to_today(estate: DemoEstate) -> None:
    open_actions = [a for a in estate.actions if is_remediation_open(a["status"])]
    overdue = [a for a in open_actions if is_remediation_overdue(a["status"], a["target_date"], TODAY)]
    not_yet_due = [a for a in open_actions if a["target_date"] >= TODAY]
    assert open_actions
    assert overdue
    assert not_yet_due
    assert any(a["status"] == RemediationStatus.COMPLETED for a in estate.actions)
    assert all(a["reported_on"] <= TODAY for a in estate.actions)
    # Repairs to the systems the inspection named are among the overdue.
    assert {"water", "gas", "electricity", "hot_water_heaters"} <= {a["system"] for a in overdue}


def test_repairs_take_their_target_from_config(estate: DemoEstate, estates_rules) -> None:  # type: ignore[no-untyped-def]
    for a in estate.actions:
        assert a["target_date"] == default_target_date(a["priority"], a["reported_on"], estates_rules)


def test_some_completed_major_refurbishments_and_redecorations(estate: DemoEstate) -> None:
    completed = Counter(p["kind"] for p in estate.projects if p["status"] == RefurbishmentStatus.COMPLETE)
    assert completed[RefurbishmentKind.MAJOR_REFURBISHMENT] >= 10
    assert completed[RefurbishmentKind.REDECORATION_OR_REFURNISH] >= 10
    assert any(p["status"] == RefurbishmentStatus.IN_PROGRESS for p in estate.projects)


def test_findings_make_some_sites_inaccessible(estate: DemoEstate) -> None:
    open_p1 = [f for f in estate.findings if f["status"] in {FindingStatus.OPEN, FindingStatus.IN_PROGRESS}]
    assert any(f["priority"] == 1 for f in open_p1)
    assert {f["status"] for f in estate.findings} == set(FindingStatus)


def test_scale_ten_gives_about_ten_times_the_sites(organisation, estates_rules, estate: DemoEstate) -> None:  # type: ignore[no-untyped-def]
    big = generate_estate(organisation, estates_rules, today=TODAY, scale=10)
    ratio = len(big.sites) / len(estate.sites)
    assert 9 <= ratio <= 11
    assert len({s["code"] for s in big.sites}) == len(big.sites)
    assert 7 <= len(big.actions) / len(estate.actions) <= 13


# --- every row is a record the API would accept ----------------------------------------------------------


@pytest.mark.parametrize("today", [TODAY, date(2024, 2, 29)])
def test_every_row_passes_the_domain_rules(organisation, estates_rules, today: date) -> None:  # type: ignore[no-untyped-def]
    estate = generate_estate(organisation, estates_rules, today=today)
    site_ids = {s["id"] for s in estate.sites}
    for s in estate.sites:
        problems = placement_problems(organisation, s["region_code"], s["pdu_code"]) + site_problems(
            tenure=s["tenure"], lease_end_date=s["lease_end_date"], staff_headcount=s["staff_headcount"]
        )
        assert problems == [], (s, problems)
    for f in estate.findings:
        assert f["site_id"] in site_ids
        assert 1 <= f["priority"] <= 4
        problems = finding_problems(
            status=f["status"],
            raised_on=f["raised_on"],
            target_date=f["target_date"],
            resolved_on=f["resolved_on"],
            accepted_reason=f["accepted_reason"],
            today=today,
        )
        assert problems == [], (f, problems)
    for a in estate.actions:
        assert a["site_id"] in site_ids
        problems = remediation_problems(
            status=a["status"],
            reported_on=a["reported_on"],
            target_date=a["target_date"],
            completed_on=a["completed_on"],
            today=today,
        )
        assert problems == [], (a, problems)
    for p in estate.projects:
        assert p["site_id"] in site_ids
        problems = refurbishment_problems(
            status=p["status"],
            planned_start=p["planned_start"],
            planned_end=p["planned_end"],
            actual_start=p["actual_start"],
            actual_end=p["actual_end"],
            today=today,
        )
        assert problems == [], (p, problems)


def _body(row: dict[str, Any], drop: set[str]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in drop | {"id", "created_at", "updated_at", "version"}}


def test_every_row_fits_the_api_schemas(estate: DemoEstate) -> None:
    for s in estate.sites:
        SiteCreate.model_validate(_body(s, {"accessibility_status"}))
    for f in estate.findings:
        FindingCreate.model_validate(_body(f, set()))
    for a in estate.actions:
        RemediationCreate.model_validate(_body(a, set()))
    for p in estate.projects:
        ProjectCreate.model_validate(_body(p, set()))
