"""Spreadsheet import and export through the API: differing headers, UK dates, word scores, all-or-nothing
validation, dry runs, idempotent re-import and an exact round trip, on every engine."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from typing import Any

import polars as pl
import pytest
import xlsxwriter
from sqlalchemy import func, select

from risk_register.accounts.roles import Role
from risk_register.registers.importing import HEADERS, XLSX_MEDIA_TYPE
from risk_register.registers.models import RegisterImport, Risk, RiskVersion
from tests.access.scope_cases_registers import area_register, risk_body
from tests.conftest import TODAY
from tests.helpers import assert_problem

REGISTERS = "/api/registers"
CSV = {"Content-Type": "text/csv"}
XLSX = {"Content-Type": XLSX_MEDIA_TYPE}


def csv_bytes(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[Any]], sheet: str = "Area register") -> bytes:
    """A workbook as a person keeps one: real date cells, numbers as numbers, words as text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    uk = book.add_format({"num_format": "dd/mm/yyyy"})
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date):
                ws.write_datetime(r, c, value, uk)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif value is not None:
                ws.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


async def count(db: Any, model: Any) -> int:
    await db.rollback()  # a new snapshot: SQLite would otherwise answer from the one the last read began
    return int(await db.scalar(select(func.count()).select_from(model)))


async def upload(client: Any, register_id: str, content: bytes, headers: dict[str, str], **params: Any) -> Any:
    return await client.post(f"{REGISTERS}/{register_id}/import", content=content, headers=headers, params=params)


async def risks_of(client: Any, register_id: str) -> dict[str, dict[str, Any]]:
    page = (await client.get(f"{REGISTERS}/{register_id}/risks", params={"page_size": 500})).json()
    return {r["reference"]: r for r in page["items"]}


# Three Areas, three ways of keeping a register.
NORTH_WEST_CSV = [
    [
        "Ref",
        "Risk",
        "Category",
        "Owner",
        "Likelihood",
        "Impact",
        "Date raised",
        "Review date",
        "Status",
        "National ref",
    ],
    [
        "NW-01",
        "Legionella: sentinel checks missed",
        "H&S",
        "Head of Estates",
        "High",
        "Medium",
        "03/02/2025",
        "01/08/2025",
        "Open",
        "NR-04",
    ],
    ["NW-02", "Staff sickness from stress", "People", "AED", "4", "4", "14/01/2025", "15/07/2025", "Escalated", ""],
    ["NW-03", "UPW depot welfare", "Estates", "Head of UPW", "low", "Major", "2025-03-31", "", "", "NR-11"],
]
MIDLANDS_XLSX = [
    ["Risk ID", "Risk title", "Risk category", "Risk owner", "Inherent L", "Inherent I", "Current L", "Current I",
     "Target L", "Target I", "Date identified", "Next review date", "Risk status"],
    ["MID/1", "Gas safety certificates lapsed", "Health and safety", "Estates lead", 5, 5, "Medium", "High", 1, 4,
     date(2024, 11, 5), "30/09/2025", "Tolerated"],
    ["MID/2", "Case management system outage", "ICT", "Head of Digital", "H", "VH", 2, 5, None, None,
     date(2025, 2, 1), None, "Open"],
]  # fmt: skip


async def test_a_csv_with_its_own_headers_uk_dates_and_word_scores(client, db) -> None:
    register_id = await area_register(client, "north-west")
    response = await upload(client, register_id, csv_bytes(NORTH_WEST_CSV), CSV, filename="nw.csv")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["created"] == ["NW-01", "NW-02", "NW-03"]
    assert body["counts"] == {"created": 3, "changed": 0, "unchanged": 0, "not_in_file": 0}
    assert body["columns"]["reference"] == "Ref"
    assert body["columns"]["residual_likelihood"] == "Likelihood"
    assert body["columns"]["next_review_on"] == "Review date"
    assert body["columns"]["national_reference"] == "National ref"
    assert body["ignored_columns"] == []
    risks = await risks_of(client, register_id)
    nw1 = risks["NW-01"]
    assert (nw1["category"], nw1["residual_likelihood"], nw1["residual_impact"]) == ("health-and-safety", 4, 3)
    assert (nw1["identified_on"], nw1["next_review_on"]) == ("2025-02-03", "2025-08-01")
    assert nw1["national_reference"] == "NR-04"
    assert risks["NW-02"]["status"] == "escalated"
    assert risks["NW-02"]["national_reference"] is None
    nw3 = risks["NW-03"]
    assert (nw3["residual_likelihood"], nw3["residual_impact"], nw3["status"]) == (2, 4, "open")
    assert nw3["identified_on"] == "2025-03-31"
    log = (await db.scalars(select(RegisterImport))).one()
    assert (log.filename, log.file_format, log.rows, log.created, log.imported_by) == (
        "nw.csv",
        "csv",
        3,
        3,
        "test-admin",
    )
    versions = (await db.scalars(select(RiskVersion))).all()
    assert {(v.source.value, v.import_id, v.version_no, v.valid_from) for v in versions} == {
        ("import", log.id, 1, TODAY)
    }


