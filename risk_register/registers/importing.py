"""Spreadsheet import: an Area's register as they keep it (XLSX or CSV, or JSON rows), all or nothing.

1. Read the file with polars (calamine for XLSX) as text cells (core/tabular.py).
2. Find each field's column: an explicit mapping first, else the header variants in ``HEADERS``.
3. Validate every row (UK and ISO dates, scores as numbers or words per config/risk_matrix.toml, categories
   by code, label or alias) a column at a time (importing_validation.py), then the rules across fields,
   against the risk as it would stand after the row.
4. Plan the upsert by reference, comparing the file with the stored risks in bulk: created, changed (with the
   fields) or unchanged. Columns the file does not have leave those fields as they are; a blank cell in a
   column it has clears an optional field.
5. Refuse the whole file if any row has a problem, naming every one by line and column. A dry run stops here.
6. Write, in one transaction: new risks, their first versions and their audit events in bulk
   (importing_write.py; the events made by audit/recorder.py's ``create_events``, the same the ORM would
   record); changed risks through the ORM (audited and version-checked by it) with a version each; and one
   import log entry. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal, cast
from uuid import UUID

import polars as pl
from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import Table, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import NullType

from risk_register.audit.models import AuditEvent
from risk_register.audit.recorder import create_events, new_ids
from risk_register.core.context import Context
from risk_register.core.errors import Conflict, FieldProblem, RuleViolation
from risk_register.core.tabular import MAX_PROBLEMS, read_table, refuse_if_problems, resolve_columns
from risk_register.registers import rules
from risk_register.registers.enums import ChangeSource, RegisterLevel, RiskStatus
from risk_register.registers.importing_validation import FORMULA_GUARDED as FORMULA_GUARDED
from risk_register.registers.importing_validation import LINE, cells, risk_problem_rows, validate_frame
from risk_register.registers.importing_validation import ImportRow as ImportRow
from risk_register.registers.importing_validation import _unescape as _unescape
from risk_register.registers.importing_write import insert_frame, insert_frame_copying
from risk_register.registers.models import Register, RegisterImport, Risk, RiskVersion
from risk_register.registers.schemas import ChangedRow, ImportResult
from risk_register.registers.services import (
    acting_username,
    close_current_versions,
    insert_versions,
    last_change_dates,
    require_register_write,
    version_row,
)

ImportFormat = Literal["csv", "xlsx", "json"]
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv"
JSON_MEDIA_TYPE = "application/json"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls

# Header variants Area spreadsheets use, per field (matched ignoring case, spaces and punctuation; the field's
# own name always matches). Order matters only within a field: the first variant the file has wins.
HEADERS: dict[str, tuple[str, ...]] = {
    "reference": ("Reference", "Ref", "Risk ID", "Risk ref", "Risk reference", "Risk no", "Risk number", "ID", "No"),
    "title": ("Title", "Risk title", "Risk", "Risk name", "Short title", "Summary"),
    "description": ("Description", "Risk description", "Details", "Detail"),
    "cause": ("Cause", "Causes", "Cause(s)", "Risk cause"),
    "effect": ("Effect", "Effects", "Consequence", "Consequences", "Effect(s)", "Impact description"),
    "category": ("Category", "Risk category", "Risk type", "Type", "Theme"),
    "owner": ("Owner", "Risk owner", "Owned by", "Lead", "Responsible"),
    "inherent_likelihood": (
        "Inherent likelihood",
        "Inherent L",
        "Inherent probability",
        "Gross likelihood",
        "Gross L",
        "Initial likelihood",
        "Pre-mitigation likelihood",
    ),
    "inherent_impact": (
        "Inherent impact",
        "Inherent I",
        "Inherent severity",
        "Gross impact",
        "Gross I",
        "Initial impact",
        "Pre-mitigation impact",
    ),
    "residual_likelihood": (
        "Residual likelihood",
        "Residual L",
        "Residual probability",
        "Current likelihood",
        "Current L",
        "Current probability",
        "Net likelihood",
        "Net L",
        "Likelihood",
        "L",
        "Probability",
        "P",
    ),
    "residual_impact": (
        "Residual impact",
        "Residual I",
        "Residual severity",
        "Current impact",
        "Current I",
        "Current severity",
        "Net impact",
        "Net I",
        "Impact",
        "I",
        "Severity",
    ),
    "target_likelihood": ("Target likelihood", "Target L", "Target probability"),
    "target_impact": ("Target impact", "Target I", "Target severity"),
    "status": ("Status", "Risk status", "State"),
    "identified_on": (
        "Date identified",
        "Identified",
        "Identified on",
        "Date raised",
        "Raised",
        "Date added",
        "Date opened",
        "Date logged",
    ),
    "last_reviewed_on": ("Last reviewed", "Last review", "Last review date", "Date last reviewed", "Reviewed on"),
    "next_review_on": ("Next review", "Next review date", "Review date", "Review due", "Date of next review"),
    "national_reference": (
        "National reference",
        "National ref",
        "National risk ref",
        "National risk reference",
        "National risk ID",
        "National risk",
        "HMPPS ref",
        "HMPPS risk ref",
        "Aligned national risk",
        "Link to national risk",
    ),
}
REQUIRED_COLUMNS = (
    "reference",
    "title",
    "category",
    "owner",
    "residual_likelihood",
    "residual_impact",
    "identified_on",
)


# --- reading -------------------------------------------------------------------------------------------


def detect_format(content: bytes, content_type: str | None, filename: str | None) -> ImportFormat:
    """XLSX by its zip signature (whatever the client called it), JSON rows by content type, CSV otherwise
    when the name or type says so."""
    kind = (content_type or "").split(";")[0].strip().lower()
    name = (filename or "").lower()
    if content.startswith(_OLE_MAGIC) or name.endswith(".xls"):
        raise RuleViolation.of(FieldProblem("file", "is an old .xls workbook: save it as .xlsx or .csv"))
    if content.startswith(_ZIP_MAGIC):
        return "xlsx"
    if kind == JSON_MEDIA_TYPE or kind.endswith("+json"):
        return "json"
    if kind in (XLSX_MEDIA_TYPE,) or name.endswith(".xlsx"):
        raise RuleViolation.of(FieldProblem("file", "could not be read as XLSX: it is not an Excel workbook"))
    if kind in ("text/csv", "application/csv", "text/plain", "application/octet-stream", "") or name.endswith(".csv"):
        return "csv"
    raise RuleViolation.of(
        FieldProblem("Content-Type", f"must be {CSV_MEDIA_TYPE}, {XLSX_MEDIA_TYPE} or {JSON_MEDIA_TYPE}")
    )


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("cells must be text, numbers or null")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def frame_from_json(content: bytes) -> pl.DataFrame:
    """JSON rows - an array of objects whose keys are the column headers - as the same frame of text cells a
    spreadsheet gives."""
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise RuleViolation.of(FieldProblem("file", f"is not valid JSON: {exc}")) from exc
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise RuleViolation.of(FieldProblem("file", "must be a JSON array of objects (one per row, keyed by header)"))
    headers: dict[str, None] = {}
    rows = []
    for line, row in enumerate(data, start=2):
        try:
            rows.append({str(k).strip(): _cell_text(v) for k, v in row.items()})
        except ValueError as exc:
            raise RuleViolation.of(FieldProblem("file", str(exc), row=line)) from exc
        headers.update(dict.fromkeys(rows[-1]))
    if not rows or not headers:
        raise RuleViolation.of(FieldProblem("file", "is empty"))
    frame = pl.DataFrame({h: [row.get(h) for row in rows] for h in headers}, schema=dict.fromkeys(headers, pl.String))
    return frame.with_columns(pl.all().str.strip_chars().replace("", None))


def read_frame(content: bytes, file_format: ImportFormat, sheet: str | None) -> pl.DataFrame:
    frame = frame_from_json(content) if file_format == "json" else read_table(content, file_format, sheet=sheet)
    if frame.height > MAX_IMPORT_ROWS:
        raise RuleViolation.of(FieldProblem("file", f"has {frame.height} rows; at most {MAX_IMPORT_ROWS} at once"))
    return frame


def parse_mapping(items: Sequence[str]) -> tuple[dict[str, str], list[FieldProblem]]:
    """``field=Header`` pairs from the query string."""
    mapping: dict[str, str] = {}
    problems = []
    for item in items:
        name, sep, header = item.partition("=")
        if not sep or not name.strip() or not header.strip():
            problems.append(FieldProblem("mapping", f"{item!r} must be written field=Column header"))
        else:
            mapping[name.strip()] = header.strip()
    return mapping, problems


# --- the plan ------------------------------------------------------------------------------------------

STORED = "__stored"  # suffix of the stored risk's columns beside the file's
CHANGED = "_changed"  # the fields a row sets (new risk) or changes (existing risk)


@dataclass
class PlannedRow:
    line: int
    values: dict[str, Any]  # the risk's data after the row (rules.RISK_FIELDS)
    existing: Mapping[str, Any] | None  # the risk as stored, None when the row creates it
    changed: list[str] = field(default_factory=list)


@dataclass
class Plan:
    columns: dict[str, str]
    ignored: list[str]
    created: pl.DataFrame  # LINE, every rules.RISK_FIELDS column (plain values), CHANGED
    changed: list[PlannedRow]
    unchanged: list[str]
    not_in_file: list[str]
    rows: int


def field_dtypes(register_rules: rules.RegisterRules) -> dict[str, pl.DataType]:
    """The column type of each risk field in the importer's frames (as importing_validation reads them)."""
    readers = cells(register_rules)
    return {name: readers[name].dtype for name in rules.RISK_FIELDS}


