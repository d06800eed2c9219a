"""Register rules as plain functions over plain values: no HTTP, no database.

Each derived fact has exactly one function here - score, band (and so RAG), appetite and tolerance, above
appetite, review overdue, action overdue, what changed between two dates - and everything else (services,
schemas, the importer, the exporter, the SQL forms in registers/queries.py) calls it rather than re-deriving it.
The matrix, bands, word scores and appetite levels come from config/risk_matrix.toml and
config/risk_categories.toml; the hazard catalogue codes from config/hazards.toml when that file exists.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from risk_register.core.errors import FieldProblem
from risk_register.registers.enums import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AppetiteLevel,
    Axis,
    ChangeKind,
    Rag,
    RegisterLevel,
    RiskStatus,
)

MATRIX_SIZE = 5  # the issue asks for a 5 x 5 matrix; the loader refuses any other

# The data a risk holds, in the order spreadsheets and the API show it. Everything a version snapshot keeps.
RISK_FIELDS: tuple[str, ...] = (
    "reference",
    "title",
    "description",
    "cause",
    "effect",
    "category",
    "owner",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "target_likelihood",
    "target_impact",
    "status",
    "identified_on",
    "last_reviewed_on",
    "next_review_on",
    "national_reference",
)
SCORE_PAIRS: dict[str, tuple[str, str]] = {
    "inherent": ("inherent_likelihood", "inherent_impact"),
    "residual": ("residual_likelihood", "residual_impact"),
    "target": ("target_likelihood", "target_impact"),
}
DATE_FIELDS = ("identified_on", "last_reviewed_on", "next_review_on")


# --- configuration -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    score: int
    label: str
    description: str


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    min_score: int
    max_score: int
    rag: Rag
    colour: str
    font_colour: str

    def holds(self, score: int) -> bool:
        return self.min_score <= score <= self.max_score


@dataclass(frozen=True)
class Appetite:
    level: AppetiteLevel
    label: str
    description: str
    tolerance: int  # the highest residual score still within this appetite


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    appetite: AppetiteLevel
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class RegisterRules:
    likelihood: tuple[Level, ...]
    impact: tuple[Level, ...]
    bands: tuple[Band, ...]
    words: dict[Axis, dict[str, int]]
    appetites: dict[AppetiteLevel, Appetite]
    categories: dict[str, Category]
    # Codes from config/hazards.toml; None when the hazard catalogue does not exist (yet): any code is taken.
    hazard_types: frozenset[str] | None = None
    _category_keys: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys: dict[str, str] = {}
        for category in self.categories.values():
            for name in (category.code, category.label, *category.aliases):
                keys.setdefault(text_key(name), category.code)
        object.__setattr__(self, "_category_keys", keys)

    def levels(self, axis: Axis) -> tuple[Level, ...]:
        return self.likelihood if axis == Axis.LIKELIHOOD else self.impact

    def category_for(self, text: str) -> str | None:
        return self._category_keys.get(text_key(text))


def text_key(text: str) -> str:
    """How names are matched: case, spaces and punctuation ignored, "&" read as "and"."""
    return "".join(ch for ch in text.lower().replace("&", "and") if ch.isalnum())


def word_key(text: str) -> str:
    return " ".join(text.lower().split())


def possible_scores() -> frozenset[int]:
    return frozenset(lk * im for lk in range(1, MATRIX_SIZE + 1) for im in range(1, MATRIX_SIZE + 1))


def _levels(raw: list[dict[str, Any]], axis: str) -> tuple[Level, ...]:
    levels = tuple(
        Level(score=int(item["score"]), label=str(item["label"]), description=str(item.get("description", "")))
        for item in raw
    )
    if [lv.score for lv in levels] != list(range(1, MATRIX_SIZE + 1)):
        raise ValueError(f"risk_matrix.toml: {axis} must list levels 1 to {MATRIX_SIZE} in order")
    return levels


def _hex(colour: str, where: str) -> str:
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
        raise ValueError(f"risk_matrix.toml: {where} must be a colour like #D4351C")
    return colour.upper()


def load_register_rules(config_dir: Path) -> RegisterRules:
    with (config_dir / "risk_matrix.toml").open("rb") as fh:
        matrix = tomllib.load(fh)
    with (config_dir / "risk_categories.toml").open("rb") as fh:
        taxonomy = tomllib.load(fh)
    likelihood = _levels(matrix["likelihood"], "likelihood")
    impact = _levels(matrix["impact"], "impact")
    bands = tuple(
        Band(
            code=str(b["code"]),
            label=str(b["label"]),
            min_score=int(b["min_score"]),
            max_score=int(b["max_score"]),
            rag=Rag(b["rag"]),
            colour=_hex(str(b["colour"]), f"band {b['code']} colour"),
            font_colour=_hex(str(b.get("font_colour", "#000000")), f"band {b['code']} font_colour"),
        )
        for b in matrix["bands"]
    )
    for score in sorted(possible_scores()):
        holding = [b.code for b in bands if b.holds(score)]
        if len(holding) != 1:
            raise ValueError(f"risk_matrix.toml: score {score} must fall in exactly one band, not {holding}")
    words: dict[Axis, dict[str, int]] = {}
    for axis in Axis:
        levels = likelihood if axis == Axis.LIKELIHOOD else impact
        table = {word_key(lv.label): lv.score for lv in levels}
        for word, score in matrix.get("words", {}).get(axis.value, {}).items():
            key = word_key(word)
            if not 1 <= int(score) <= MATRIX_SIZE:
                raise ValueError(f"risk_matrix.toml: words.{axis.value} {word!r} must be 1 to {MATRIX_SIZE}")
            if key in table and table[key] != int(score):
                raise ValueError(f"risk_matrix.toml: words.{axis.value} {word!r} contradicts a level label")
            table[key] = int(score)
        words[axis] = table
    appetites = {}
    for item in taxonomy["appetite_levels"]:
        level = AppetiteLevel(item["code"])
        appetites[level] = Appetite(level, str(item["label"]), str(item["description"]), int(item["tolerance"]))
    if list(appetites) != list(AppetiteLevel):
        raise ValueError("risk_categories.toml: appetite_levels must be averse, minimal, cautious, open, eager")
    tolerances = [a.tolerance for a in appetites.values()]
    if tolerances != sorted(tolerances):
        raise ValueError("risk_categories.toml: a more willing appetite may not tolerate less")
    categories: dict[str, Category] = {}
    seen: dict[str, str] = {}
    for item in taxonomy["categories"]:
        category = Category(
            code=str(item["code"]),
            label=str(item["label"]),
            appetite=AppetiteLevel(item["appetite"]),
            aliases=tuple(str(a) for a in item.get("aliases", ())),
        )
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", category.code):
            raise ValueError(f"risk_categories.toml: category code {category.code!r} must be lower-case-with-hyphens")
        for name in (category.code, category.label, *category.aliases):
            owner = seen.setdefault(text_key(name), category.code)
            if owner != category.code:
                raise ValueError(f"risk_categories.toml: {name!r} names both {owner} and {category.code}")
        categories[category.code] = category
    return RegisterRules(
        likelihood=likelihood,
        impact=impact,
        bands=bands,
        words=words,
        appetites=appetites,
        categories=categories,
        hazard_types=load_hazard_types(config_dir),
    )


def load_hazard_types(config_dir: Path) -> frozenset[str] | None:
    """The hazard catalogue's codes from config/hazards.toml (the hazards work), or None when it has none."""
    path = config_dir / "hazards.toml"
    if not path.exists():
        return None
    with path.open("rb") as fh:
        return hazard_type_codes(tomllib.load(fh))


