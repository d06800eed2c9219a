"""What each spreadsheet cell may hold, checked a column at a time.

``ImportRow`` says, field by field, what a row's text cells mean (the one definition, used for single rows and
documented by its validators). ``validate_frame`` applies the very same checks to a whole frame at once: each
column's distinct cells are read once by the field's scalar check (the same functions ``ImportRow`` calls, and
through them rules.parse_date / parse_level / parse_status / parse_category), and the answers are mapped back
onto the rows with polars. A 10,000-row register holds a few hundred distinct dates, words and categories, so
this does a fraction of the work of validating row by row; a test holds the two forms to the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import polars as pl
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator

from risk_register.core.errors import FieldProblem
from risk_register.core.tabular import HEADER_LINE, MAX_PROBLEMS
from risk_register.registers import rules
from risk_register.registers.enums import Axis, RegisterLevel, RiskStatus
from risk_register.registers.models import REFERENCE_LENGTH
from risk_register.registers.schemas import REFERENCE_PATTERN

TEXT_FIELDS = ("reference", "title", "description", "cause", "effect", "owner", "national_reference")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARDED = (*FORMULA_START, "'")  # the CSV export puts an apostrophe before these
LINE = "_line"  # the file line of each row (the header is line 1)


# --- one cell ------------------------------------------------------------------------------------------


def _required(value: Any) -> Any:
    if value is None:
        raise ValueError("is required")
    return value


def _reference(value: Any) -> Any:
    if value is None:
        return None
    text = str(value)
    if len(text) > REFERENCE_LENGTH:
        raise ValueError(f"must be at most {REFERENCE_LENGTH} characters")
    if not re.fullmatch(REFERENCE_PATTERN, text):
        raise ValueError("must start with a letter or digit and hold only letters, digits, spaces and . _ / -")
    return text


def _date(value: Any) -> Any:
    return None if value is None else rules.parse_date(str(value))


def _status(value: Any) -> Any:
    return RiskStatus.OPEN if value is None else rules.parse_status(str(value))


def _max(length: int) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is not None and len(str(value)) > length:
            raise ValueError(f"must be at most {length} characters")
        return value

    return check


TITLE_LENGTH = 200
TEXT_LENGTH = 2000
Required = BeforeValidator(_required)
Reference = Annotated[str, BeforeValidator(_reference), Required]
OptionalReference = Annotated[str | None, BeforeValidator(_reference)]
Title = Annotated[str, BeforeValidator(_max(TITLE_LENGTH)), Required]
Owner = Annotated[str, BeforeValidator(_max(TITLE_LENGTH)), Required]
LongText = Annotated[str | None, BeforeValidator(_max(TEXT_LENGTH))]
Day = Annotated[date, BeforeValidator(_date), Required]
OptionalDay = Annotated[date | None, BeforeValidator(_date)]


class ImportRow(BaseModel):
    """One spreadsheet row: every cell is text as typed; each field says what it accepts. Validated with
    ``context={"rules": RegisterRules}``."""

    model_config = ConfigDict(extra="forbid")

    reference: Reference
    title: Title
    description: LongText = None
    cause: LongText = None
    effect: LongText = None
    category: str
    owner: Owner
    inherent_likelihood: int | None = None
    inherent_impact: int | None = None
    residual_likelihood: int
    residual_impact: int
    target_likelihood: int | None = None
    target_impact: int | None = None
    status: Annotated[RiskStatus, BeforeValidator(_status)] = RiskStatus.OPEN
    identified_on: Day
    last_reviewed_on: OptionalDay = None
    next_review_on: OptionalDay = None
    national_reference: OptionalReference = None

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any, info: ValidationInfo) -> Any:
        return rules.parse_category(str(_required(value)), _rules(info))

    @field_validator("inherent_likelihood", "residual_likelihood", "target_likelihood", mode="before")
    @classmethod
    def _likelihood(cls, value: Any, info: ValidationInfo) -> Any:
        return _level(value, Axis.LIKELIHOOD, info)

    @field_validator("inherent_impact", "residual_impact", "target_impact", mode="before")
    @classmethod
    def _impact(cls, value: Any, info: ValidationInfo) -> Any:
        return _level(value, Axis.IMPACT, info)


def _level(value: Any, axis: Axis, info: ValidationInfo) -> Any:
    if value is None:
        if info.field_name and info.field_name.startswith("residual_"):
            raise ValueError("is required")
        return None
    return rules.parse_level(str(value), axis, _rules(info))


def _rules(info: ValidationInfo) -> rules.RegisterRules:
    found = (info.context or {}).get("rules")
    if not isinstance(found, rules.RegisterRules):  # pragma: no cover - a programming error, not bad input
        raise TypeError("ImportRow needs context={'rules': RegisterRules}")
    return found


def _unescape(values: dict[str, Any]) -> dict[str, Any]:
    """Undo the export's guard against spreadsheet formulas: a CSV cell written as '=... reads as =..."""
    for name in TEXT_FIELDS:
        text = values.get(name)
        if isinstance(text, str) and len(text) > 1 and text[0] == "'" and text[1] in FORMULA_GUARDED:
            values[name] = text[1:]
    return values


# --- a column at a time --------------------------------------------------------------------------------

FIELDS: tuple[str, ...] = tuple(ImportRow.model_fields)
REQUIRED_FIELDS = frozenset(name for name, info in ImportRow.model_fields.items() if info.is_required())


@dataclass(frozen=True)
class Cell:
    """How one field reads a non-blank cell (the check ``ImportRow`` applies), and the column type it gives;
    ``same`` when the check passes the text through unchanged."""

    read: Callable[[str], Any]
    dtype: pl.DataType
    same: bool = False


def cells(register_rules: rules.RegisterRules) -> dict[str, Cell]:
    def level(axis: Axis) -> Callable[[str], Any]:
        return lambda text: rules.parse_level(text, axis, register_rules)

    text = {
        "reference": _reference,
        "title": _max(TITLE_LENGTH),
        "owner": _max(TITLE_LENGTH),
        "description": _max(TEXT_LENGTH),
        "cause": _max(TEXT_LENGTH),
        "effect": _max(TEXT_LENGTH),
        "national_reference": _reference,
    }
    found: dict[str, Cell] = {name: Cell(check, pl.String(), same=True) for name, check in text.items()}
    found["category"] = Cell(lambda value: rules.parse_category(value, register_rules), pl.String())
    found["status"] = Cell(lambda value: _status(value).value, pl.String())
    for prefix in ("inherent", "residual", "target"):
        found[f"{prefix}_likelihood"] = Cell(level(Axis.LIKELIHOOD), pl.Int64())
        found[f"{prefix}_impact"] = Cell(level(Axis.IMPACT), pl.Int64())
    for name in rules.DATE_FIELDS:
        found[name] = Cell(_date, pl.Date())
    assert set(found) == set(FIELDS), "every ImportRow field needs a column reader"
    return found


def _unescape_column(column: pl.Series) -> pl.Series:
    """``_unescape`` over one text column: only cells starting with an apostrophe can change."""
    candidates = column.filter(column.str.starts_with("'")).unique().to_list()
    if not candidates:
        return column
    name = column.name
    fixed = [_unescape({name: text})[name] for text in candidates]
    return column.replace(candidates, fixed)


def _read_column(column: pl.Series, cell: Cell, required: bool) -> tuple[pl.Series, dict[str, str]]:
    """The column read as the field's type, and the reason each bad distinct cell was refused."""
    good: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for text in column.drop_nulls().unique().to_list():
        try:
            good[text] = cell.read(text)
        except ValueError as exc:
            bad[text] = str(exc)
    if cell.same:
        typed = column
    else:
        typed = column.replace_strict(list(good), list(good.values()), default=None, return_dtype=cell.dtype)
    if not required and column.name == "status":
        typed = typed.fill_null(RiskStatus.OPEN.value)
    return typed, bad