@dataclass(frozen=True)
class Stored:
    """A register's risks as stored: ``frame`` holds ROW (the index into ``ids``), version and every field
    as plain values; ``ids`` the risks' ids as the driver returned them (see ``risk_id``)."""

    frame: pl.DataFrame
    ids: list[Any]
    id_type: Any
    dialect: Any

    def risk_id(self, row: int) -> UUID:
        processor = self.id_type._cached_result_processor(self.dialect, None)
        value = self.ids[row]
        return cast(UUID, processor(value) if processor is not None else value)


ROW = "_row"


async def _existing(session: AsyncSession, register_id: UUID, dtypes: Mapping[str, pl.DataType]) -> Stored:
    """The register's risks, read as the driver returns them (no per-value type processing: ten thousand
    stored rows are compared a column at a time in polars); dates arrive as ISO text from SQLite."""
    raw = NullType()
    names = ["id", "version", *rules.RISK_FIELDS]
    statement = select(*(type_coerce(getattr(Risk, name), raw).label(name) for name in names)).where(
        Risk.register_id == register_id
    )
    connection = await session.connection()
    rows = (await connection.execute(statement)).all()
    values = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    data = dict(zip(names, values, strict=True))
    columns = [pl.Series(ROW, range(len(rows)), dtype=pl.Int64), pl.Series("version", data["version"], dtype=pl.Int64)]
    for name in rules.RISK_FIELDS:
        column = pl.Series(name, data[name], strict=False)
        if dtypes[name] == pl.Date and column.dtype == pl.String:
            column = column.str.to_date("%Y-%m-%d")
        columns.append(column.cast(dtypes[name]))
    return Stored(pl.DataFrame(columns), list(data["id"]), table_of(Risk).c.id.type, connection.dialect)