def hazard_type_codes(raw: Mapping[str, Any]) -> frozenset[str]:
    """Codes from a hazard catalogue, whichever of the usual TOML shapes it takes: an array of tables with a
    ``code`` (``[[hazards]] code = "legionella"``) or tables keyed by code (``[hazards.legionella]``), under
    ``hazards``, ``hazard_types`` or ``hazard``."""
    for key in ("hazards", "hazard_types", "hazard", "catalogue"):
        value = raw.get(key)
        if isinstance(value, list):
            codes = {str(item["code"]) for item in value if isinstance(item, dict) and "code" in item}
        elif isinstance(value, dict):
            codes = {
                str(item.get("code", name)) if isinstance(item, dict) else str(name) for name, item in value.items()
            }
        else:
            continue
        if codes:
            return frozenset(codes)
    return frozenset(
        str(item["code"])
        for value in raw.values()
        if isinstance(value, list)
        for item in value
        if isinstance(item, dict) and "code" in item
    )


# --- scores, bands and appetite ------------------------------------------------------------------------


def score(likelihood: int | None, impact: int | None) -> int | None:
    """Likelihood x impact; None unless both are given."""
    if likelihood is None or impact is None:
        return None
    return likelihood * impact


def band_of(risk_score: int | None, rules: RegisterRules) -> Band | None:
    """The band (and so the RAG status and colour) a score falls in."""
    if risk_score is None:
        return None
    return next((b for b in rules.bands if b.holds(risk_score)), None)


def appetite_of(category: str, rules: RegisterRules) -> Appetite:
    """The appetite a risk carries: its category's, from config/risk_categories.toml."""
    return rules.appetites[rules.categories[category].appetite]


def is_above_appetite(residual_score: int | None, category: str, rules: RegisterRules) -> bool:
    """Above appetite: the residual score exceeds the tolerance of the category's appetite level."""
    if residual_score is None or category not in rules.categories:
        return False
    return residual_score > appetite_of(category, rules).tolerance