def validate_frame(
    frame: pl.DataFrame,
    columns: Mapping[str, str],
    *,
    register_rules: rules.RegisterRules,
    unescape: bool = False,
) -> tuple[pl.DataFrame, list[FieldProblem]]:
    """Every row of ``frame`` (text cells, as core/tabular.py reads them) checked as ``ImportRow`` checks one.

    ``columns`` maps each field to the header holding it. Returns the valid rows - a ``_line`` column and one
    typed column per mapped field (dates as dates, scores as integers, categories and statuses as codes) -
    and every problem, by line and the user's header, in the order ``core.tabular.validate_rows`` gives them
    (line, then field), stopping after ``MAX_PROBLEMS`` as it does. Blank lines are skipped."""
    fields = [name for name in FIELDS if name in columns]
    data = frame.select(
        pl.int_range(HEADER_LINE + 1, HEADER_LINE + 1 + frame.height, dtype=pl.Int64).alias(LINE),
        *(pl.col(columns[name]).cast(pl.String).alias(name) for name in fields),
    )
    if fields:
        data = data.filter(pl.any_horizontal(pl.col(name).is_not_null() for name in fields))
    if unescape:
        data = data.with_columns(_unescape_column(data[name]) for name in TEXT_FIELDS if name in fields)
    readers = cells(register_rules)
    typed: list[pl.Series] = []
    found: list[tuple[int, int, str, str]] = []  # line, field order, field, reason
    for order, name in enumerate(fields):
        column = data[name]
        required = name in REQUIRED_FIELDS
        values, bad = _read_column(column, readers[name], required)
        typed.append(values)
        if required:
            found.extend((line, order, name, "is required") for line in data.filter(column.is_null())[LINE])
        if bad:
            rows = data.select(LINE, name).filter(column.is_in(list(bad)))
            found.extend((line, order, name, bad[text]) for line, text in rows.iter_rows())
    # ImportRow's defaults for the fields the file has no column for are not the frame's business: the plan
    # decides (a new risk's missing status reads as open; an existing risk keeps what it has).
    found.sort()
    problems: list[FieldProblem] = []
    stop_at: int | None = None
    for index, (line, _order, name, reason) in enumerate(found):
        problems.append(FieldProblem(columns.get(name, name), reason, row=line))
        last_of_line = index + 1 == len(found) or found[index + 1][0] != line
        if last_of_line and len(problems) >= MAX_PROBLEMS:
            problems.append(FieldProblem("file", f"stopped after {MAX_PROBLEMS} problems", row=line))
            stop_at = line
            break
    bad_lines = {line for line, *_ in found}
    valid = data.select(LINE).with_columns(typed)
    if bad_lines:
        valid = valid.filter(~pl.col(LINE).is_in(list(bad_lines)))
    if stop_at is not None:
        valid = valid.filter(pl.col(LINE) < stop_at)
    return valid, problems