def merge_with_stored(
    valid: pl.DataFrame, stored: pl.DataFrame, mapped: Sequence[str], dtypes: Mapping[str, pl.DataType]
) -> pl.DataFrame:
    """Each valid row as the risk would stand after it: the file's value for every field it has a column for,
    else the stored risk's (a new risk: blank, and open for a missing status). Adds ``_row__stored`` and
    ``version__stored`` (null for a new risk) and CHANGED: the fields a new risk sets, or the fields whose
    value differs from the stored risk's - ``rules.changed_fields`` over the whole frame (a test holds the
    two to the same answer) - comma-joined (``changed_names`` reads them)."""
    renamed = stored.rename({name: f"{name}{STORED}" for name in stored.columns if name != "reference"})
    joined = valid.join(renamed, on="reference", how="left")
    is_new = pl.col(f"{ROW}{STORED}").is_null()
    values = []
    for name in rules.RISK_FIELDS:
        if name in mapped:
            values.append(pl.col(name).cast(dtypes[name]))
        else:
            blank = pl.lit(RiskStatus.OPEN.value if name == "status" else None, dtype=dtypes[name])
            values.append(pl.when(is_new).then(blank).otherwise(pl.col(f"{name}{STORED}")).alias(name))
    joined = joined.with_columns(values)
    sets = [pl.when(pl.col(name).is_not_null()).then(pl.lit(name)) for name in rules.RISK_FIELDS]
    compared = [n for n in rules.RISK_FIELDS if n in mapped and n != "reference"]  # reference: the join key
    changes = [pl.when(pl.col(name).ne_missing(pl.col(f"{name}{STORED}"))).then(pl.lit(name)) for name in compared]
    # Comma-joined names (a list column costs twenty times as much to build); changed_names() splits them.
    new_fields = pl.concat_str(sets, separator=",", ignore_nulls=True)
    changed_fields = pl.concat_str(changes, separator=",", ignore_nulls=True) if changes else pl.lit("")
    return joined.with_columns(pl.when(is_new).then(new_fields).otherwise(changed_fields).alias(CHANGED))


