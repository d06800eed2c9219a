"""Legionella readings against the HSG274 thresholds in config/legionella.toml, pinned to worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk_register.estates.enums import SiteType
from risk_register.hazards.config import load_hazard_rules
from risk_register.hazards.enums import CheckOutcome, ControlStatus, LegionellaSiteStatus, OutletKind, Water
from risk_register.hazards.rules import (
    is_healthcare,
    judge_reading,
    legionella_site_status,
    monitoring_outcome,
    reading_point_problems,
)
from risk_register.settings import PROJECT_ROOT

RULES = load_hazard_rules(PROJECT_ROOT / "config")
LEGIONELLA = RULES.legionella
S, R, C, M = OutletKind.SENTINEL, OutletKind.REPRESENTATIVE, OutletKind.CALORIFIER, OutletKind.INCOMING_MAIN


def judge(kind: OutletKind, water: Water, temp: str, run: int | None = None, healthcare: bool = False) -> bool:
    return judge_reading(kind, water, Decimal(temp), run, healthcare=healthcare, rules=LEGIONELLA).passed


@pytest.mark.parametrize(
    ("kind", "water", "temperature", "passed"),
    [
        # hot outlets: at least 50 C (>=)
        (S, Water.HOT, "50.0", True),
        (S, Water.HOT, "49.9", False),
        (R, Water.HOT, "50.0", True),
        (R, Water.HOT, "49.9", False),
        (S, Water.HOT, "65.0", True),
        # cold outlets: below 20 C (<)
        (S, Water.COLD, "19.9", True),
        (S, Water.COLD, "20.0", False),
        (R, Water.COLD, "20.0", False),
        (S, Water.COLD, "8.5", True),
        # TMV: the hot supply to the valve, at least 50 C
        (S, Water.MIXED_TMV, "50.0", True),
        (S, Water.MIXED_TMV, "49.9", False),
        (S, Water.MIXED_TMV, "41.0", False),  # the mixed outlet temperature is not the supply
        # calorifier flow at least 60 C, return at least 50 C
        (C, Water.FLOW, "60.0", True),
        (C, Water.FLOW, "59.9", False),
        (C, Water.RETURN, "50.0", True),
        (C, Water.RETURN, "49.9", False),
        (C, Water.RETURN, "55.0", True),
        # incoming cold main below 20 C
        (M, Water.COLD, "19.9", True),
        (M, Water.COLD, "20.0", False),
    ],
)
def test_thresholds_at_their_boundaries(kind: OutletKind, water: Water, temperature: str, passed: bool) -> None:
    assert judge(kind, water, temperature) is passed


def test_healthcare_premises_need_55_for_hot_outlets_only() -> None:
    assert judge(S, Water.HOT, "54.9", healthcare=False)
    assert not judge(S, Water.HOT, "54.9", healthcare=True)
    assert judge(S, Water.HOT, "55.0", healthcare=True)
    assert judge(C, Water.RETURN, "50.0", healthcare=True)  # the return rule has no healthcare variant


def test_no_probation_site_type_is_healthcare_by_default() -> None:
    assert not any(is_healthcare(t, LEGIONELLA) for t in SiteType)


@pytest.mark.parametrize(
    ("water", "temperature", "run", "passed"),
    [
        (Water.HOT, "52.0", 60, True),  # within 1 minute
        (Water.HOT, "52.0", 61, False),  # reached 52 C but not within a minute
        (Water.HOT, "52.0", None, True),  # time not recorded: judged on temperature
        (Water.MIXED_TMV, "51.0", 61, False),
        (Water.COLD, "18.0", 120, True),  # after running up to 2 minutes
        (Water.COLD, "18.0", 121, False),
    ],
)
def test_time_to_temperature(water: Water, temperature: str, run: int | None, passed: bool) -> None:
    assert judge(S, water, temperature, run) is passed


def test_calorifier_readings_have_no_time_rule() -> None:
    assert judge(C, Water.FLOW, "61.0", run=600)


def test_verdicts_say_what_was_required_and_why_it_failed() -> None:
    verdict = judge_reading(S, Water.HOT, Decimal("47.5"), 30, healthcare=False, rules=LEGIONELLA)
    assert verdict.requirement == "at least 50.0 C within 60 s"
    assert verdict.reason == "47.5 C is below the 50.0 C minimum"
    cold = judge_reading(S, Water.COLD, Decimal("21.0"), None, healthcare=False, rules=LEGIONELLA)
    assert cold.requirement == "below 20.0 C within 120 s"
    assert cold.reason == "21.0 C is not below 20.0 C"
    slow = judge_reading(S, Water.HOT, Decimal("55.0"), 90, healthcare=False, rules=LEGIONELLA)
    assert slow.reason == "taken after 90 s: the rule must be met within 60 s"


@given(st.decimals(min_value=Decimal("-5"), max_value=Decimal("95"), places=1))
def test_hot_and_cold_rules_are_exactly_at_least_50_and_below_20(temperature: Decimal) -> None:
    assert judge_reading(S, Water.HOT, temperature, None, healthcare=False, rules=LEGIONELLA).passed == (
        temperature >= Decimal(50)
    )
    assert judge_reading(S, Water.COLD, temperature, None, healthcare=False, rules=LEGIONELLA).passed == (
        temperature < Decimal(20)
    )


@pytest.mark.parametrize(
    ("kind", "water", "valid"),
    [
        (S, Water.HOT, True),
        (S, Water.FLOW, False),
        (C, Water.HOT, False),
        (C, Water.RETURN, True),
        (M, Water.HOT, False),
        (M, Water.COLD, True),
        (R, Water.MIXED_TMV, True),
    ],
)
def test_only_real_measurement_points_are_accepted(kind: OutletKind, water: Water, valid: bool) -> None:
    assert (reading_point_problems(kind, water, LEGIONELLA) == []) is valid


def test_each_point_is_evidence_for_a_legionella_control_template() -> None:
    legionella = RULES.hazard("legionella")
    assert legionella is not None
    codes = {t.code for t in legionella.controls}
    assert set(LEGIONELLA.controls.values()) <= codes
    assert LEGIONELLA.controls[(S, Water.HOT)] == "sentinel_outlet_temperatures"
    assert LEGIONELLA.controls[(S, Water.MIXED_TMV)] == "tmv_hot_supply"
    assert LEGIONELLA.controls[(C, Water.FLOW)] == "calorifier_flow_return"


def test_one_failing_reading_fails_the_days_check() -> None:
    assert monitoring_outcome([True, True]) == CheckOutcome.PASS
    assert monitoring_outcome([True, False, True]) == CheckOutcome.FAIL
    with pytest.raises(ValueError, match="at least one"):
        monitoring_outcome([])


@pytest.mark.parametrize(
    ("statuses", "failing_points", "expected"),
    [
        ([ControlStatus.EFFECTIVE], 1, LegionellaSiteStatus.FAILING),
        ([ControlStatus.FAILING, ControlStatus.OVERDUE], 0, LegionellaSiteStatus.FAILING),
        ([ControlStatus.OVERDUE, ControlStatus.EFFECTIVE], 0, LegionellaSiteStatus.OVERDUE),
        ([ControlStatus.NOT_YET_CHECKED, ControlStatus.EFFECTIVE], 0, LegionellaSiteStatus.NOT_YET_CHECKED),
        ([ControlStatus.EFFECTIVE], 0, LegionellaSiteStatus.COMPLIANT),
        ([], 0, LegionellaSiteStatus.NO_CONTROLS),
        ([ControlStatus.RETIRED], 0, LegionellaSiteStatus.NO_CONTROLS),
        ([], 2, LegionellaSiteStatus.FAILING),
    ],
)
def test_site_legionella_status(statuses: list[ControlStatus], failing_points: int, expected: str) -> None:
    assert legionella_site_status(statuses, failing_points) == expected