async def test_an_xlsx_with_other_headers_date_cells_and_numbers(client) -> None:
    register_id = await area_register(client, "midlands")
    response = await upload(client, register_id, xlsx_bytes(MIDLANDS_XLSX), XLSX)
    assert response.status_code == 200, response.text
    assert response.json()["file_format"] == "xlsx"
    risks = await risks_of(client, register_id)
    mid1 = risks["MID/1"]
    assert (mid1["inherent_score"], mid1["residual_likelihood"], mid1["residual_impact"], mid1["target_score"]) == (
        25,
        3,
        4,
        4,
    )
    assert (mid1["identified_on"], mid1["next_review_on"], mid1["status"]) == ("2024-11-05", "2025-09-30", "tolerated")
    mid2 = risks["MID/2"]
    assert (mid2["category"], mid2["inherent_likelihood"], mid2["inherent_impact"]) == ("ict-and-digital", 4, 5)
    assert mid2["target_score"] is None


async def test_json_rows_go_through_the_same_importer(client) -> None:
    register_id = await area_register(client, "london")
    rows = [dict(zip(NORTH_WEST_CSV[0], row, strict=True)) for row in NORTH_WEST_CSV[1:]]
    rows[1]["Likelihood"] = 4  # numbers may be JSON numbers
    response = await client.post(f"{REGISTERS}/{register_id}/import", json=rows)
    assert response.status_code == 200, response.text
    assert response.json()["file_format"] == "json"
    assert (await risks_of(client, register_id))["NW-02"]["residual_likelihood"] == 4


async def test_an_explicit_mapping_names_columns_the_importer_does_not_know(client) -> None:
    register_id = await area_register(client, "wales")
    rows = [
        ["Risk No.", "What could happen", "Area of risk", "Accountable", "Probability of occurrence", "Severity",
         "Logged", "Notes"],
        ["W1", "Flooding at Cardiff office", "Estates", "Estates lead", "3", "3", "01/04/2025", "see minutes"],
    ]  # fmt: skip
    refused = await upload(client, register_id, csv_bytes(rows), CSV)
    body = assert_problem(refused, 422)
    # "Risk No." is a known variant of the reference; the other columns need naming.
    assert {e["field"] for e in body["errors"]} == {
        "title",
        "category",
        "owner",
        "residual_likelihood",
        "identified_on",
    }
    assert all("row" not in e for e in body["errors"])
    mapping = [
        "reference=Risk No.",
        "title=What could happen",
        "category=Area of risk",
        "owner=Accountable",
        "residual_likelihood=Probability of occurrence",
        "identified_on=Logged",
    ]
    response = await upload(client, register_id, csv_bytes(rows), CSV, mapping=mapping)
    assert response.status_code == 200, response.text
    assert response.json()["columns"]["residual_impact"] == "Severity"
    assert response.json()["ignored_columns"] == ["Notes"]
    assert (await risks_of(client, register_id))["W1"]["residual_score"] == 9


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
async def test_a_repeated_header_is_not_guessed(client, db, file_format: str) -> None:
    """Inherent and current scores both headed L and I: the importer asks which is which, then reads them."""
    register_id = await area_register(client, "wales")
    rows = [
        ["Ref", "Risk", "Category", "Owner", "L", "I", "L", "I", "Date raised"],
        ["W1", "Flooding", "Estates", "Estates lead", "4", "4", "2", "3", "01/04/2025"],
    ]
    content, headers = (csv_bytes(rows), CSV) if file_format == "csv" else (xlsx_bytes(rows), XLSX)
    body = assert_problem(await upload(client, register_id, content, headers), 422)
    assert {e["field"] for e in body["errors"]} == {"residual_likelihood", "residual_impact"}
    second = "_duplicated_0" if file_format == "csv" else "_1"
    assert f"'L{second}'" in body["errors"][0]["reason"]
    assert await count(db, Risk) == 0
    mapping = [
        "inherent_likelihood=L",
        "inherent_impact=I",
        f"residual_likelihood=L{second}",
        f"residual_impact=I{second}",
    ]
    response = await upload(client, register_id, content, headers, mapping=mapping)
    assert response.status_code == 200, response.text
    risk = (await risks_of(client, register_id))["W1"]
    assert (risk["inherent_score"], risk["residual_score"]) == (16, 6)


