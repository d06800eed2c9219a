"""Spreadsheet uploads (CSV or XLSX) read with polars and validated row by row, all or nothing.

Every cell arrives as text, exactly as the user typed it; a pydantic row model decides what it means. All
problems in the file are collected, each naming the file line (the header is line 1) and the column as the
user's header spells it, so one upload shows every mistake at once.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import polars as pl
from pydantic import BaseModel, ValidationError

from risk_register.core.errors import FieldProblem, RuleViolation

TableFormat = Literal["csv", "xlsx"]
Row = TypeVar("Row", bound=BaseModel)
HEADER_LINE = 1
MAX_PROBLEMS = 1000


def format_of(filename: str | None, content_type: str | None) -> TableFormat:
    name = (filename or "").lower()
    kind = (content_type or "").lower()
    if name.endswith(".xlsx") or "spreadsheetml" in kind:
        return "xlsx"
    if name.endswith(".csv") or "csv" in kind or "text/plain" in kind:
        return "csv"
    raise RuleViolation.of(FieldProblem("file", "must be a .csv or .xlsx file"))


def read_table(content: bytes, table_format: TableFormat, *, sheet: str | None = None) -> pl.DataFrame:
    """The first sheet (or ``sheet``) / the CSV as a frame of strings, header names stripped; empty cells are
    None. Unreadable files are a 422 on ``file``."""
    if not content.strip():
        raise RuleViolation.of(FieldProblem("file", "is empty"))
    try:
        if table_format == "csv":
            frame = pl.read_csv(
                io.BytesIO(content), infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=False
            )
        else:
            frame = (
                pl.read_excel(io.BytesIO(content), sheet_name=sheet, engine="calamine", infer_schema_length=0)
                if sheet
                else pl.read_excel(io.BytesIO(content), engine="calamine", infer_schema_length=0)
            )
    except Exception as exc:  # polars and fastexcel raise many types for a malformed file
        raise RuleViolation.of(FieldProblem("file", f"could not be read as {table_format.upper()}: {exc}")) from exc
    frame = frame.rename({c: c.strip() for c in frame.columns})
    frame = frame.with_columns(pl.all().cast(pl.String).str.strip_chars().replace("", None))
    return frame


def resolve_columns(
    headers: Sequence[str], aliases: Mapping[str, Sequence[str]], explicit: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[FieldProblem]]:
    """Map each field to the header that holds it: an explicit mapping (field -> header) first, else the first
    header matching one of the field's aliases (case, spaces, dots and underscores ignored)."""

    def key(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    by_key = {key(h): h for h in headers}
    mapping: dict[str, str] = {}
    problems: list[FieldProblem] = []
    for field, header in (explicit or {}).items():
        if field not in aliases:
            problems.append(FieldProblem(f"mapping.{field}", "is not a column this import takes"))
        elif header not in headers:
            problems.append(FieldProblem(f"mapping.{field}", f"names a column the file does not have: {header!r}"))
        else:
            mapping[field] = header
    for field, names in aliases.items():
        if field in mapping:
            continue
        for name in (field, *names):
            if key(name) in by_key:
                mapping[field] = by_key[key(name)]
                break
    return mapping, problems


@dataclass(frozen=True)
class ParsedRow(Generic[Row]):
    line: int
    row: Row


def validate_rows(
    frame: pl.DataFrame,
    model: type[Row],
    mapping: Mapping[str, str],
    *,
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    context: dict[str, Any] | None = None,
) -> tuple[list[ParsedRow[Row]], list[FieldProblem]]:
    """Validate every row; problems name the line and the user's column header."""
    header_of = dict(mapping)
    rows: list[ParsedRow[Row]] = []
    problems: list[FieldProblem] = []
    for index, record in enumerate(frame.iter_rows(named=True)):
        line = HEADER_LINE + 1 + index
        values = {field: record.get(header) for field, header in mapping.items()}
        if all(v is None for v in values.values()):
            continue  # a blank line between rows is not an error
        if prepare is not None:
            values = prepare(values)
        try:
            rows.append(ParsedRow(line, model.model_validate(values, context=context)))
        except ValidationError as exc:
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else "row"
                problems.append(
                    FieldProblem(header_of.get(field, field), error["msg"].removeprefix("Value error, "), row=line)
                )
        if len(problems) >= MAX_PROBLEMS:
            problems.append(FieldProblem("file", f"stopped after {MAX_PROBLEMS} problems", row=line))
            break
    return rows, problems


def refuse_if_problems(problems: list[FieldProblem], what: str) -> None:
    if problems:
        lines = sorted({p.row for p in problems if p.row is not None})
        raise RuleViolation(
            f"{what}: {len(problems)} problem(s) on {len(lines)} line(s); nothing was imported", problems
        )
