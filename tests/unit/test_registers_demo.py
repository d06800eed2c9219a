"""The demo registers: deterministic, realistic, every row within the domain rules, history in order, and
about half of the Area risks naming a national risk - some wrongly - so the alignment work has something to
find."""

from __future__ import annotations

import itertools
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import pytest

from risk_register.demo.registers import DemoRegisters, generate_registers
from risk_register.organisation.reference import Organisation, load_organisation
from risk_register.registers.enums import ActionStatus, LinkKind, RegisterLevel, RiskStatus
from risk_register.registers.rules import RISK_FIELDS, action_problems, load_register_rules, risk_problems
from risk_register.settings import PROJECT_ROOT
from tests.conftest import TODAY

RULES = load_register_rules(PROJECT_ROOT / "config")
ORGANISATION: Organisation = load_organisation(PROJECT_ROOT / "config")
REGISTERS: dict[str | None, uuid.UUID] = {
    None: uuid.uuid4(),
    **{area.code: uuid.uuid4() for area in ORGANISATION.areas},
}
SITES = {area.code: [uuid.uuid4() for _ in range(5)] for area in ORGANISATION.areas}


def demo(**kwargs: Any) -> DemoRegisters:
    return generate_registers(REGISTERS, ORGANISATION, SITES, today=kwargs.pop("today", TODAY), **kwargs)


def without_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    skip = {"id", "risk_id", "site_id", "target", "created_at", "updated_at"}
    return [{k: v for k, v in row.items() if k not in skip} for row in rows]


@pytest.fixture(scope="module")
def registers() -> DemoRegisters:
    return demo(hazard_types=RULES.hazard_types)


def area_risks(registers: DemoRegisters) -> list[dict[str, Any]]:
    return [r for r in registers.risks if r["register_id"] != REGISTERS[None]]


def test_the_same_seed_and_day_give_the_same_registers(registers: DemoRegisters) -> None:
    again = demo(hazard_types=RULES.hazard_types)
    assert without_ids(again.risks) == without_ids(registers.risks)
    assert without_ids(again.versions) == without_ids(registers.versions)
    assert without_ids(again.actions) == without_ids(registers.actions)
    assert without_ids(demo(seed=7).risks) != without_ids(registers.risks)


def test_a_national_register_and_seven_area_registers_are_filled(registers: DemoRegisters) -> None:
    per_register = Counter(r["register_id"] for r in registers.risks)
    assert set(per_register) == set(REGISTERS.values())
    assert per_register[REGISTERS[None]] >= 12
    assert all(per_register[REGISTERS[a.code]] >= 10 for a in ORGANISATION.areas)
    references = [(r["register_id"], r["reference"]) for r in registers.risks]
    assert len(set(references)) == len(references)


def test_about_half_of_area_risks_name_a_national_risk_some_wrongly(registers: DemoRegisters) -> None:
    national = {r["reference"] for r in registers.risks if r["register_id"] == REGISTERS[None]}
    claims = [r["national_reference"] for r in area_risks(registers)]
    named = [c for c in claims if c is not None]
    assert 0.35 <= len(named) / len(claims) <= 0.65
    assert any(c not in national for c in named)  # written differently, or a risk that does not exist
    assert sum(c in national for c in named) > len(named) / 2
    # and some Area risks share a national risk's title without naming it
    titles = {r["title"] for r in registers.risks if r["register_id"] == REGISTERS[None]}
    assert any(r["national_reference"] is None and r["title"] in titles for r in area_risks(registers))


def test_every_risk_keeps_the_rules_and_config(registers: DemoRegisters) -> None:
    levels = {REGISTERS[None]: RegisterLevel.NATIONAL}
    for risk in registers.risks:
        level = levels.get(risk["register_id"], RegisterLevel.AREA)
        assert risk_problems(risk, level=level, rules=RULES, today=TODAY) == [], risk["reference"]
        assert risk["category"] in RULES.categories
    statuses = Counter(r["status"] for r in registers.risks)
    assert statuses[RiskStatus.OPEN] > len(registers.risks) / 2
    assert len(statuses) >= 3


def test_history_is_in_order_and_ends_in_the_current_risk(registers: DemoRegisters) -> None:
    versions: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for version in registers.versions:
        versions[version["risk_id"]].append(version)
    changed_since_last_quarter = 0
    for risk in registers.risks:
        chain = sorted(versions[risk["id"]], key=lambda v: v["version_no"])
        assert [v["version_no"] for v in chain] == list(range(1, risk["version"] + 1))
        assert chain[-1]["valid_to"] is None
        assert {f: chain[-1][f] for f in RISK_FIELDS} == {f: risk[f] for f in RISK_FIELDS}
        for earlier, later in itertools.pairwise(chain):
            assert earlier["valid_to"] == later["valid_from"]
            assert earlier["valid_from"] < later["valid_from"]
        assert risk["identified_on"] <= chain[0]["valid_from"] <= TODAY
        changed_since_last_quarter += chain[-1]["valid_from"] > TODAY - timedelta(days=91)
    assert changed_since_last_quarter > 10  # a quarter's changes for the review board to read