@pytest.mark.parametrize(
    ("mapping", "field"),
    [
        (["bogus=Ref"], "mapping.bogus"),
        (["reference=No such column"], "mapping.reference"),
        (["reference"], "mapping"),
        (["title=Ref"], "reference"),  # the mapping takes Ref, so no column is left for the reference
        (["title=Ref", "reference=Ref"], "mapping.reference"),
    ],
)
async def test_bad_mappings_are_refused(client, db, mapping: list[str], field: str) -> None:
    register_id = await area_register(client, "wales")
    assert_problem(await upload(client, register_id, csv_bytes(NORTH_WEST_CSV), CSV, mapping=mapping), 422, field)
    assert await count(db, Risk) == 0


async def test_a_file_with_several_bad_rows_is_refused_whole_with_every_problem(client, db) -> None:
    register_id = await area_register(client, "north-west")
    rows = [
        NORTH_WEST_CSV[0],
        NORTH_WEST_CSV[1],
        ["NW-02", "Bad date", "H&S", "AED", "3", "3", "31/02/2025", "", "", ""],
        ["NW-03", "Bad word", "H&S", "AED", "Quite likely", "Huge", "01/02/2025", "", "", ""],
        ["NW-04", "", "Weather", "AED", "3", "3", "01/02/2025", "", "Pending", ""],
        ["NW-01", "Repeated reference", "H&S", "AED", "3", "3", "01/02/2025", "", "", ""],
        ["NW-05", "Review before raised", "H&S", "AED", "3", "3", "01/02/2025", "01/01/2025", "", ""],
        ["NW-06", "Raised in the future", "H&S", "AED", "3", "3", "01/07/2025", "", "", ""],
        [],
        ["NW-07", "Fine row", "H&S", "AED", "3", "3", "01/02/2025", "", "", ""],
    ]
    response = await upload(client, register_id, csv_bytes(rows), CSV)
    body = assert_problem(response, 422)
    found = {(e.get("row"), e["field"]) for e in body["errors"]}
    assert found == {
        (3, "Date raised"),
        (4, "Likelihood"),
        (4, "Impact"),
        (5, "Risk"),
        (5, "Category"),
        (5, "Status"),
        (6, "Ref"),
        (7, "Review date"),
        (8, "Date raised"),
    }
    reasons = {(e["row"], e["field"]): e["reason"] for e in body["errors"]}
    assert reasons[(3, "Date raised")] == "is not a real calendar date"
    assert reasons[(6, "Ref")] == "repeats the reference on line 2"
    assert "nothing was imported" in body["detail"]
    assert await count(db, Risk) == 0
    assert await count(db, RiskVersion) == 0
    assert await count(db, RegisterImport) == 0