def is_review_overdue(status: RiskStatus, next_review_on: date | None, today: date) -> bool:
    """Overdue for review: not closed and the next review date is before today (due today is not overdue)."""
    return status != RiskStatus.CLOSED and next_review_on is not None and next_review_on < today


def is_action_open(status: ActionStatus) -> bool:
    return status in OPEN_ACTION_STATUSES


def is_action_overdue(status: ActionStatus, due_on: date, today: date) -> bool:
    """A mitigating action is overdue when still open and due before today (due today is not overdue)."""
    return is_action_open(status) and due_on < today


class RiskLike(Protocol):
    category: str
    status: RiskStatus
    inherent_likelihood: int | None
    inherent_impact: int | None
    residual_likelihood: int
    residual_impact: int
    target_likelihood: int | None
    target_impact: int | None
    next_review_on: date | None


@dataclass(frozen=True)
class Assessment:
    """Every derived fact about one risk, each from its one function above."""

    inherent_score: int | None
    residual_score: int | None
    target_score: int | None
    inherent_band: Band | None
    residual_band: Band | None
    target_band: Band | None
    appetite: Appetite | None
    above_appetite: bool
    review_overdue: bool


def assess(risk: RiskLike, rules: RegisterRules, today: date) -> Assessment:
    inherent = score(risk.inherent_likelihood, risk.inherent_impact)
    residual = score(risk.residual_likelihood, risk.residual_impact)
    target = score(risk.target_likelihood, risk.target_impact)
    return Assessment(
        inherent_score=inherent,
        residual_score=residual,
        target_score=target,
        inherent_band=band_of(inherent, rules),
        residual_band=band_of(residual, rules),
        target_band=band_of(target, rules),
        appetite=appetite_of(risk.category, rules) if risk.category in rules.categories else None,
        above_appetite=is_above_appetite(residual, risk.category, rules),
        review_overdue=is_review_overdue(RiskStatus(risk.status), risk.next_review_on, today),
    )


def heat_map(pairs: Iterable[tuple[int | None, int | None]]) -> list[list[int]]:
    """Counts per cell of the matrix: ``grid[likelihood - 1][impact - 1]``; pairs with a blank are skipped."""
    grid = [[0] * MATRIX_SIZE for _ in range(MATRIX_SIZE)]
    for likelihood, impact in pairs:
        if likelihood is not None and impact is not None:
            grid[likelihood - 1][impact - 1] += 1
    return grid


# --- reading what people type (spreadsheets) -----------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_UK = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})$")
_WHOLE = re.compile(r"^[+]?\d+(?:\.0+)?$")


def parse_date(text: str) -> date:
    """A date as UK spreadsheets write it: dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy), or ISO
    yyyy-mm-dd (also with a time, as spreadsheet date cells read). Never US month-first."""
    value = text.strip()
    if match := _ISO.match(value):
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    elif match := _UK.match(value):
        if len(match.group(4)) == 2:
            raise ValueError("needs a four-digit year (dd/mm/yyyy)")
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    else:
        raise ValueError("must be a date written dd/mm/yyyy or yyyy-mm-dd")
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError("is not a real calendar date") from exc


def parse_level(text: str, axis: Axis, rules: RegisterRules) -> int:
    """A likelihood or impact as a number 1-5 or a word (a level label, or a word from the matrix config)."""
    value = text.strip()
    if _WHOLE.match(value):
        number = int(float(value))
        if 1 <= number <= MATRIX_SIZE:
            return number
        raise ValueError(f"must be from 1 to {MATRIX_SIZE}")
    found = rules.words[axis].get(word_key(value))
    if found is None:
        labels = ", ".join(lv.label for lv in rules.levels(axis))
        raise ValueError(f"must be a number 1-{MATRIX_SIZE}, a level ({labels}) or a word such as High/Medium/Low")
    return found


_STATUS_WORDS: dict[str, RiskStatus] = {
    **{text_key(w): RiskStatus.OPEN for w in ("open", "live", "active", "current", "new")},
    **{text_key(w): RiskStatus.ESCALATED for w in ("escalated", "escalate")},
    **{text_key(w): RiskStatus.TOLERATED for w in ("tolerated", "tolerate", "accepted", "accept")},
    **{text_key(w): RiskStatus.CLOSED for w in ("closed", "close", "archived", "retired")},
}


def parse_status(text: str) -> RiskStatus:
    found = _STATUS_WORDS.get(text_key(text))
    if found is None:
        raise ValueError("must be one of open, escalated, tolerated, closed")
    return found


def parse_category(text: str, rules: RegisterRules) -> str:
    found = rules.category_for(text)
    if found is None:
        raise ValueError(f"is not a known category ({', '.join(c.label for c in rules.categories.values())})")
    return found