def changed_names(text: str) -> list[str]:
    return text.split(",") if text else []


def risk_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """A merged row's fields as the ORM and the rules take them (status as the enum)."""
    values = {name: row[name] for name in rules.RISK_FIELDS}
    values["status"] = RiskStatus(values["status"])
    return values


def repeated_headers(headers: Sequence[str]) -> dict[str, list[str]]:
    """Headers the file repeats (say "L" and "I" over both the inherent and the current scores), with the
    names polars gives the copies ("L_duplicated_0" from CSV, "L_1" from XLSX)."""
    present = set(headers)
    found: dict[str, list[str]] = {}
    for header in headers:
        match = re.fullmatch(r"(.+?)_(?:duplicated_)?\d+", header)
        if match and match.group(1) in present:
            found.setdefault(match.group(1), [match.group(1)]).append(header)
    return found


def match_columns(
    headers: list[str], mapping: Mapping[str, str], mapping_problems: list[FieldProblem]
) -> dict[str, str]:
    """Each field's column in the file, or a RuleViolation naming every column that could not be matched."""
    columns, problems = resolve_columns(headers, HEADERS, mapping)
    problems = mapping_problems + problems
    claimed = {header for name, header in columns.items() if name in mapping}
    # A column named in the mapping is that field's alone: no other field picks it up by its header variants.
    columns = {name: header for name, header in columns.items() if name in mapping or header not in claimed}
    used: dict[str, str] = {}
    for name, header in columns.items():
        if header in used:
            problems.append(FieldProblem(f"mapping.{name}", f"column {header!r} is already read as {used[header]}"))
        used[header] = name
    repeated = repeated_headers(headers)
    for name, header in columns.items():
        if name not in mapping and header in repeated:
            copies = ", ".join(repr(h) for h in repeated[header])
            problems.append(
                FieldProblem(
                    name,
                    f"column {header!r} appears {len(repeated[header])} times (read as {copies}): "
                    f"say which holds {name} with mapping={name}=<one of them>",
                )
            )
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            tried = ", ".join(HEADERS[name][:4])
            problems.append(
                FieldProblem(name, f"no column found (tried {tried} ...); name it with mapping={name}=<your header>")
            )
    refuse_if_problems(problems, "The file's columns could not be matched")
    return columns