async def test_dry_run_then_import_then_reimport_is_a_no_op(client, db) -> None:
    register_id = await area_register(client, "north-west")
    content = csv_bytes(NORTH_WEST_CSV)
    dry = await upload(client, register_id, content, CSV, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert (dry.json()["dry_run"], dry.json()["import_id"], dry.json()["counts"]["created"]) == (True, None, 3)
    assert await count(db, Risk) == 0
    assert await count(db, RegisterImport) == 0

    first = await upload(client, register_id, content, CSV)
    assert first.json()["counts"]["created"] == 3
    etags = {ref: r["version"] for ref, r in (await risks_of(client, register_id)).items()}
    versions = await count(db, RiskVersion)

    again = await upload(client, register_id, content, CSV)
    assert again.status_code == 200, again.text
    assert again.json()["counts"] == {"created": 0, "changed": 0, "unchanged": 3, "not_in_file": 0}
    assert again.json()["unchanged"] == ["NW-01", "NW-02", "NW-03"]
    assert {ref: r["version"] for ref, r in (await risks_of(client, register_id)).items()} == etags
    assert await count(db, RiskVersion) == versions
    assert await count(db, RegisterImport) == 2  # the log keeps both uploads


async def test_a_changed_file_changes_only_what_changed(client, db) -> None:
    register_id = await area_register(client, "north-west")
    await upload(client, register_id, csv_bytes(NORTH_WEST_CSV), CSV)
    extra = (await client.post(f"{REGISTERS}/{register_id}/risks", json=risk_body("NW-99"))).json()
    edited = [list(row) for row in NORTH_WEST_CSV]
    edited[1][4] = "Very high"  # NW-01 likelihood 4 -> 5
    edited[2][9] = "NR-02"  # NW-02 gains a national reference
    del edited[3]  # NW-03 is not in this file
    dry = (await upload(client, register_id, csv_bytes(edited), CSV, dry_run="true")).json()
    assert dry["changed"] == [
        {"line": 2, "reference": "NW-01", "fields": ["residual_likelihood"]},
        {"line": 3, "reference": "NW-02", "fields": ["national_reference"]},
    ]
    assert dry["not_in_file"] == ["NW-03", "NW-99"]
    response = await upload(client, register_id, csv_bytes(edited), CSV)
    assert response.json()["counts"] == {"created": 0, "changed": 2, "unchanged": 0, "not_in_file": 2}
    risks = await risks_of(client, register_id)
    assert (risks["NW-01"]["residual_score"], risks["NW-01"]["version"]) == (15, 2)
    assert risks["NW-03"]["version"] == 1
    assert risks["NW-99"]["version"] == extra["version"]
    history = (await client.get(f"/api/risks/{risks['NW-01']['id']}/history")).json()["items"]
    assert next((v["version_no"], v["source"], v["changed"]) for v in history) == (2, "import", ["residual_likelihood"])


async def test_a_blank_cell_clears_an_optional_field_and_a_missing_column_keeps_it(client) -> None:
    register_id = await area_register(client, "north-west")
    await upload(client, register_id, csv_bytes(NORTH_WEST_CSV), CSV)
    without_reviews = [[cell for i, cell in enumerate(row) if i != 7] for row in NORTH_WEST_CSV]
    unchanged = (await upload(client, register_id, csv_bytes(without_reviews), CSV)).json()
    assert unchanged["counts"]["unchanged"] == 3
    blanked = [list(row) for row in NORTH_WEST_CSV]
    blanked[1][7] = ""
    result = (await upload(client, register_id, csv_bytes(blanked), CSV)).json()
    assert result["changed"] == [{"line": 2, "reference": "NW-01", "fields": ["next_review_on"]}]


async def test_an_effective_date_dates_the_imported_versions(client, db) -> None:
    register_id = await area_register(client, "north-west")
    response = await upload(client, register_id, csv_bytes(NORTH_WEST_CSV), CSV, effective_on="2025-04-01")
    assert response.status_code == 200, response.text
    as_at = (await client.get(f"{REGISTERS}/{register_id}/as-at", params={"date": "2025-04-01"})).json()
    assert [r["reference"] for r in as_at["items"]] == ["NW-01", "NW-02", "NW-03"]
    assert (await client.get(f"{REGISTERS}/{register_id}/as-at", params={"date": "2025-03-31"})).json()["total"] == 0
    # NW-03 was raised on 31/03/2025, so its changes cannot take effect before that; nor can anything in the future.
    body = assert_problem(
        await upload(client, register_id, csv_bytes(NORTH_WEST_CSV), CSV, effective_on="2025-07-01"), 422
    )
    assert [e["field"] for e in body["errors"]] == ["effective_on"]
    assert_problem(
        await upload(client, register_id, csv_bytes(NORTH_WEST_CSV[:1]), CSV, effective_on="30/06/2025"), 400
    )


async def test_an_effective_date_before_a_risks_last_change_is_refused_by_row(client) -> None:
    register_id = await area_register(client, "north-west")
    await upload(client, register_id, csv_bytes(NORTH_WEST_CSV), CSV)
    edited = [list(row) for row in NORTH_WEST_CSV]
    edited[1][4] = "1"
    body = assert_problem(await upload(client, register_id, csv_bytes(edited), CSV, effective_on="2025-06-01"), 422)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "effective_on")]