# --- what a risk must satisfy --------------------------------------------------------------------------


def risk_problems(
    values: Mapping[str, Any], *, level: RegisterLevel, rules: RegisterRules, today: date
) -> list[FieldProblem]:
    """Rules across a risk's fields (each field's own form is the schema's job)."""
    problems = []
    if values.get("category") is not None and values["category"] not in rules.categories:
        problems.append(FieldProblem("category", f"unknown category {values['category']!r}"))
    for name, (likelihood, impact) in SCORE_PAIRS.items():
        if (values.get(likelihood) is None) != (values.get(impact) is None):
            missing = likelihood if values.get(likelihood) is None else impact
            problems.append(FieldProblem(missing, f"is required when the {name} score's other half is given"))
    identified = values.get("identified_on")
    reviewed = values.get("last_reviewed_on")
    next_review = values.get("next_review_on")
    if identified is not None and identified > today:
        problems.append(FieldProblem("identified_on", "must not be in the future"))
    if reviewed is not None:
        if reviewed > today:
            problems.append(FieldProblem("last_reviewed_on", "must not be in the future"))
        if identified is not None and reviewed < identified:
            problems.append(FieldProblem("last_reviewed_on", "must not be before identified_on"))
    if next_review is not None:
        if reviewed is not None and next_review < reviewed:
            problems.append(FieldProblem("next_review_on", "must not be before last_reviewed_on"))
        elif identified is not None and next_review < identified:
            problems.append(FieldProblem("next_review_on", "must not be before identified_on"))
    if level == RegisterLevel.NATIONAL and values.get("national_reference") is not None:
        problems.append(FieldProblem("national_reference", "applies only to Area and regional registers' risks"))
    return problems


def effective_problems(
    effective_on: date, *, today: date, identified_on: date | None, last_change_on: date | None
) -> list[FieldProblem]:
    """When a change takes effect in the register's history: not in the future, not before the risk was
    identified, and not before its last recorded change (history is kept in order)."""
    problems = []
    if effective_on > today:
        problems.append(FieldProblem("effective_on", "must not be in the future"))
    if identified_on is not None and effective_on < identified_on:
        problems.append(FieldProblem("effective_on", f"must not be before identified_on ({identified_on})"))
    if last_change_on is not None and effective_on < last_change_on:
        problems.append(
            FieldProblem("effective_on", f"must not be before the risk's last recorded change ({last_change_on})")
        )
    return problems


def action_problems(*, status: ActionStatus, completed_on: date | None, today: date) -> list[FieldProblem]:
    problems = []
    if status == ActionStatus.COMPLETED and completed_on is None:
        problems.append(FieldProblem("completed_on", "is required when status is completed"))
    if status != ActionStatus.COMPLETED and completed_on is not None:
        problems.append(FieldProblem("completed_on", "must be empty unless status is completed"))
    if completed_on is not None and completed_on > today:
        problems.append(FieldProblem("completed_on", "must not be in the future"))
    return problems


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any], names: Iterable[str] = RISK_FIELDS
) -> list[str]:
    return [name for name in names if before.get(name) != after.get(name)]


# --- history -------------------------------------------------------------------------------------------


def classify_change(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> frozenset[ChangeKind]:
    """What happened to one risk between two dates, from its state at the first (None: not yet in the
    register) and at the second. Empty when nothing changed."""
    if after is None:
        return frozenset()
    status = RiskStatus(after["status"])
    residual = score(after["residual_likelihood"], after["residual_impact"])
    if before is None:
        kinds = {ChangeKind.NEW}
        if status == RiskStatus.CLOSED:
            kinds.add(ChangeKind.CLOSED)
        if status == RiskStatus.ESCALATED:
            kinds.add(ChangeKind.ESCALATED)
        return frozenset(kinds)
    was = RiskStatus(before["status"])
    previous = score(before["residual_likelihood"], before["residual_impact"])
    kinds = set()
    if status == RiskStatus.CLOSED and was != RiskStatus.CLOSED:
        kinds.add(ChangeKind.CLOSED)
    if was == RiskStatus.CLOSED and status != RiskStatus.CLOSED:
        kinds.add(ChangeKind.REOPENED)
    if status == RiskStatus.ESCALATED and was != RiskStatus.ESCALATED:
        kinds.add(ChangeKind.ESCALATED)
    if was == RiskStatus.ESCALATED and status not in (RiskStatus.ESCALATED, RiskStatus.CLOSED):
        kinds.add(ChangeKind.DE_ESCALATED)
    if residual is not None and previous is not None:
        if residual > previous:
            kinds.add(ChangeKind.SCORE_UP)
        elif residual < previous:
            kinds.add(ChangeKind.SCORE_DOWN)
    if not kinds and changed_fields(before, after):
        kinds.add(ChangeKind.UPDATED)
    return frozenset(kinds)