# --- rules across a row's fields, a frame at a time ----------------------------------------------------


def risk_problem_rows(
    frame: pl.DataFrame, *, level: RegisterLevel, register_rules: rules.RegisterRules, today: date
) -> list[tuple[int, str, str]]:
    """``rules.risk_problems`` for every row of ``frame`` (LINE and every rules.RISK_FIELDS column, plain
    values) at once: (line, field, reason), in the order the scalar rule gives them row by row. The scalar
    rule is the definition; tests/unit/test_registers_import_frames.py holds this form to the same answers."""
    category, identified = pl.col("category"), pl.col("identified_on")
    reviewed, next_review = pl.col("last_reviewed_on"), pl.col("next_review_on")
    checks: list[tuple[str, pl.Expr, str | Callable[[Any], str]]] = [
        (
            "category",
            category.is_not_null() & ~category.is_in(list(register_rules.categories)),
            lambda value: f"unknown category {value!r}",
        )
    ]
    for name, (likelihood, impact) in rules.SCORE_PAIRS.items():
        reason = f"is required when the {name} score's other half is given"
        half = pl.col(likelihood).is_null() != pl.col(impact).is_null()
        checks.append((likelihood, half & pl.col(likelihood).is_null(), reason))
        checks.append((impact, half & pl.col(likelihood).is_not_null(), reason))
    future = "must not be in the future"
    checks += [
        ("identified_on", identified.is_not_null() & (identified > today), future),
        ("last_reviewed_on", reviewed.is_not_null() & (reviewed > today), future),
        (
            "last_reviewed_on",
            reviewed.is_not_null() & identified.is_not_null() & (reviewed < identified),
            "must not be before identified_on",
        ),
        (
            "next_review_on",
            next_review.is_not_null() & reviewed.is_not_null() & (next_review < reviewed),
            "must not be before last_reviewed_on",
        ),
        (
            "next_review_on",
            next_review.is_not_null()
            & ~(reviewed.is_not_null() & (next_review < reviewed))
            & identified.is_not_null()
            & (next_review < identified),
            "must not be before identified_on",
        ),
    ]
    if level == RegisterLevel.NATIONAL:
        checks.append(
            (
                "national_reference",
                pl.col("national_reference").is_not_null(),
                "applies only to Area and regional registers' risks",
            )
        )
    flags = frame.select(condition.fill_null(False).alias(f"_{i}") for i, (_, condition, _) in enumerate(checks))
    found: list[tuple[int, int, str, str]] = []
    for index, (name, _condition, why) in enumerate(checks):
        hits = frame.filter(flags[f"_{index}"])
        for line, value in hits.select(LINE, name).iter_rows():
            found.append((line, index, name, why if isinstance(why, str) else why(value)))
    found.sort()
    return [(line, name, reason) for line, _index, name, reason in found]