@pytest.mark.parametrize(
    ("content", "headers", "field"),
    [
        (b"PK\x03\x04 not really a workbook", XLSX, "file"),
        (b"\xd0\xcf\x11\xe0 old excel", {"Content-Type": "application/vnd.ms-excel"}, "file"),
        (b"plain text pretending", XLSX, "file"),
        (b"", CSV, "file"),
        (b"   \n", CSV, "file"),
        (b'{"rows": []}', {"Content-Type": "application/json"}, "file"),
        (b"[1, 2]", {"Content-Type": "application/json"}, "file"),
        (b'[{"Ref": true}]', {"Content-Type": "application/json"}, "file"),
        (b"[{", {"Content-Type": "application/json"}, "file"),
        (b"\x89PNG", {"Content-Type": "image/png"}, "Content-Type"),
    ],
)
async def test_unreadable_uploads_are_refused(client, db, content: bytes, headers: dict[str, str], field: str) -> None:
    register_id = await area_register(client, "wales")
    assert_problem(await upload(client, register_id, content, headers), 422, field)
    assert await count(db, RegisterImport) == 0


async def test_an_upload_over_the_size_limit_is_refused(client) -> None:
    register_id = await area_register(client, "wales")
    response = await upload(client, register_id, b"x" * (20 * 1024 * 1024 + 1), CSV)
    assert_problem(response, 413)


async def test_an_area_leader_imports_into_their_own_register_only(client, auth_headers, db) -> None:
    leader = await auth_headers(Role.AREA_LEADER, "north-west")
    wales = await area_register(client, "wales")
    refused = await upload(client, wales, csv_bytes(NORTH_WEST_CSV), {**CSV, **leader})
    assert_problem(refused, 403)
    dry = await upload(client, wales, csv_bytes(NORTH_WEST_CSV), {**CSV, **leader}, dry_run="true")
    assert_problem(dry, 403)
    assert await count(db, Risk) == 0
    home = await area_register(client, "north-west")
    assert (await upload(client, home, csv_bytes(NORTH_WEST_CSV), {**CSV, **leader})).status_code == 200
    viewer = await auth_headers(Role.VIEWER)
    assert_problem(await upload(client, home, csv_bytes(NORTH_WEST_CSV), {**CSV, **viewer}), 403)


async def test_the_import_log_lists_uploads(client) -> None:
    register_id = await area_register(client, "north-west")
    await upload(client, register_id, csv_bytes(NORTH_WEST_CSV), CSV, filename="q1.csv")
    page = (await client.get(f"{REGISTERS}/{register_id}/imports")).json()
    assert page["total"] == 1
    assert (page["items"][0]["filename"], page["items"][0]["created"]) == ("q1.csv", 3)


# --- export and the round trip ---------------------------------------------------------------------------

AWKWARD = {
    "reference": "RT-1",
    "title": '=HYPERLINK("http://example.com") looks like a formula',
    "description": 'Line one\nLine two, with a comma and "quotes"\n£ and é too',
    "cause": "+44 phone number; -minus; @at",
    "effect": "Plain",
    "category": "public-protection",
    "owner": "Head of Public Protection",
    "inherent_likelihood": 4,
    "inherent_impact": 5,
    "residual_likelihood": 3,
    "residual_impact": 4,
    "target_likelihood": 2,
    "target_impact": 2,
    "status": "escalated",
    "identified_on": "2024-10-01",
    "last_reviewed_on": "2025-04-01",
    "next_review_on": "2025-06-29",
    "national_reference": "NR-03",
}


