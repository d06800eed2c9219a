"""The importer's frame forms agree with the scalar rules they stand for: cells checked a column at a time give
the rows and problems ``ImportRow`` gives row by row; the frame form of ``rules.risk_problems`` and the bulk
comparison with stored risks give the scalar rules' answers; bulk audit events are the listener's events."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from risk_register.audit.models import AuditEvent
from risk_register.audit.recorder import audited_fields, create_events, record_changes
from risk_register.core.request_context import current_principal, current_request_id
from risk_register.core.tabular import validate_rows
from risk_register.registers import rules
from risk_register.registers.enums import RegisterLevel, RiskStatus
from risk_register.registers.importing import (
    REQUIRED_COLUMNS,
    STORED,
    changed_names,
    field_dtypes,
    merge_with_stored,
)
from risk_register.registers.importing_validation import (
    FIELDS,
    LINE,
    ImportRow,
    _unescape,
    risk_problem_rows,
    validate_frame,
)
from risk_register.registers.models import Risk
from risk_register.settings import PROJECT_ROOT
from tests.conftest import TODAY

RULES = rules.load_register_rules(PROJECT_ROOT / "config")
DTYPES = field_dtypes(RULES)

# Cells as people type them: good and bad, per field (None: a blank cell).
DATES = ["01/02/2025", "1/2/2025", "2025-02-01", "2025-02-01 00:00:00", "31/02/2025", "01/02/25", "soon", "02.03.2024"]
LEVELS = ["1", "3", "5", "5.0", "0", "7", "High", "very low", "Almost certain", "Huge", "Sometimes"]
CELLS: dict[str, list[str | None]] = {
    "reference": [None, "R1", "R2", "R 3", "R1", "'=R4", "-R5", "R 2!", "x" * 33],
    "title": [None, "A risk", "=1+1", "'=1+1", "x" * 200, "x" * 201],
    "description": [None, "Text", "x" * 2001, "'@x"],
    "cause": [None, "Cause"],
    "effect": [None, "Effect"],
    "category": [None, "Estates", "H&S", "health-and-safety", "ICT", "Weather"],
    "owner": [None, "Owner", "o" * 201],
    "status": [None, "Open", "closed", "Escalated", "accepted", "Pending"],
    "identified_on": [None, *DATES],
    "last_reviewed_on": [None, *DATES],
    "next_review_on": [None, *DATES],
    "national_reference": [None, "NR-01", "bad ref!"],
    **{name: [None, *LEVELS] for name in FIELDS if name.endswith(("_likelihood", "_impact"))},
}
HEADER = {name: f"Col {name}" for name in FIELDS}  # the user's headers


@st.composite
def sheets(draw: st.DrawFn) -> tuple[pl.DataFrame, dict[str, str]]:
    # The importer refuses a file missing a required column before it reads a row.
    optional = draw(st.lists(st.sampled_from([f for f in FIELDS if f not in REQUIRED_COLUMNS]), unique=True))
    fields = [f for f in FIELDS if f in REQUIRED_COLUMNS or f in optional]
    height = draw(st.integers(1, 8))
    columns = {name: HEADER[name] for name in fields}
    data = {
        columns[name]: draw(st.lists(st.sampled_from(CELLS[name]), min_size=height, max_size=height)) for name in fields
    }
    return pl.DataFrame(data, schema=dict.fromkeys(data, pl.String)), columns


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, RiskStatus) else value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets(), st.booleans())
def test_checking_a_column_at_a_time_agrees_with_import_row(
    sheet: tuple[pl.DataFrame, dict[str, str]], csv: bool
) -> None:
    frame, columns = sheet
    parsed, expected = validate_rows(
        frame, ImportRow, columns, prepare=_unescape if csv else None, context={"rules": RULES}
    )
    valid, problems = validate_frame(frame, columns, register_rules=RULES, unescape=csv)
    assert [(p.row, p.field, p.reason) for p in problems] == [(p.row, p.field, p.reason) for p in expected]
    assert valid[LINE].to_list() == [item.line for item in parsed]
    for row, item in zip(valid.iter_rows(named=True), parsed, strict=True):
        dumped = item.row.model_dump()
        assert {name: row[name] for name in columns} == {name: _plain(dumped[name]) for name in columns}


def test_the_problem_list_stops_where_validate_rows_stops() -> None:
    headers = {name: HEADER[name] for name in REQUIRED_COLUMNS}
    frame = pl.DataFrame(
        {header: ["bad ref!"] * 600 for header in headers.values()}, schema=dict.fromkeys(headers.values(), pl.String)
    )
    columns = headers
    _, expected = validate_rows(frame, ImportRow, columns, context={"rules": RULES})
    valid, problems = validate_frame(frame, columns, register_rules=RULES)
    assert [(p.row, p.field, p.reason) for p in problems] == [(p.row, p.field, p.reason) for p in expected]
    assert valid.height == 0


DAYS = st.one_of(st.none(), st.integers(-400, 30).map(lambda n: TODAY + timedelta(days=n)))
LEVEL = st.one_of(st.none(), st.integers(1, 5))


@st.composite
def risks(draw: st.DrawFn) -> dict[str, Any]:
    values: dict[str, Any] = {
        "reference": draw(st.sampled_from(["R1", "R2", "R3"])),
        "title": "t",
        "description": draw(st.sampled_from([None, "d"])),
        "cause": None,
        "effect": None,
        "category": draw(st.sampled_from([*RULES.categories, "retired-category", "it's"])),
        "owner": "o",
        "status": draw(st.sampled_from([s.value for s in RiskStatus])),
        "national_reference": draw(st.sampled_from([None, "NR-01"])),
    }
    for name in ("inherent", "residual", "target"):
        likelihood, impact = rules.SCORE_PAIRS[name]
        values[likelihood], values[impact] = draw(LEVEL), draw(LEVEL)
    for name in rules.DATE_FIELDS:
        values[name] = draw(DAYS)
    return values


@settings(max_examples=300, deadline=None)
@given(st.lists(risks(), min_size=1, max_size=6), st.sampled_from(list(RegisterLevel)))
def test_the_frame_form_of_risk_problems_agrees_with_the_rule(rows: list[dict[str, Any]], level: RegisterLevel) -> None:
    frame = pl.DataFrame(
        [{LINE: line, **row} for line, row in enumerate(rows, start=2)],
        schema={LINE: pl.Int64, **DTYPES},
    )
    expected = [
        (line, p.field, p.reason)
        for line, row in enumerate(rows, start=2)
        for p in rules.risk_problems(row, level=level, rules=RULES, today=TODAY)
    ]
    assert risk_problem_rows(frame, level=level, register_rules=RULES, today=TODAY) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(risks(), min_size=1, max_size=3, unique_by=lambda r: r["reference"]),
    st.lists(risks(), min_size=0, max_size=3, unique_by=lambda r: r["reference"]),
    st.lists(st.sampled_from(rules.RISK_FIELDS[1:]), unique=True),
)
def test_the_bulk_comparison_agrees_with_changed_fields(
    rows: list[dict[str, Any]], stored_rows: list[dict[str, Any]], mapped_extra: list[str]
) -> None:
    mapped = ["reference", *mapped_extra]
    valid = pl.DataFrame(
        [{LINE: line, **{name: row[name] for name in mapped}} for line, row in enumerate(rows, start=2)],
        schema={LINE: pl.Int64, **{name: DTYPES[name] for name in mapped}},
    )
    stored = pl.DataFrame(
        [{"_row": index, "version": 1, **row} for index, row in enumerate(stored_rows)],
        schema={"_row": pl.Int64, "version": pl.Int64, **DTYPES},
    )
    merged = merge_with_stored(valid, stored, mapped, DTYPES)
    by_reference = {row["reference"]: row for row in stored_rows}
    for row, out in zip(rows, merged.sort(LINE).iter_rows(named=True), strict=True):
        before = by_reference.get(row["reference"])
        if before is None:
            after = {name: row[name] if name in mapped else None for name in rules.RISK_FIELDS}
            if "status" not in mapped:
                after["status"] = RiskStatus.OPEN.value
            assert out[f"_row{STORED}"] is None
            assert changed_names(out["_changed"]) == [name for name in rules.RISK_FIELDS if after[name] is not None]
        else:
            after = {name: row[name] if name in mapped else before[name] for name in rules.RISK_FIELDS}
            assert changed_names(out["_changed"]) == rules.changed_fields(
                before, after, [n for n in rules.RISK_FIELDS if n in mapped]
            )
        assert {name: out[name] for name in rules.RISK_FIELDS} == after


@pytest.mark.parametrize("register_id", [UUID("01234567-89ab-7def-8123-456789abcdef")])
def test_bulk_create_events_are_the_listeners_events(register_id: UUID) -> None:
    from risk_register.accounts.roles import Principal, Role

    principal = Principal(UUID(int=7), "someone", Role.ADMIN, None, UUID(int=8))
    tokens = (current_principal.set(principal), current_request_id.set("req-1"))
    try:
        values = [
            {
                **dict.fromkeys(rules.RISK_FIELDS),
                "reference": f"R{i}",
                "title": 'It\'s "quoted" and ünïcode\n',
                "category": "estates",
                "owner": "o",
                "residual_likelihood": 2,
                "residual_impact": 3,
                "status": RiskStatus.ESCALATED,
                "identified_on": date(2025, 1, 2),
                "next_review_on": None if i else date(2025, 9, 1),
            }
            for i in range(3)
        ]
        ids = [UUID(int=100 + i) for i in range(3)]
        scratch = Session()
        objects = [
            Risk(id=risk_id, register_id=register_id, version=1, **row)
            for risk_id, row in zip(ids, values, strict=True)
        ]
        scratch.add_all(objects)
        record_changes(scratch, None, None)
        expected = {e.entity_id: e for e in scratch.new if isinstance(e, AuditEvent)}
        scratch.expunge_all()
        frame = pl.DataFrame(
            [
                {"id": str(risk_id), **row, "status": row["status"].value}
                for risk_id, row in zip(ids, values, strict=True)
            ],
            schema={"id": pl.String, **DTYPES},
        )
        bulk = create_events(Risk, frame, shared={"register_id": register_id})
    finally:
        current_request_id.reset(tokens[1])
        current_principal.reset(tokens[0])
    assert set(bulk.rows.columns) == {"id", "entity_id", "changes"}
    assert len(set(bulk.rows["id"].to_list())) == 3
    for entity_id, changes in bulk.rows.select("entity_id", "changes").iter_rows():
        event = expected[entity_id]
        assert json.loads(changes) == event.changes
        assert list(json.loads(changes)) == audited_fields(Risk)
        for name in ("actor_id", "actor_username", "entity_type", "action", "request_id"):
            assert bulk.shared[name] == getattr(event, name), name
