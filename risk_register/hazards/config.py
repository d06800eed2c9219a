"""The hazards configuration (config/hazards.toml, legionella.toml, stress.toml) as plain, validated data.

Loaded once at start-up into app state (core/plugin.py) and handed to services through Context. A config
file that contradicts itself (an Indicator Tool item on two scales, a reading mapped to a control the
catalogue does not have...) stops the service from starting rather than answering wrongly later.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from risk_register.estates.enums import SiteType
from risk_register.hazards.enums import (
    ChecklistItem,
    FrequencyUnit,
    OutletKind,
    StressScale,
    SubjectKind,
    Water,
)

CONFIDENCE = frozenset({"V", "V3", "U"})
_EVERY = re.compile(r"^\s*(\d{1,4})\s+(day|week|month|year)s?\s*$")


@dataclass(frozen=True)
class Frequency:
    """How often a control is checked: a number of days, or of calendar months."""

    unit: FrequencyUnit
    count: int

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("a frequency must be at least 1 day or 1 month")

    def describe(self) -> str:
        if self.unit == FrequencyUnit.DAY:
            if self.count % 7 == 0:
                weeks = self.count // 7
                return "weekly" if weeks == 1 else f"every {weeks} weeks"
            return "daily" if self.count == 1 else f"every {self.count} days"
        if self.count % 12 == 0:
            years = self.count // 12
            return "annually" if years == 1 else f"every {years} years"
        return "monthly" if self.count == 1 else f"every {self.count} months"


def parse_frequency(text: str) -> Frequency:
    """ "1 week" -> 7 days; "2 years" -> 24 months. Weeks are days, years are calendar months."""
    match = _EVERY.match(text)
    if match is None:
        raise ValueError(f"frequency {text!r} must be '<n> days|weeks|months|years'")
    count, unit = int(match.group(1)), match.group(2)
    if unit == "week":
        return Frequency(FrequencyUnit.DAY, count * 7)
    if unit == "year":
        return Frequency(FrequencyUnit.MONTH, count * 12)
    return Frequency(FrequencyUnit(unit), count)


@dataclass(frozen=True)
class ControlTemplate:
    code: str
    hazard_code: str
    title: str
    frequency: Frequency
    basis: str
    confidence: str


@dataclass(frozen=True)
class Hazard:
    code: str
    name: str
    subject: SubjectKind
    site_types: frozenset[SiteType]  # empty: every site type
    basis: str
    source: str
    confidence: str
    review_interval_months: int
    review_confidence: str
    controls: tuple[ControlTemplate, ...]

    def applies_to_site_type(self, site_type: SiteType) -> bool:
        return not self.site_types or site_type in self.site_types


@dataclass(frozen=True)
class TemperatureRule:
    """One HSG274 temperature rule: ``at_least_c`` (>=) or ``below_c`` (<), optionally within a time."""

    kinds: frozenset[OutletKind]
    water: Water
    at_least_c: Decimal | None
    healthcare_at_least_c: Decimal | None
    below_c: Decimal | None
    within_seconds: int | None
    source: str
    confidence: str


@dataclass(frozen=True)
class LegionellaRules:
    rules: dict[tuple[OutletKind, Water], TemperatureRule]
    controls: dict[tuple[OutletKind, Water], str]  # (kind, water) -> control template code
    healthcare_site_types: frozenset[SiteType]
    growth_range_c: tuple[Decimal, Decimal]


@dataclass(frozen=True)
class ScaleDefinition:
    scale: StressScale
    name: str
    items: tuple[int, ...]
    reverse: bool


@dataclass(frozen=True)
class Benchmark:
    p20: Decimal
    p50: Decimal
    p80: Decimal
    target: Decimal


@dataclass(frozen=True)
class StressRules:
    items: int
    answer_min: int
    answer_max: int
    scales: dict[StressScale, ScaleDefinition]
    benchmark: dict[StressScale, Benchmark]
    benchmark_confidence: str
    benchmark_note: str
    response_rate: tuple[tuple[str, int], ...]  # (label, more-than per cent), ascending
    reverse_items: frozenset[int] = field(init=False)
    scale_of_item: dict[int, StressScale] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "reverse_items", frozenset(i for s in self.scales.values() if s.reverse for i in s.items)
        )
        object.__setattr__(self, "scale_of_item", {i: s.scale for s in self.scales.values() for i in s.items})


@dataclass(frozen=True)
class HazardRules:
    hazards: dict[str, Hazard]
    checklist_items: dict[ChecklistItem, str]
    required_items: tuple[ChecklistItem, ...]
    checklist_source: str
    legionella: LegionellaRules
    stress: StressRules
    templates: dict[str, ControlTemplate] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "templates", {t.code: t for h in self.hazards.values() for t in h.controls})

    def hazard(self, code: str) -> Hazard | None:
        return self.hazards.get(code)

    def template(self, code: str) -> ControlTemplate | None:
        return self.templates.get(code)


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _confidence(value: Any, where: str) -> str:
    if value not in CONFIDENCE:
        raise ValueError(f"{where}: confidence must be one of {sorted(CONFIDENCE)}, not {value!r}")
    return str(value)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _hazards(raw: dict[str, Any]) -> dict[str, Hazard]:
    hazards: dict[str, Hazard] = {}
    seen_templates: set[str] = set()
    for code, entry in raw["hazards"].items():
        templates = []
        for item in entry.get("controls", []):
            if item["code"] in seen_templates:
                raise ValueError(f"control template {item['code']!r} is defined twice")
            seen_templates.add(item["code"])
            templates.append(
                ControlTemplate(
                    code=item["code"],
                    hazard_code=code,
                    title=item["title"],
                    frequency=parse_frequency(item["every"]),
                    basis=item["basis"],
                    confidence=_confidence(item["confidence"], f"hazards.{code}.controls.{item['code']}"),
                )
            )
        interval = int(entry["review_interval_months"])
        if not 1 <= interval <= 120:
            raise ValueError(f"hazards.{code}.review_interval_months must be 1..120")
        hazards[code] = Hazard(
            code=code,
            name=entry["name"],
            subject=SubjectKind(entry["subject"]),
            site_types=frozenset(SiteType(t) for t in entry.get("site_types", [])),
            basis=entry["basis"],
            source=entry["source"],
            confidence=_confidence(entry["confidence"], f"hazards.{code}"),
            review_interval_months=interval,
            review_confidence=_confidence(entry["review_confidence"], f"hazards.{code}.review_confidence"),
            controls=tuple(templates),
        )
    return hazards


def _legionella(raw: dict[str, Any], hazards: dict[str, Hazard]) -> LegionellaRules:
    rules: dict[tuple[OutletKind, Water], TemperatureRule] = {}
    for entry in raw["rules"]:
        rule = TemperatureRule(
            kinds=frozenset(OutletKind(k) for k in entry["kinds"]),
            water=Water(entry["water"]),
            at_least_c=_decimal(entry.get("at_least_c")),
            healthcare_at_least_c=_decimal(entry.get("healthcare_at_least_c")),
            below_c=_decimal(entry.get("below_c")),
            within_seconds=entry.get("within_seconds"),
            source=entry["source"],
            confidence=_confidence(entry["confidence"], "legionella rule"),
        )
        if (rule.at_least_c is None) == (rule.below_c is None):
            raise ValueError(f"legionella rule for {entry['water']}: give exactly one of at_least_c and below_c")
        for kind in rule.kinds:
            if (kind, rule.water) in rules:
                raise ValueError(f"legionella: two rules for {kind.value}.{rule.water.value}")
            rules[(kind, rule.water)] = rule
    known = {t.code for t in hazards["legionella"].controls}
    controls: dict[tuple[OutletKind, Water], str] = {}
    for key, template in raw["controls"].items():
        kind, water = key.split(".")
        point = (OutletKind(kind), Water(water))
        if point not in rules:
            raise ValueError(f"legionella.controls: {key} has no temperature rule")
        if template not in known:
            raise ValueError(f"legionella.controls: {key} names {template!r}, not a legionella control template")
        controls[point] = template
    if set(rules) != set(controls):
        raise ValueError("legionella: every (kind, water) with a rule needs a control, and the reverse")
    low, high = raw["growth_range_c"]
    return LegionellaRules(
        rules=rules,
        controls=controls,
        healthcare_site_types=frozenset(SiteType(t) for t in raw.get("healthcare_site_types", [])),
        growth_range_c=(Decimal(str(low)), Decimal(str(high))),
    )


def _stress(raw: dict[str, Any]) -> StressRules:
    items = int(raw["items"])
    scales = {
        StressScale(code): ScaleDefinition(
            scale=StressScale(code), name=entry["name"], items=tuple(entry["items"]), reverse=bool(entry["reverse"])
        )
        for code, entry in raw["scales"].items()
    }
    if set(scales) != set(StressScale):
        raise ValueError("stress.toml must define every Indicator Tool scale")
    placed = sorted(i for s in scales.values() for i in s.items)
    if placed != list(range(1, items + 1)):
        raise ValueError(f"stress.toml: items 1..{items} must each belong to exactly one scale")
    benchmark = {}
    for scale in StressScale:
        entry = raw["benchmark"][scale.value]
        mark = Benchmark(*(Decimal(str(entry[k])) for k in ("p20", "p50", "p80", "target")))
        if not mark.p20 <= mark.p50 <= mark.p80:
            raise ValueError(f"stress benchmark for {scale.value}: p20 <= p50 <= p80")
        benchmark[scale] = mark
    rate = raw["response_rate"]
    labels = tuple(sorted(((k, int(v)) for k, v in rate.items() if k != "confidence"), key=lambda pair: pair[1]))
    return StressRules(
        items=items,
        answer_min=int(raw["answer_min"]),
        answer_max=int(raw["answer_max"]),
        scales=scales,
        benchmark=benchmark,
        benchmark_confidence=_confidence(raw["benchmark"]["confidence"], "stress benchmark"),
        benchmark_note=raw["benchmark"]["note"],
        response_rate=labels,
    )


def load_hazard_rules(config_dir: Path) -> HazardRules:
    raw = _read(config_dir / "hazards.toml")
    hazards = _hazards(raw)
    for required in ("legionella", "work_related_stress"):
        if required not in hazards:
            raise ValueError(f"hazards.toml must define the {required!r} hazard")
    checklist = raw["assessment_checklist"]
    items = {ChecklistItem(k): v for k, v in checklist["items"].items()}
    if set(items) != set(ChecklistItem):
        raise ValueError("hazards.toml [assessment_checklist.items] must describe every checklist item")
    return HazardRules(
        hazards=hazards,
        checklist_items=items,
        required_items=tuple(ChecklistItem(i) for i in checklist["required"]),
        checklist_source=f"{checklist['source']} [{_confidence(checklist['confidence'], 'assessment_checklist')}]",
        legionella=_legionella(_read(config_dir / "legionella.toml"), hazards),
        stress=_stress(_read(config_dir / "stress.toml")),
    )
