"""The hazard catalogue and its guidance values load, carry their sources, and refuse contradictions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from risk_register.estates.enums import SiteType
from risk_register.hazards.config import CONFIDENCE, load_hazard_rules
from risk_register.hazards.enums import ChecklistItem, FrequencyUnit, SubjectKind
from risk_register.settings import PROJECT_ROOT

RULES = load_hazard_rules(PROJECT_ROOT / "config")
REQUIRED_HAZARDS = {
    "legionella",
    "work_related_stress",
    "gas_safety",
    "fixed_electrical",
    "portable_appliances",
    "fire",
    "asbestos",
    "lone_working",
    "first_aid",
    "upw_site_welfare",
}


def test_the_catalogue_has_every_hazard_the_issue_names_each_with_controls() -> None:
    assert set(RULES.hazards) >= REQUIRED_HAZARDS
    for hazard in RULES.hazards.values():
        assert hazard.controls, hazard.code
        assert hazard.basis
        assert hazard.source
        assert hazard.confidence in CONFIDENCE
        for template in hazard.controls:
            assert template.basis
            assert template.title
            assert template.confidence in CONFIDENCE


def test_people_hazards_are_assessed_per_team() -> None:
    assert RULES.hazards["work_related_stress"].subject == SubjectKind.TEAM
    assert RULES.hazards["lone_working"].subject == SubjectKind.TEAM
    assert RULES.hazards["legionella"].subject == SubjectKind.SITE
    assert RULES.hazards["upw_site_welfare"].site_types == frozenset({SiteType.UNPAID_WORK})


@pytest.mark.parametrize(
    ("template", "unit", "count", "confidence"),
    [
        ("sentinel_outlet_temperatures", FrequencyUnit.MONTH, 1, "V"),
        ("calorifier_flow_return", FrequencyUnit.MONTH, 1, "V"),
        ("incoming_cold_main", FrequencyUnit.MONTH, 6, "V"),
        ("representative_outlets", FrequencyUnit.MONTH, 12, "V"),
        ("flush_little_used_outlets", FrequencyUnit.DAY, 7, "V3"),
        ("descale_shower_heads", FrequencyUnit.MONTH, 3, "V3"),
        ("fire_alarm_weekly_test", FrequencyUnit.DAY, 7, "V"),
        ("fire_alarm_service", FrequencyUnit.MONTH, 6, "V"),
        ("emergency_lighting_monthly", FrequencyUnit.MONTH, 1, "V"),
        ("emergency_lighting_annual", FrequencyUnit.MONTH, 12, "V"),
        ("gas_appliance_service", FrequencyUnit.MONTH, 12, "V3"),
        ("eicr", FrequencyUnit.MONTH, 60, "V3"),
        ("pat_formal_visual_inspection", FrequencyUnit.MONTH, 24, "U"),
    ],
)
def test_frequencies_follow_the_standards(template: str, unit: FrequencyUnit, count: int, confidence: str) -> None:
    found = RULES.template(template)
    assert found is not None
    assert (found.frequency.unit, found.frequency.count, found.confidence) == (unit, count, confidence)


def test_the_legionella_review_default_is_two_years_and_marked_v3() -> None:
    legionella = RULES.hazards["legionella"]
    assert (legionella.review_interval_months, legionella.review_confidence) == (24, "V3")


def test_the_checklist_describes_every_item_and_requires_them_all_by_default() -> None:
    assert set(RULES.checklist_items) == set(ChecklistItem)
    assert set(RULES.required_items) == set(ChecklistItem)
    assert "[V3]" in RULES.checklist_source


def copy_config(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("stress.toml", "items = [2, 10, 15, 19, 25, 30]", "items = [2, 10, 15, 19, 25, 3]", "exactly one scale"),
        ("stress.toml", "p20 = 3.00", "p20 = 3.90", "p20 <= p50 <= p80"),
        (
            "legionella.toml",
            '"sentinel.hot" = "sentinel_outlet_temperatures"',
            '"sentinel.hot" = "eicr"',
            "not a legionella control template",
        ),
        ("legionella.toml", 'confidence = "V"', 'confidence = "probably"', "confidence"),
        ("hazards.toml", 'every = "1 month"', 'every = "monthly"', "frequency"),
        ("hazards.toml", 'code = "tmv_hot_supply"', 'code = "sentinel_outlet_temperatures"', "defined twice"),
    ],
)
def test_contradictory_config_stops_the_service(tmp_path: Path, file: str, old: str, new: str, message: str) -> None:
    config = copy_config(tmp_path)
    edit(config / file, old, new)
    with pytest.raises(ValueError, match=message):
        load_hazard_rules(config)
