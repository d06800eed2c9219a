"""Spreadsheet import: an Area's register as they keep it (XLSX or CSV, or JSON rows), all or nothing.

1. Read the file with polars (calamine for XLSX) as text cells (core/tabular.py).
2. Find each field's column: an explicit mapping first, else the header variants in ``HEADERS``.
3. Validate every row (UK and ISO dates, scores as numbers or words per config/risk_matrix.toml, categories
   by code, label or alias), then the rules across fields, against the risk as it would stand after the row.
4. Plan the upsert by reference: created, changed (with the fields) or unchanged. Columns the file does not
   have leave those fields as they are; a blank cell in a column it has clears an optional field.
5. Refuse the whole file if any row has a problem, naming every one by line and column. A dry run stops here.
6. Write with the ORM (so the audit trail records each risk), with a version per created or changed risk and
   one import log entry, in one transaction. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, cast
from uuid import UUID

import polars as pl
from advanced_alchemy.mixins.uuid import uuid7
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator
from sqlalchemy import Table, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from risk_register.audit.models import AuditEvent
from risk_register.audit.recorder import record_changes
from risk_register.core.context import Context
from risk_register.core.errors import Conflict, FieldProblem, RuleViolation
from risk_register.core.tabular import MAX_PROBLEMS, read_table, refuse_if_problems, resolve_columns, validate_rows
from risk_register.registers import rules
from risk_register.registers.enums import Axis, ChangeSource, RiskStatus
from risk_register.registers.models import REFERENCE_LENGTH, Register, RegisterImport, Risk
from risk_register.registers.schemas import REFERENCE_PATTERN, ChangedRow, ImportResult
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
BATCH = 2000
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
TEXT_FIELDS = ("reference", "title", "description", "cause", "effect", "owner", "national_reference")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARDED = (*FORMULA_START, "'")  # the CSV export puts an apostrophe before these


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


# --- one row -------------------------------------------------------------------------------------------


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


Required = BeforeValidator(_required)
Reference = Annotated[str, BeforeValidator(_reference), Required]
OptionalReference = Annotated[str | None, BeforeValidator(_reference)]
Title = Annotated[str, BeforeValidator(_max(200)), Required]
Owner = Annotated[str, BeforeValidator(_max(200)), Required]
LongText = Annotated[str | None, BeforeValidator(_max(2000))]
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


# --- the plan ------------------------------------------------------------------------------------------


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
    created: list[PlannedRow]
    changed: list[PlannedRow]
    unchanged: list[PlannedRow]
    not_in_file: list[str]
    rows: int


async def _existing(session: AsyncSession, register_id: UUID) -> dict[str, dict[str, Any]]:
    columns = [Risk.id, Risk.version, *(getattr(Risk, name) for name in rules.RISK_FIELDS)]
    result = await session.execute(select(*columns).where(Risk.register_id == register_id))
    return {row.reference: dict(row._mapping) for row in result}


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

    parsed, problems = validate_rows(
        frame,
        ImportRow,
        columns,
        prepare=_unescape if file_format == "csv" else None,
        context={"rules": ctx.register_rules},
    )
    header_of = dict(columns)
    existing = await _existing(session, register.id)
    seen: dict[str, int] = {}
    created: list[PlannedRow] = []
    changed: list[PlannedRow] = []
    unchanged: list[PlannedRow] = []
    mapped = [name for name in rules.RISK_FIELDS if name in columns]
    for item in parsed:
        row = item.row.model_dump()
        reference = row["reference"]
        if reference in seen:
            problems.append(
                FieldProblem(header_of["reference"], f"repeats the reference on line {seen[reference]}", row=item.line)
            )
            continue
        seen[reference] = item.line
        stored = existing.get(reference)
        if stored is None:
            values = {name: row[name] if name in columns else None for name in rules.RISK_FIELDS}
            if "status" not in columns:
                values["status"] = RiskStatus.OPEN
            planned = PlannedRow(item.line, values, None, [n for n in rules.RISK_FIELDS if values[n] is not None])
        else:
            values = {name: row[name] if name in columns else stored[name] for name in rules.RISK_FIELDS}
            planned = PlannedRow(item.line, values, stored, rules.changed_fields(stored, values, mapped))
        row_problems = rules.risk_problems(values, level=register.level, rules=ctx.register_rules, today=ctx.today)
        problems.extend(FieldProblem(header_of.get(p.field, p.field), p.reason, row=item.line) for p in row_problems)
        if row_problems:
            continue
        if stored is None:
            created.append(planned)
        elif planned.changed:
            changed.append(planned)
        else:
            unchanged.append(planned)
        if len(problems) >= MAX_PROBLEMS:
            break
    # When each change takes effect: checked for the rows that write something (the history stays in order).
    last_changes = await last_change_dates(session, [p.existing["id"] for p in changed if p.existing is not None])
    for planned in (*created, *changed):
        last = last_changes.get(planned.existing["id"]) if planned.existing is not None else None
        problems.extend(
            FieldProblem(p.field, p.reason, row=planned.line)
            for p in rules.effective_problems(
                effective_on, today=ctx.today, identified_on=planned.values["identified_on"], last_change_on=last
            )
        )
    refuse_if_problems(problems, "The file was refused")
    return Plan(
        columns=columns,
        ignored=[h for h in headers if h not in used],
        created=created,
        changed=changed,
        unchanged=unchanged,
        not_in_file=sorted(set(existing) - set(seen)),
        rows=len(parsed),
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
        created=[p.values["reference"] for p in plan.created],
        changed=[ChangedRow(line=p.line, reference=p.values["reference"], fields=p.changed) for p in plan.changed],
        unchanged=[p.values["reference"] for p in plan.unchanged],
        not_in_file=plan.not_in_file,
        counts={
            "created": len(plan.created),
            "changed": len(plan.changed),
            "unchanged": len(plan.unchanged),
            "not_in_file": len(plan.not_in_file),
        },
    )


def table_of(model: Any) -> Table:
    return cast(Table, model.__table__)


def audit_events_for(records: Sequence[Any]) -> list[dict[str, Any]]:
    """The audit trail's create events for records written in bulk, made by the recorder itself: its
    before-flush listener run over a scratch session holding only these records, so the events are exactly
    those an ORM flush would have recorded (same fields, redaction, actor and request id)."""
    scratch = Session()
    try:
        scratch.add_all(records)
        record_changes(scratch, None, None)
        events = [obj for obj in scratch.new if isinstance(obj, AuditEvent)]
    finally:
        scratch.expunge_all()
        scratch.close()
    columns = [(attr.key, attr.columns[0].name) for attr in sa_inspect(AuditEvent).column_attrs]
    return [{name: getattr(event, key) for key, name in columns} for event in events]


async def insert_created(session: AsyncSession, register: Register, created: Sequence[PlannedRow]) -> list[UUID]:
    """Write new risks in bulk - one multi-row INSERT per batch rather than the ORM's unit of work, which costs
    seconds per 10,000 rows - each with its audit event. Returns their ids, in order."""
    if not created:
        return []
    now = datetime.now(UTC)
    rows = [
        {"id": uuid7(), "register_id": register.id, "version": 1, "created_at": now, "updated_at": now, **p.values}
        for p in created
    ]
    events = audit_events_for([Risk(**row) for row in rows])
    for start in range(0, len(rows), BATCH):
        await session.execute(insert(table_of(Risk)), rows[start : start + BATCH])
    for start in range(0, len(events), BATCH):
        await session.execute(insert(table_of(AuditEvent)), events[start : start + BATCH])
    return [row["id"] for row in rows]


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
        created=len(plan.created),
        changed=len(plan.changed),
        unchanged=len(plan.unchanged),
        effective_on=effective_on,
        imported_by=recorded_by,
        columns={"mapping": plan.columns, "ignored": plan.ignored},
    )
    session.add(log)
    await session.flush()
    versions: list[dict[str, Any]] = []
    created = await insert_created(session, register, plan.created)
    for risk_id, planned in zip(created, plan.created, strict=True):
        versions.append(
            version_row(
                risk_id=risk_id,
                register_id=register.id,
                version_no=1,
                valid_from=effective_on,
                changed=planned.changed,
                source=ChangeSource.IMPORT,
                recorded_by=recorded_by,
                import_id=log.id,
                data=planned.values,
            )
        )
    if plan.changed:
        by_id = {p.existing["id"]: p for p in plan.changed if p.existing is not None}
        ids = list(by_id)
        await close_current_versions(session, ids, effective_on)
        for start in range(0, len(ids), 1000):
            for risk in (await session.scalars(select(Risk).where(Risk.id.in_(ids[start : start + 1000])))).all():
                planned = by_id[risk.id]
                if risk.version != planned.existing["version"]:  # type: ignore[index]
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
    await session.flush()  # the changed risks (audited, version-checked), then every version
    await insert_versions(session, versions)
    return log.id