def row_problems(
    merged: pl.DataFrame, header_of: Mapping[str, str], *, level: RegisterLevel, ctx: Context
) -> list[FieldProblem]:
    """``rules.risk_problems`` for every row (in its frame form), by line and the user's header."""
    found = risk_problem_rows(merged, level=level, register_rules=ctx.register_rules, today=ctx.today)
    return [FieldProblem(header_of.get(name, name), reason, row=line) for line, name, reason in found]


def effective_date_problems(
    writing: pl.DataFrame, last_changes: Mapping[int, date], effective_on: date, today: date
) -> list[FieldProblem]:
    """``rules.effective_problems`` for every row that writes something, asked once per distinct pair of
    (identified on, last recorded change); ``last_changes`` by stored row."""
    stored_row = pl.col(f"{ROW}{STORED}")
    last = (
        stored_row.replace_strict(dict(last_changes), default=None, return_dtype=pl.Date)
        if last_changes
        else pl.lit(None, dtype=pl.Date)
    )
    frame = writing.select(LINE, "identified_on", last.alias("_last"))
    answers = {
        (identified, last): rules.effective_problems(
            effective_on, today=today, identified_on=identified, last_change_on=last
        )
        for identified, last in frame.select("identified_on", "_last").unique().iter_rows()
    }
    problems: list[FieldProblem] = []
    if not any(answers.values()):
        return problems  # the usual case: no need to visit ten thousand rows one by one
    for line, identified, last in frame.sort(LINE).iter_rows():
        problems.extend(FieldProblem(p.field, p.reason, row=line) for p in answers[(identified, last)])
    return problems


async def plan_import(
    session: AsyncSession,
    register: Register,
    frame: pl.DataFrame,
    *,
    file_format: ImportFormat,
    mapping: Mapping[str, str],
    mapping_problems: list[FieldProblem],
    effective_on: date,
    ctx: Context,
) -> Plan:
    """Everything the import would do, or a RuleViolation listing every problem in the file."""
    headers = list(frame.columns)
    columns = match_columns(headers, mapping, mapping_problems)
    valid, problems = validate_frame(frame, columns, register_rules=ctx.register_rules, unescape=file_format == "csv")
    header_of = dict(columns)
    dtypes = field_dtypes(ctx.register_rules)
    mapped = [name for name in rules.RISK_FIELDS if name in columns]
    rows_read = valid.height
    # The first line holding a reference is the risk; later lines repeating it are problems.
    valid = valid.with_columns(pl.col(LINE).min().over("reference").alias("_first"))
    repeats = valid.filter(pl.col(LINE) != pl.col("_first")).select(LINE, "_first").iter_rows()
    later = [
        FieldProblem(header_of["reference"], f"repeats the reference on line {first}", row=line)
        for line, first in repeats
    ]
    valid = valid.filter(pl.col(LINE) == pl.col("_first")).drop("_first")
    stored = await _existing(session, register.id, dtypes)
    merged = merge_with_stored(valid, stored.frame, mapped, dtypes)
    broken = row_problems(merged, header_of, level=register.level, ctx=ctx)
    if broken:
        merged = merged.filter(~pl.col(LINE).is_in([p.row for p in broken]))
    later = sorted([*later, *broken], key=lambda p: p.row or 0)
    problems.extend(later[: max(MAX_PROBLEMS - len(problems), 1)] if later else [])
    is_new = pl.col(f"{ROW}{STORED}").is_null()
    created = merged.filter(is_new)
    changed = merged.filter(~is_new & (pl.col(CHANGED) != ""))
    unchanged = merged.filter(~is_new & (pl.col(CHANGED) == ""))
    # When each change takes effect: checked for the rows that write something (the history stays in order).
    changed_ids = {stored.risk_id(row): row for row in changed[f"{ROW}{STORED}"].to_list()}
    last_changes = {
        changed_ids[key]: value for key, value in (await last_change_dates(session, list(changed_ids))).items()
    }
    writing = pl.concat([created, changed]).sort(LINE) if changed.height else created
    problems.extend(effective_date_problems(writing, last_changes, effective_on, ctx.today))
    refuse_if_problems(problems, "The file was refused")
    return Plan(
        columns=columns,
        ignored=[h for h in headers if h not in set(columns.values())],
        created=created.select(LINE, *rules.RISK_FIELDS, CHANGED).sort(LINE),
        changed=[
            PlannedRow(
                row[LINE],
                risk_values(row),
                {"id": stored.risk_id(row[f"{ROW}{STORED}"]), "version": row[f"version{STORED}"]},
                changed_names(row[CHANGED]),
            )
            for row in changed.sort(LINE).iter_rows(named=True)
        ],
        unchanged=unchanged.sort(LINE)["reference"].to_list(),
        not_in_file=sorted(set(stored.frame["reference"].to_list()) - set(merged["reference"].to_list())),
        rows=rows_read,
    )


