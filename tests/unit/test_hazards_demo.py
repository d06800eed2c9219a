"""The demo hazards data: deterministic, consistent with the rules, and showing what the inspection found."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest

from risk_register.demo.generator import generate_estate
from risk_register.demo.hazards import DemoHazards, generate_hazards
from risk_register.estates.enums import SiteType
from risk_register.estates.rules import load_estates_rules
from risk_register.hazards import rules
from risk_register.hazards.config import Frequency, load_hazard_rules
from risk_register.hazards.enums import ChecklistItem, CheckOutcome, CheckSource
from risk_register.organisation.reference import load_organisation
from risk_register.settings import PROJECT_ROOT
from tests.conftest import TODAY

CONFIG = PROJECT_ROOT / "config"
ORGANISATION = load_organisation(CONFIG)
HAZARD_RULES = load_hazard_rules(CONFIG)
DemoData = tuple[list[dict[str, Any]], DemoHazards]


def demo(seed: int = 20250401, today: date = TODAY) -> DemoData:
    estate = generate_estate(ORGANISATION, load_estates_rules(CONFIG), scale=1, seed=seed, today=today)
    return estate.sites, generate_hazards(ORGANISATION, HAZARD_RULES, estate.sites, scale=1, seed=seed, today=today)


@pytest.fixture(scope="module")
def data() -> DemoData:
    return demo()


def test_the_same_seed_and_date_give_the_same_rows(data: DemoData) -> None:
    _, first = data
    _, second = demo()
    assert first.counts() == second.counts()
    assert first.controls[:50] == second.controls[:50]
    assert first.checks[-50:] == second.checks[-50:]
    _, other = demo(seed=7)
    assert other.controls[0]["id"] != first.controls[0]["id"]


def test_sizes_are_those_of_the_real_estate(data: DemoData) -> None:
    sites, hazards = data
    counts = hazards.counts()
    assert 6 <= counts["controls"] / len(sites) <= 12
    assert 20_000 <= counts["checks"] <= 60_000
    assert counts["teams"] == sum(2 * len(r.pdus) + 1 for r in ORGANISATION.regions)
    assert counts["readings"] > 0
    assert counts["surveys"] > 0
    assert counts["absence"] == 4 * counts["teams"]


def test_every_stored_derived_field_is_what_the_rules_say(data: DemoData) -> None:
    _, hazards = data
    checks_of: dict[Any, Any] = {}
    for check in hazards.checks:
        checks_of.setdefault(check["control_id"], []).append(check)
    for control in hazards.controls:
        checks = checks_of.get(control["id"], [])
        state = rules.control_state(
            control["first_due_on"],
            Frequency(control["frequency_unit"], control["frequency_count"]),
            [rules.CheckFact(c["checked_on"], c["outcome"], i) for i, c in enumerate(checks)],
        )
        assert (control["next_due_on"], control["last_checked_on"], control["last_outcome"]) == (
            state.next_due_on,
            state.last_checked_on,
            state.last_outcome,
        )
        assert all(c["checked_on"] <= TODAY for c in checks)
    for assessment in hazards.assessments:
        assert assessment["suitable_and_sufficient"] == (assessment["missing_items"] == [])
        assert set(assessment["missing_items"]) <= {i.value for i in ChecklistItem}


def test_readings_make_their_checks(data: DemoData) -> None:
    _, hazards = data
    by_check: dict[Any, Any] = {}
    for reading in hazards.readings:
        by_check.setdefault(reading["check_id"], []).append(reading["passed"])
    checks = {c["id"]: c for c in hazards.checks}
    for check_id, passed in by_check.items():
        check = checks[check_id]
        assert check["source"] == CheckSource.LEGIONELLA_MONITORING
        assert check["outcome"] == rules.monitoring_outcome(passed)
    assert any(not p for passed in by_check.values() for p in passed)


def test_upw_sites_are_more_often_overdue_than_the_rest(data: DemoData) -> None:
    sites, hazards = data
    site_type = {s["id"]: s["site_type"] for s in sites}
    tally: Counter[Any] = Counter()
    for control in hazards.controls:
        if control["site_id"] is None:
            continue
        upw = site_type[control["site_id"]] == SiteType.UNPAID_WORK
        tally[(upw, rules.is_overdue(control["next_due_on"], TODAY))] += 1
    upw_rate = tally[(True, True)] / (tally[(True, True)] + tally[(True, False)])
    rest_rate = tally[(False, True)] / (tally[(False, True)] + tally[(False, False)])
    assert upw_rate > 1.5 * rest_rate


def test_many_legionella_and_stress_assessments_are_not_suitable_and_sufficient(data: DemoData) -> None:
    _, hazards = data
    share = Counter(
        (a["hazard_code"], a["suitable_and_sufficient"])
        for a in hazards.assessments
        if a["hazard_code"] in {"legionella", "work_related_stress", "fire"}
    )
    for hazard in ("legionella", "work_related_stress"):
        assert share[(hazard, False)] > share[(hazard, True)]
    assert share[("fire", True)] > share[("fire", False)]
    assert {c["outcome"] for c in hazards.checks} == set(CheckOutcome)
