"""CSV uploads: legionella monitoring logs and Indicator Tool survey responses, read with core/tabular.py.

Every row is validated and every problem reported by file line (the header is line 1) and by column as the
file spells it; the services write nothing unless the whole file is valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model, field_validator

from risk_register.core.errors import FieldProblem
from risk_register.core.tabular import (
    HEADER_LINE,
    ParsedRow,
    read_table,
    refuse_if_problems,
    resolve_columns,
    validate_rows,
)
from risk_register.hazards.config import StressRules
from risk_register.hazards.enums import OutletKind, Water
from risk_register.hazards.rules import answer_problem, answer_problems
from risk_register.hazards.schemas import ReadingIn

_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WHOLE = re.compile(r"^\d{1,6}$")


def parse_date(text: str) -> date:
    """YYYY-MM-DD or DD/MM/YYYY (UK order: 03/04/2025 is 3 April)."""
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
        if match := _UK_DATE.match(text):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
    except ValueError as exc:
        raise ValueError("is not a real calendar date") from exc
    raise ValueError("must be a date as YYYY-MM-DD or DD/MM/YYYY")


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


KIND_WORDS = {
    "sentinel": OutletKind.SENTINEL,
    "representative": OutletKind.REPRESENTATIVE,
    "rep": OutletKind.REPRESENTATIVE,
    "calorifier": OutletKind.CALORIFIER,
    "cylinder": OutletKind.CALORIFIER,
    "incoming_main": OutletKind.INCOMING_MAIN,
    "incoming_cold_main": OutletKind.INCOMING_MAIN,
    "mains": OutletKind.INCOMING_MAIN,
    "main": OutletKind.INCOMING_MAIN,
}
WATER_WORDS = {
    "hot": Water.HOT,
    "cold": Water.COLD,
    "mixed": Water.MIXED_TMV,
    "tmv": Water.MIXED_TMV,
    "mixed_tmv": Water.MIXED_TMV,
    "tmv_hot_supply": Water.MIXED_TMV,
    "flow": Water.FLOW,
    "return": Water.RETURN,
}

READING_COLUMNS: dict[str, tuple[str, ...]] = {
    "outlet": ("outlet name", "location", "outlet location", "point"),
    "kind": ("outlet type", "type", "outlet kind", "sentinel or representative"),
    "water": ("supply", "hot or cold", "service", "measurement"),
    "taken_on": ("date", "date taken", "reading date", "taken"),
    "temperature_c": ("temperature", "temp", "temp c", "temperature c", "reading", "degrees c"),
    "run_seconds": ("seconds", "run seconds", "time to temperature", "run time", "time s"),
    "taken_by": ("taken by", "engineer", "recorded by", "checked by"),
    "notes": ("comments", "note", "remarks"),
}
READING_REQUIRED = ("outlet", "kind", "water", "taken_on", "temperature_c")


class ReadingCsvRow(BaseModel):
    """One monitoring-log line, from text cells to the same values a JSON reading takes."""

    model_config = ConfigDict(extra="forbid")

    outlet: str
    kind: OutletKind
    water: Water
    taken_on: date
    temperature_c: Decimal
    run_seconds: int | None = None
    taken_by: str | None = None
    notes: str | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        found = KIND_WORDS.get(_words(str(value)))
        if found is None:
            raise ValueError("must be sentinel, representative, calorifier or incoming main")
        return found

    @field_validator("water", mode="before")
    @classmethod
    def _water(cls, value: Any) -> Any:
        found = WATER_WORDS.get(_words(str(value)))
        if found is None:
            raise ValueError("must be hot, cold, mixed/TMV, flow or return")
        return found

    @field_validator("taken_on", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return parse_date(str(value))

    @field_validator("temperature_c", mode="before")
    @classmethod
    def _temperature(cls, value: Any) -> Any:
        text = str(value).strip().removesuffix("C").removesuffix("°").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError("must be a temperature in degrees C, e.g. 52.5") from exc
        if not amount.is_finite() or not Decimal(-10) <= amount <= Decimal(100):
            raise ValueError("must be between -10 and 100 degrees C")
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -1:
            raise ValueError("must have at most 1 decimal place")
        return amount

    @field_validator("run_seconds", mode="before")
    @classmethod
    def _seconds(cls, value: Any) -> Any:
        if value is None:
            return None
        if not _WHOLE.match(str(value)) or int(str(value)) > 3600:
            raise ValueError("must be whole seconds, 0 to 3600")
        return int(str(value))

    @field_validator("outlet", "taken_by", "notes", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if value is None:
            return None
        text = " ".join(str(value).split())
        if len(text) > 200:
            raise ValueError("must be at most 200 characters")
        return text


@dataclass(frozen=True)
class ParsedReading:
    line: int | None  # file line, or None for a JSON reading
    reading: ReadingIn
    columns: dict[str, str]  # field -> the column (or JSON field) name to report problems against


def _missing_columns(
    mapping: dict[str, str], required: tuple[str, ...], aliases: dict[str, tuple[str, ...]]
) -> list[FieldProblem]:
    return [
        FieldProblem(field, f"no column for {field} (expected a header such as {aliases[field][0]!r})", HEADER_LINE)
        for field in required
        if field not in mapping
    ]


def parse_readings_csv(content: str, explicit: dict[str, str] | None) -> tuple[list[ParsedReading], list[FieldProblem]]:
    """Every line of a monitoring log validated. A file that cannot be read, or lacks a column, is refused at
    once; otherwise the valid lines come back with the problems of the others, so the service can add its own
    checks (duplicates, points, dates) and report every problem in the file together."""
    frame = read_table(content.encode("utf-8"), "csv")
    mapping, problems = resolve_columns(frame.columns, READING_COLUMNS, explicit)
    problems += _missing_columns(mapping, READING_REQUIRED, READING_COLUMNS)
    refuse_if_problems(problems, "The monitoring log")
    rows, problems = validate_rows(frame, ReadingCsvRow, mapping)
    return [_to_reading(parsed, mapping) for parsed in rows], problems


def _to_reading(parsed: ParsedRow[ReadingCsvRow], mapping: dict[str, str]) -> ParsedReading:
    row = parsed.row
    reading = ReadingIn.model_construct(
        outlet=row.outlet,
        kind=row.kind,
        water=row.water,
        taken_on=row.taken_on,
        temperature_c=row.temperature_c,
        run_seconds=row.run_seconds,
        taken_by=row.taken_by,
        notes=row.notes,
    )
    return ParsedReading(line=parsed.line, reading=reading, columns=mapping)


def json_readings(readings: list[ReadingIn]) -> list[ParsedReading]:
    return [
        ParsedReading(line=None, reading=r, columns={f: f"readings.{i}.{f}" for f in READING_COLUMNS})
        for i, r in enumerate(readings)
    ]


# --- Indicator Tool survey responses ----------------------------------------------------------------------


def _answer(value: Any, stress: StressRules) -> Any:
    if value is None:
        return None
    text = str(value).strip()
    if not re.fullmatch(r"\d{1,3}", text):
        raise ValueError(f"must be a whole number {stress.answer_min} to {stress.answer_max}, or blank")
    answer = int(text)
    if (reason := answer_problem(answer, stress)) is not None:
        raise ValueError(reason)
    return answer


def survey_row_model(stress: StressRules) -> type[BaseModel]:
    """A row model with one optional field per item, q1..qN, each a whole number in the configured range."""
    fields: dict[str, Any] = {f"q{i}": (int | None, None) for i in range(1, stress.items + 1)}
    validators = {"_answers": field_validator(*fields, mode="before")(lambda cls, v: _answer(v, stress))}
    return create_model("SurveyCsvRow", __config__=ConfigDict(extra="forbid"), __validators__=validators, **fields)


def survey_columns(stress: StressRules) -> dict[str, tuple[str, ...]]:
    return {
        f"q{i}": (str(i), f"q{i:02d}", f"item {i}", f"question {i}", f"item{i}") for i in range(1, stress.items + 1)
    }


@dataclass(frozen=True)
class ParsedRespondent:
    line: int
    answers: dict[int, int | None]


def parse_survey_csv(content: str, stress: StressRules) -> list[ParsedRespondent]:
    """One line per respondent; every answer checked (1..5 or blank), all problems together."""
    aliases = survey_columns(stress)
    frame = read_table(content.encode("utf-8"), "csv")
    mapping, problems = resolve_columns(frame.columns, aliases)
    problems += _missing_columns(mapping, tuple(aliases), aliases)
    refuse_if_problems(problems, "The survey file")
    rows, problems = validate_rows(frame, survey_row_model(stress), mapping)
    respondents = []
    for parsed in rows:
        answers = {i: getattr(parsed.row, f"q{i}") for i in range(1, stress.items + 1)}
        for problem in answer_problems(answers, stress):
            column = mapping.get(problem.field, problem.field)
            problems.append(FieldProblem(column, problem.reason, parsed.line))
        respondents.append(ParsedRespondent(parsed.line, answers))
    if not respondents and not problems:
        problems.append(FieldProblem("csv", "has no responses", HEADER_LINE))
    refuse_if_problems(sorted(problems, key=lambda p: p.row or 0), "The survey file")
    return respondents