def test_actions_and_links(registers: DemoRegisters) -> None:
    for action in registers.actions:
        assert action_problems(status=action["status"], completed_on=action["completed_on"], today=TODAY) == []
    assert any(
        a["status"] in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS) and a["due_on"] < TODAY
        for a in registers.actions
    )
    kinds = Counter(link["kind"] for link in registers.links)
    assert kinds[LinkKind.SITE] > 0
    if RULES.hazard_types:
        assert kinds[LinkKind.HAZARD_TYPE] > 0
        assert all(
            link["target"] in RULES.hazard_types for link in registers.links if link["kind"] == LinkKind.HAZARD_TYPE
        )
    area_of_site = {site: area for area, sites in SITES.items() for site in sites}
    area_of_register = {rid: code for code, rid in REGISTERS.items()}
    register_of_risk = {r["id"]: r["register_id"] for r in registers.risks}
    for link in registers.links:
        if link["kind"] == LinkKind.SITE:
            assert area_of_site[link["site_id"]] == area_of_register[register_of_risk[link["risk_id"]]]


def test_dates_follow_today() -> None:
    later = demo(today=TODAY + timedelta(days=365))
    first = demo()
    shift = timedelta(days=365)
    assert [r["identified_on"] + shift for r in first.risks] == [r["identified_on"] for r in later.risks]


def test_a_larger_scale_holds_that_many_cohorts_and_starts_with_the_1x_demo(registers: DemoRegisters) -> None:
    scale = 3
    scaled = generate_registers(
        REGISTERS, ORGANISATION, SITES, today=TODAY, hazard_types=RULES.hazard_types, scale=scale
    )
    again = generate_registers(
        REGISTERS, ORGANISATION, SITES, today=TODAY, hazard_types=RULES.hazard_types, scale=scale
    )
    assert without_ids(again.risks) == without_ids(scaled.risks)
    assert without_ids(again.links) == without_ids(scaled.links)
    # The first cohort is the 1x demo, row for row.
    for name in ("risks", "versions", "actions", "links"):
        one = getattr(registers, name)
        assert without_ids(getattr(scaled, name)[: len(one)]) == without_ids(one), name
    references = [(r["register_id"], r["reference"]) for r in scaled.risks]
    assert len(set(references)) == len(references)
    one_per_register = Counter(r["register_id"] for r in registers.risks)
    assert Counter(r["register_id"] for r in scaled.risks) == Counter(
        {register: scale * n for register, n in one_per_register.items()}
    )
    assert len({r["title"] for r in scaled.risks}) == scale * len({r["title"] for r in registers.risks})
    # Each later cohort's Area risks name that cohort's national risks, some wrongly, in about the 1x share.
    national = {r["reference"]: r["title"] for r in scaled.risks if r["register_id"] == REGISTERS[None]}
    later = [r for r in scaled.risks[len(registers.risks) :] if r["register_id"] != REGISTERS[None]]
    named = [r for r in later if r["national_reference"] is not None]
    matched = [r for r in named if r["national_reference"] in national]
    assert 0.35 <= len(named) / len(later) <= 0.65
    assert len(named) / 2 < len(matched) < len(named)
    assert all(national[r["national_reference"]] == r["title"] for r in matched)  # the same cohort's risk
    assert any(
        a["status"] in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS) and a["due_on"] < TODAY
        for a in scaled.actions[len(registers.actions) :]
    )


def test_a_larger_scale_links_sites_across_that_scales_estate() -> None:
    scale = 4
    sites = {area: [uuid.uuid4() for _ in range(5 * scale)] for area in SITES}
    scaled = generate_registers(REGISTERS, ORGANISATION, sites, today=TODAY, scale=scale)
    area_of_site = {site: area for area, ids in sites.items() for site in ids}
    area_of_register = {rid: code for code, rid in REGISTERS.items()}
    register_of_risk = {r["id"]: r["register_id"] for r in scaled.risks}
    site_links = [link for link in scaled.links if link["kind"] == LinkKind.SITE]
    assert all(
        area_of_site[link["site_id"]] == area_of_register[register_of_risk[link["risk_id"]]] for link in site_links
    )
    assert len({link["site_id"] for link in site_links}) > 5 * len(SITES)  # more sites than the 1x estate has