async def _fill(client: Any, register_id: str) -> None:
    await client.post(f"{REGISTERS}/{register_id}/risks", json=AWKWARD)
    await client.post(f"{REGISTERS}/{register_id}/risks", json={**risk_body("RT-2"), "status": "closed"})
    await client.post(f"{REGISTERS}/{register_id}/risks", json={**risk_body("RT-3"), "category": "finance"})


DATA_FIELDS = (
    "reference", "title", "description", "cause", "effect", "category", "owner", "inherent_likelihood",
    "inherent_impact", "residual_likelihood", "residual_impact", "target_likelihood", "target_impact", "status",
    "identified_on", "last_reviewed_on", "next_review_on", "national_reference",
)  # fmt: skip


def data_of(risks: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {ref: {f: r[f] for f in DATA_FIELDS} for ref, r in risks.items()}


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
async def test_export_then_import_round_trips_exactly(client, file_format: str) -> None:
    source = await area_register(client, "north-west")
    await _fill(client, source)
    exported = await client.get(f"{REGISTERS}/{source}/export", params={"format": file_format})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-disposition"].startswith('attachment; filename="area-north-west-risk-register')
    media = exported.headers["content-type"]
    assert media.startswith(XLSX_MEDIA_TYPE if file_format == "xlsx" else "text/csv")

    back = await upload(client, source, exported.content, {"Content-Type": media}, dry_run="true")
    assert back.status_code == 200, back.text
    assert back.json()["counts"] == {"created": 0, "changed": 0, "unchanged": 3, "not_in_file": 0}

    regional = (await client.post(REGISTERS, json={"region_code": "north-west", "owner": "RPD"})).json()["id"]
    copied = await upload(client, regional, exported.content, {"Content-Type": media})
    assert copied.status_code == 200, copied.text
    assert copied.json()["counts"]["created"] == 3
    assert data_of(await risks_of(client, regional)) == data_of(await risks_of(client, source))
    again = await client.get(f"{REGISTERS}/{regional}/export", params={"format": "csv"})
    first = await client.get(f"{REGISTERS}/{source}/export", params={"format": "csv"})
    assert again.content == first.content


async def test_csv_export_guards_against_formulas_and_reads_as_excel_expects(client) -> None:
    source = await area_register(client, "north-west")
    await _fill(client, source)
    content = (await client.get(f"{REGISTERS}/{source}/export", params={"format": "csv"})).content
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Title"].startswith("'=HYPERLINK")
    assert first["Cause"].startswith("'+44")
    assert (first["Category"], first["Status"], first["Residual score"], first["Residual rating"]) == (
        "Public protection",
        "Escalated",
        "12",
        "High",
    )
    assert (first["Above appetite"], first["Review overdue"], first["Appetite"]) == ("Yes", "Yes", "Averse")


def test_every_exported_data_header_is_read_back_as_its_field() -> None:
    from risk_register.core.tabular import resolve_columns
    from risk_register.registers.exporting import COLUMNS

    mapping, problems = resolve_columns([c.header for c in COLUMNS], HEADERS)
    assert problems == []
    assert mapping == {c.field: c.header for c in COLUMNS if c.field is not None}


async def test_the_xlsx_export_is_formatted(client) -> None:
    source = await area_register(client, "north-west")
    await _fill(client, source)
    content = (await client.get(f"{REGISTERS}/{source}/export")).content
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        workbook = book.read("xl/workbook.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        styles = book.read("xl/styles.xml").decode()
    assert re.findall(r'<sheet name="([^"]+)"', workbook) == [
        "Risks",
        "Heat map (residual)",
        "Heat map (inherent)",
        "Register",
    ]
    assert 'ySplit="1"' in sheet  # frozen header
    assert "<autoFilter" in sheet
    for colour in ("FFD4351C", "FFF47738", "FFFFDD00", "FF00703C"):  # band fills
        assert colour in styles
    heat = pl.read_excel(io.BytesIO(content), sheet_name="Heat map (residual)", has_header=False, engine="calamine")
    grid = {row[1]: [int(float(v)) for v in row[2:7]] for row in heat.rows() if row[1] and row[1][0].isdigit()}
    # Likelihood 5 down to 1 by impact 1 to 5. RT-1 (3 x 4) and RT-3 (3 x 4) are open; RT-2 is closed.
    assert list(grid) == ["5 Almost certain", "4 Likely", "3 Possible", "2 Unlikely", "1 Rare"]
    assert grid["3 Possible"] == [0, 0, 0, 2, 0]
    assert sum(map(sum, grid.values())) == 2


async def test_exporting_an_empty_register_still_gives_a_readable_file(client) -> None:
    source = await area_register(client, "wales")
    for file_format in ("xlsx", "csv"):
        exported = await client.get(f"{REGISTERS}/{source}/export", params={"format": file_format})
        assert exported.status_code == 200
        back = await upload(client, source, exported.content, {"Content-Type": exported.headers["content-type"]})
        assert back.json()["rows"] == 0


async def test_imported_risks_are_audited_exactly_as_risks_created_one_by_one(client, db) -> None:
    from risk_register.audit.models import AuditEvent

    register_id = await area_register(client, "north-west")
    response = await upload(client, register_id, csv_bytes(NORTH_WEST_CSV), CSV)
    assert response.status_code == 200, response.text
    single = (await client.post(f"{REGISTERS}/{register_id}/risks", json=risk_body("ONE-BY-ONE"))).json()
    await db.rollback()
    events = (await db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "risk"))).all()
    by_entity = {e.entity_id: e for e in events}
    risks = await risks_of(client, register_id)
    assert set(by_entity) == {r["id"] for r in risks.values()}
    imported = by_entity[risks["NW-01"]["id"]]
    one = by_entity[single["id"]]
    assert imported.action == one.action == "create"
    assert imported.actor_username == one.actor_username == "test-admin"
    assert imported.request_id == response.headers["x-request-id"]
    assert set(imported.changes) == set(one.changes)
    assert imported.changes["reference"] == {"after": "NW-01"}
    assert imported.changes["identified_on"] == {"after": "2025-02-03"}
    assert imported.changes["status"] == {"after": "open"}


