"""The importer's and exporter's pure parts: formats, header variants, cells, formula guards. No database."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk_register.core.errors import RuleViolation
from risk_register.core.tabular import read_table, resolve_columns, validate_rows
from risk_register.registers.enums import RiskStatus
from risk_register.registers.exporting import COLUMNS, RegisterInfo, export_rows, to_csv, to_xlsx
from risk_register.registers.importing import (
    HEADERS,
    REQUIRED_COLUMNS,
    XLSX_MEDIA_TYPE,
    ImportRow,
    _unescape,
    detect_format,
    frame_from_json,
    parse_mapping,
)
from risk_register.registers.rules import RISK_FIELDS, load_register_rules, text_key
from risk_register.settings import PROJECT_ROOT
from tests.conftest import TODAY

RULES = load_register_rules(PROJECT_ROOT / "config")


def test_every_field_has_header_variants_and_no_variant_names_two_fields() -> None:
    assert set(HEADERS) == set(RISK_FIELDS)
    assert set(REQUIRED_COLUMNS) <= set(HEADERS)
    owner: dict[str, str] = {}
    for field, variants in HEADERS.items():
        for name in (field, *variants):
            assert owner.setdefault(text_key(name), field) == field, f"{name!r} names {owner[text_key(name)]} too"


@pytest.mark.parametrize(
    ("headers", "field", "expected"),
    [
        (["Ref", "Title"], "reference", "Ref"),
        (["Risk ID"], "reference", "Risk ID"),
        (["ID"], "reference", "ID"),
        (["Likelihood"], "residual_likelihood", "Likelihood"),
        (["L"], "residual_likelihood", "L"),
        (["Probability"], "residual_likelihood", "Probability"),
        (["Current Likelihood"], "residual_likelihood", "Current Likelihood"),
        (["residual_likelihood"], "residual_likelihood", "residual_likelihood"),
        (["Current I"], "residual_impact", "Current I"),
        (["Inherent L", "Current L"], "inherent_likelihood", "Inherent L"),
        (["Inherent L", "Current L"], "residual_likelihood", "Current L"),
        (["date raised"], "identified_on", "date raised"),
        (["Review Date"], "next_review_on", "Review Date"),
        (["HMPPS ref"], "national_reference", "HMPPS ref"),
    ],
)
def test_header_variants(headers: list[str], field: str, expected: str) -> None:
    mapping, problems = resolve_columns(headers, HEADERS)
    assert problems == []
    assert mapping[field] == expected


@pytest.mark.parametrize(
    ("content", "content_type", "filename", "expected"),
    [
        (b"PK\x03\x04...", None, None, "xlsx"),
        (b"PK\x03\x04...", "text/csv", "register.csv", "xlsx"),  # the bytes decide
        (b"Ref,Title", "text/csv", None, "csv"),
        (b"Ref,Title", "text/csv; charset=utf-8", None, "csv"),
        (b"Ref,Title", None, "register.csv", "csv"),
        (b"Ref,Title", "application/octet-stream", None, "csv"),
        (b"[]", "application/json", None, "json"),
    ],
)
def test_formats(content: bytes, content_type: str | None, filename: str | None, expected: str) -> None:
    assert detect_format(content, content_type, filename) == expected


@pytest.mark.parametrize(
    ("content", "content_type", "filename", "field"),
    [
        (b"\xd0\xcf\x11\xe0", None, None, "file"),
        (b"Ref", None, "old.xls", "file"),
        (b"not a zip", XLSX_MEDIA_TYPE, None, "file"),
        (b"GIF89a", "image/gif", None, "Content-Type"),
    ],
)
def test_formats_refused(content: bytes, content_type: str | None, filename: str | None, field: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        detect_format(content, content_type, filename)
    assert [p.field for p in caught.value.problems] == [field]


def test_json_rows_become_text_cells() -> None:
    frame = frame_from_json(b'[{"Ref": "A", "L": 3, "I": 2.0, "Note": null}, {"Ref": " B ", "Extra": ""}]')
    assert frame.columns == ["Ref", "L", "I", "Note", "Extra"]
    assert frame.to_dicts() == [
        {"Ref": "A", "L": "3", "I": "2", "Note": None, "Extra": None},
        {"Ref": "B", "L": None, "I": None, "Note": None, "Extra": None},
    ]


@pytest.mark.parametrize("content", [b"{}", b"[1]", b"[]", b'[{"Ref": [1]}]', b'[{"Ref": true}]', b"[{]", b"[{}]"])
def test_json_rows_refused(content: bytes) -> None:
    with pytest.raises(RuleViolation):
        frame_from_json(content)


def test_mappings() -> None:
    assert parse_mapping(["reference=Risk No.", " title = What could happen "]) == (
        {"reference": "Risk No.", "title": "What could happen"},
        [],
    )
    assert parse_mapping(["owner=A=B"])[0] == {"owner": "A=B"}  # only the first = separates
    mapping, problems = parse_mapping(["reference", "=Ref", "title="])
    assert mapping == {}
    assert [p.field for p in problems] == ["mapping", "mapping", "mapping"]


def _row(**cells: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "reference": "R1",
        "title": "A risk",
        "category": "Estates",
        "owner": "Owner",
        "residual_likelihood": "3",
        "residual_impact": "High",
        "identified_on": "01/02/2025",
    }
    values.update(cells)
    return values


def test_a_row_reads_as_typed_values() -> None:
    row = ImportRow.model_validate(
        _row(
            inherent_likelihood="Almost certain", inherent_impact="5", status="Tolerated", next_review_on="2025-09-30"
        ),
        context={"rules": RULES},
    )
    assert (row.category, row.residual_likelihood, row.residual_impact) == ("estates", 3, 4)
    assert (row.inherent_likelihood, row.inherent_impact, row.status) == (5, 5, RiskStatus.TOLERATED)
    assert (row.identified_on, row.next_review_on) == (date(2025, 2, 1), date(2025, 9, 30))
    assert ImportRow.model_validate(_row(status=None), context={"rules": RULES}).status == RiskStatus.OPEN


def test_bad_cells_are_named_by_the_users_header_and_line() -> None:
    frame = pl.DataFrame(
        {
            "Ref": ["R1", "R 2!", None],
            "Risk": ["ok", "x" * 201, "ok"],
            "Category": ["Estates", "Estates", "Weather"],
            "Owner": ["o", "o", "o"],
            "L": ["3", "7", "Sometimes"],
            "I": ["3", "3", "3"],
            "Raised": ["01/02/2025", "2025-02-30", "01/02/2025"],
        }
    )
    mapping, _ = resolve_columns(frame.columns, {**HEADERS, "identified_on": ("Raised",)})
    rows, problems = validate_rows(frame, ImportRow, mapping, context={"rules": RULES})
    assert len(rows) == 1
    assert {(p.row, p.field) for p in problems} == {
        (3, "Ref"),
        (3, "Risk"),
        (3, "L"),
        (3, "Raised"),
        (4, "Ref"),
        (4, "Category"),
        (4, "L"),
    }


@given(st.text(min_size=1, max_size=40))
def test_the_csv_formula_guard_round_trips_any_text(text: str) -> None:
    from risk_register.registers.exporting import _csv_text

    written = _csv_text(text)
    assert not written.startswith(("=", "+", "-", "@"))
    assert _unescape({"title": written})["title"] == text


class Plain:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


def _risk(**overrides: Any) -> Plain:
    values: dict[str, Any] = dict.fromkeys(RISK_FIELDS)
    values.update(
        reference="R1",
        title="=1+1",
        category="health-and-safety",
        owner="o",
        residual_likelihood=2,
        residual_impact=3,
        status=RiskStatus.OPEN,
        identified_on=date(2025, 1, 1),
        next_review_on=date(2025, 6, 29),
    )
    values.update(overrides)
    return Plain(**values)


def test_export_rows_carry_the_derived_facts() -> None:
    (row,) = export_rows([_risk()], RULES, TODAY)
    values = row.values
    assert (values["Residual score"], values["Residual rating"], values["Above appetite"]) == (6, "Moderate", True)
    assert (values["Category"], values["Status"], values["Review overdue"]) == ("Health and safety", "Open", True)
    assert (values["Appetite"], values["Tolerance"], values["Inherent score"]) == ("Averse", 3, None)
    assert row.bands["Residual score"] is not None
    assert row.bands["Inherent score"] is None


def test_csv_and_xlsx_read_back_as_the_same_cells() -> None:
    rows = export_rows([_risk(), _risk(reference="R2", inherent_likelihood=5, inherent_impact=5)], RULES, TODAY)
    info = RegisterInfo("Register", "area", "london", None, "AED", TODAY)
    from_csv = read_table(to_csv(rows), "csv")
    from_xlsx = read_table(to_xlsx(rows, RULES, info, {"residual": [[0] * 5] * 5}), "xlsx")
    assert from_csv.columns == from_xlsx.columns == [c.header for c in COLUMNS]
    data = [c.header for c in COLUMNS if c.field is not None]
    csv_rows = [{k: v for k, v in r.items() if k in data} for r in from_csv.to_dicts()]
    xlsx_rows = [{k: v for k, v in r.items() if k in data} for r in from_xlsx.to_dicts()]
    assert csv_rows[0]["Title"] == "'=1+1"  # guarded in CSV; a string cell in XLSX
    assert xlsx_rows[0]["Title"] == "=1+1"
    assert csv_rows[1]["Inherent likelihood"] == xlsx_rows[1]["Inherent likelihood"] == "5"
    assert csv_rows[0]["Date identified"] == "2025-01-01"
    assert xlsx_rows[0]["Date identified"].startswith("2025-01-01")
    assert io.BytesIO(to_csv(rows)).read(3) == b"\xef\xbb\xbf"


def test_repeated_headers_are_recognised_from_either_reader() -> None:
    from risk_register.registers.importing import repeated_headers

    assert repeated_headers(["Ref", "L", "I", "L_duplicated_0", "I_duplicated_0", "L_duplicated_1"]) == {
        "L": ["L", "L_duplicated_0", "L_duplicated_1"],
        "I": ["I", "I_duplicated_0"],
    }
    assert repeated_headers(["Ref", "L", "L_1"]) == {"L": ["L", "L_1"]}
    assert repeated_headers(["Ref", "Q_1", "Score_2"]) == {}  # a suffix alone is not a repeat