# --- doing it ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    content: bytes
    content_type: str | None
    filename: str | None
    sheet: str | None
    mapping: list[str]
    dry_run: bool
    effective_on: date | None


async def import_register(session: AsyncSession, register: Register, upload: Upload, ctx: Context) -> ImportResult:
    require_register_write(register)
    effective_on = upload.effective_on or ctx.today
    if effective_on > ctx.today:
        raise RuleViolation.of(FieldProblem("effective_on", "must not be in the future"))
    file_format = detect_format(upload.content, upload.content_type, upload.filename)
    mapping, mapping_problems = parse_mapping(upload.mapping)
    frame = read_frame(upload.content, file_format, upload.sheet)
    plan = await plan_import(
        session,
        register,
        frame,
        file_format=file_format,
        mapping=mapping,
        mapping_problems=mapping_problems,
        effective_on=effective_on,
        ctx=ctx,
    )
    import_id = None
    if not upload.dry_run:
        import_id = await _write(session, register, plan, upload, file_format, effective_on)
    return ImportResult(
        dry_run=upload.dry_run,
        register_id=register.id,
        import_id=import_id,
        file_format=file_format,
        rows=plan.rows,
        effective_on=effective_on,
        columns=plan.columns,
        ignored_columns=plan.ignored,
        created=plan.created["reference"].to_list(),
        changed=[ChangedRow(line=p.line, reference=p.values["reference"], fields=p.changed) for p in plan.changed],
        unchanged=plan.unchanged,
        not_in_file=plan.not_in_file,
        counts={
            "created": plan.created.height,
            "changed": len(plan.changed),
            "unchanged": len(plan.unchanged),
            "not_in_file": len(plan.not_in_file),
        },
    )


def table_of(model: Any) -> Table:
    return cast(Table, model.__table__)


def _json_list(column: str) -> pl.Expr:
    """Comma-joined field names as a JSON list (field names need no escaping)."""
    names = pl.col(column)
    quoted = pl.concat_str(pl.lit('["'), names.str.replace_all(",", '","', literal=True), pl.lit('"]'))
    return pl.when(names == "").then(pl.lit("[]")).otherwise(quoted)