async def test_each_imported_risk_gets_a_first_version_holding_it_as_written(client, db) -> None:
    """The first versions are written from the risk rows just inserted (on SQLite inside the database, see
    importing_write.insert_frame_copying): each holds its own risk's fields, with the fields it set."""
    from risk_register.registers import rules

    register_id = await area_register(client, "midlands")
    response = await upload(client, register_id, xlsx_bytes(MIDLANDS_XLSX), XLSX)
    assert response.status_code == 200, response.text
    await db.rollback()
    risks = {r.id: r for r in (await db.scalars(select(Risk))).all()}
    versions = (await db.scalars(select(RiskVersion))).all()
    assert sorted(v.risk_id for v in versions) == sorted(risks)
    for version in versions:
        risk = risks[version.risk_id]
        assert {n: getattr(version, n) for n in rules.RISK_FIELDS} == {n: getattr(risk, n) for n in rules.RISK_FIELDS}
        assert version.changed == [n for n in rules.RISK_FIELDS if getattr(risk, n) is not None]
        assert (version.version_no, version.register_id, version.valid_to) == (1, risk.register_id, None)
    assert risks[next(i for i, r in risks.items() if r.reference == "MID/2")].target_likelihood is None


async def test_a_failure_after_the_new_risks_are_written_leaves_nothing(client, db, monkeypatch) -> None:
    """New risks, their versions and audit events are written in bulk inside the request's transaction: a
    failure later in the same import (here while writing the changed risks' versions) takes them back too."""
    from risk_register.audit.models import AuditEvent
    from risk_register.registers import importing

    register_id = await area_register(client, "north-west")
    assert (await upload(client, register_id, csv_bytes(NORTH_WEST_CSV), CSV)).status_code == 200
    before = {model: await count(db, model) for model in (Risk, RiskVersion, AuditEvent, RegisterImport)}
    edited = [row[:] for row in NORTH_WEST_CSV] + [
        ["NW-04", "Fire doors wedged open", "H&S", "Head of Estates", "3", "4", "01/04/2025", "", "Open", ""]
    ]
    edited[1][4] = "Low"  # NW-01 changes too

    async def fail(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(importing, "insert_versions", fail)
    response = await upload(client, register_id, csv_bytes(edited), CSV)
    assert response.status_code == 500
    assert {model: await count(db, model) for model in before} == before