async def insert_created(
    session: AsyncSession,
    register: Register,
    created: pl.DataFrame,
    *,
    effective_on: date,
    recorded_by: str,
    import_id: UUID,
) -> list[str]:
    """Write new risks in bulk (importing_write.py) - each with the audit event the ORM would have recorded
    and its first version - rather than through the ORM's unit of work, which costs seconds per 10,000 rows.
    Returns their ids, in the frame's order."""
    if created.height == 0:
        return []
    now = datetime.now(UTC)
    ids = new_ids(created.height)
    risks = created.select(pl.Series("id", ids, dtype=pl.String), *rules.RISK_FIELDS)
    # The events are made (in polars, which releases the GIL) while the database writes the risks.
    making_events = asyncio.create_task(
        asyncio.to_thread(create_events, Risk, risks, shared={"register_id": register.id})
    )
    try:
        await insert_frame(
            session,
            table_of(Risk),
            risks,
            {"register_id": register.id, "version": 1, "created_at": now, "updated_at": now},
        )
    finally:
        events = await making_events
    await insert_frame(session, table_of(AuditEvent), events.rows, events.shared)
    # Each first version is the row services.version_row makes; only the risk, its data and its fields vary.
    template = version_row(
        risk_id=UUID(int=0),
        register_id=register.id,
        version_no=1,
        valid_from=effective_on,
        changed=[],
        source=ChangeSource.IMPORT,
        recorded_by=recorded_by,
        import_id=import_id,
        data=dict.fromkeys(rules.RISK_FIELDS),
    )
    varying = {"id", "risk_id", "changed", *rules.RISK_FIELDS}
    versions = created.select(
        pl.Series("id", new_ids(created.height), dtype=pl.String),
        pl.Series("risk_id", ids, dtype=pl.String),
        _json_list(CHANGED).alias("changed"),
        *rules.RISK_FIELDS,
    )
    await insert_frame_copying(
        session,
        table_of(RiskVersion),
        versions,
        {k: v for k, v in template.items() if k not in varying},
        source=table_of(Risk),
        key="risk_id",
        copied=rules.RISK_FIELDS,
    )
    return ids


async def _write(
    session: AsyncSession,
    register: Register,
    plan: Plan,
    upload: Upload,
    file_format: ImportFormat,
    effective_on: date,
) -> UUID:
    recorded_by = acting_username()
    log = RegisterImport(
        id=uuid7(),
        register_id=register.id,
        filename=upload.filename,
        file_format=file_format,
        sha256=hashlib.sha256(upload.content).hexdigest(),
        rows=plan.rows,
        created=plan.created.height,
        changed=len(plan.changed),
        unchanged=len(plan.unchanged),
        effective_on=effective_on,
        imported_by=recorded_by,
        columns={"mapping": plan.columns, "ignored": plan.ignored},
    )
    session.add(log)
    await session.flush()
    await insert_created(
        session, register, plan.created, effective_on=effective_on, recorded_by=recorded_by, import_id=log.id
    )
    versions: list[dict[str, Any]] = []
    if plan.changed:
        # The version each changed row was compared with, by risk id: a change row always has one.
        read_version = {p.existing["id"]: p.existing["version"] for p in plan.changed if p.existing is not None}
        by_id = {p.existing["id"]: p for p in plan.changed if p.existing is not None}
        ids = list(by_id)
        await close_current_versions(session, ids, effective_on)
        for start in range(0, len(ids), 1000):
            for risk in (await session.scalars(select(Risk).where(Risk.id.in_(ids[start : start + 1000])))).all():
                planned = by_id[risk.id]
                if risk.version != read_version[risk.id]:
                    raise Conflict(f"Risk {risk.reference} changed while the file was being read: import it again")
                for name in planned.changed:
                    setattr(risk, name, planned.values[name])
                versions.append(
                    version_row(
                        risk_id=risk.id,
                        register_id=register.id,
                        version_no=risk.version + 1,  # what the flush below makes it
                        valid_from=effective_on,
                        changed=planned.changed,
                        source=ChangeSource.IMPORT,
                        recorded_by=recorded_by,
                        import_id=log.id,
                        data=planned.values,
                    )
                )
    await session.flush()  # the changed risks (audited, version-checked), then their versions
    await insert_versions(session, versions)
    return log.id
