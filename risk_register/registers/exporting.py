"""A register as a spreadsheet: XLSX (formatted, with a heat map) or CSV, in the shape the importer reads back.

The data columns carry headers the importer recognises, so export then import changes nothing; derived
columns (scores, rating, appetite, flags) are for people and are ignored on import. Every derived value comes
from rules.assess. Text is written as text (never a formula): in XLSX as string cells, in CSV with a leading
apostrophe before = + - @ (and before an apostrophe, so text that starts with one survives; the importer
removes exactly one again).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from risk_register.registers import rules
from risk_register.registers.enums import RiskStatus
from risk_register.registers.importing import FORMULA_GUARDED
from risk_register.registers.rules import Assessment, Band, RegisterRules

ExportFormat = Literal["xlsx", "csv"]
MEDIA_TYPES: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
RISKS_SHEET = "Risks"
HEAT_MAP_SHEET = "Heat map"
REGISTER_SHEET = "Register"
UTF8_BOM = "\ufeff"  # so Excel opens the CSV as UTF-8


@dataclass(frozen=True)
class Column:
    header: str
    kind: Literal["text", "number", "date", "score", "rating", "flag", "appetite", "tolerance"]
    field: str | None = None  # the risk field the importer reads from this column; None: derived, ignored
    basis: str | None = None  # for score and rating: inherent, residual or target
    width: int = 14


COLUMNS: tuple[Column, ...] = (
    Column("Reference", "text", "reference", width=12),
    Column("Title", "text", "title", width=40),
    Column("Description", "text", "description", width=50),
    Column("Cause", "text", "cause", width=30),
    Column("Effect", "text", "effect", width=30),
    Column("Category", "text", "category", width=24),
    Column("Appetite", "appetite", width=11),
    Column("Tolerance", "tolerance", width=10),
    Column("Owner", "text", "owner", width=28),
    Column("Inherent likelihood", "number", "inherent_likelihood", width=11),
    Column("Inherent impact", "number", "inherent_impact", width=11),
    Column("Inherent score", "score", basis="inherent", width=10),
    Column("Residual likelihood", "number", "residual_likelihood", width=11),
    Column("Residual impact", "number", "residual_impact", width=11),
    Column("Residual score", "score", basis="residual", width=10),
    Column("Residual rating", "rating", basis="residual", width=11),
    Column("Above appetite", "flag", width=10),
    Column("Target likelihood", "number", "target_likelihood", width=11),
    Column("Target impact", "number", "target_impact", width=11),
    Column("Target score", "score", basis="target", width=10),
    Column("Status", "text", "status", width=11),
    Column("Date identified", "date", "identified_on", width=12),
    Column("Last reviewed", "date", "last_reviewed_on", width=12),
    Column("Next review", "date", "next_review_on", width=12),
    Column("Review overdue", "flag", width=10),
    Column("National reference", "text", "national_reference", width=12),
)


@dataclass(frozen=True)
class ExportRow:
    values: dict[str, Any]  # header -> plain value (str, int, date, bool or None)
    bands: dict[str, Band | None]  # header of a score or rating column -> the band that colours it


def _derived(column: Column, assessment: Assessment) -> Any:
    if column.kind == "score":
        return getattr(assessment, f"{column.basis}_score")
    if column.kind == "rating":
        band = getattr(assessment, f"{column.basis}_band")
        return band.label if band else None
    if column.kind == "appetite":
        return assessment.appetite.label if assessment.appetite else None
    if column.kind == "tolerance":
        return assessment.appetite.tolerance if assessment.appetite else None
    if column.header == "Above appetite":
        return assessment.above_appetite
    return assessment.review_overdue


def export_rows(risks: Sequence[Any], register_rules: RegisterRules, today: date) -> list[ExportRow]:
    rows = []
    for risk in risks:
        assessment = rules.assess(risk, register_rules, today)
        values: dict[str, Any] = {}
        bands: dict[str, Band | None] = {}
        for column in COLUMNS:
            if column.field == "category":
                values[column.header] = register_rules.categories[risk.category].label
            elif column.field == "status":
                values[column.header] = RiskStatus(risk.status).value.capitalize()
            elif column.field is not None:
                values[column.header] = getattr(risk, column.field)
            else:
                values[column.header] = _derived(column, assessment)
            if column.basis is not None:
                bands[column.header] = getattr(assessment, f"{column.basis}_band")
        rows.append(ExportRow(values, bands))
    return rows


# --- CSV -----------------------------------------------------------------------------------------------


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_GUARDED) else text


def to_csv(rows: Sequence[ExportRow]) -> bytes:
    out = io.StringIO()
    out.write(UTF8_BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    for row in rows:
        writer.writerow([_csv_text(row.values[c.header]) for c in COLUMNS])
    return out.getvalue().encode("utf-8")


# --- XLSX ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterInfo:
    name: str
    level: str
    area: str | None
    region: str | None
    owner: str
    exported_on: date


def to_xlsx(
    rows: Sequence[ExportRow],
    register_rules: RegisterRules,
    info: RegisterInfo,
    heat_maps: dict[str, list[list[int]]],
) -> bytes:
    """The Risks sheet first (what the importer reads), then a heat map sheet per basis and a register sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    header = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#1D70B8", "font_color": "#FFFFFF"}
    )
    text = book.add_format({"valign": "top", "text_wrap": True})
    day = book.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
    number = book.add_format({"valign": "top", "align": "center"})
    band_formats = {
        b.code: book.add_format(
            {"bg_color": b.colour, "font_color": b.font_colour, "bold": True, "align": "center", "valign": "top"}
        )
        for b in register_rules.bands
    }
    flagged = book.add_format({"font_color": "#D4351C", "bold": True, "valign": "top", "align": "center"})
    plain_flag = book.add_format({"valign": "top", "align": "center"})

    sheet = book.add_worksheet(RISKS_SHEET)
    for col, column in enumerate(COLUMNS):
        sheet.write_string(0, col, column.header, header)
        sheet.set_column(col, col, column.width)
    sheet.set_row(0, 32)
    for r, row in enumerate(rows, start=1):
        for col, column in enumerate(COLUMNS):
            value = row.values[column.header]
            if value is None:
                band = row.bands.get(column.header)
                if band is not None:
                    sheet.write_blank(r, col, None, band_formats[band.code])
                continue
            if column.basis is not None:
                band = row.bands.get(column.header)
                cell = band_formats[band.code] if band else number
                if isinstance(value, int):
                    sheet.write_number(r, col, value, cell)
                else:
                    sheet.write_string(r, col, str(value), cell)
            elif column.kind == "flag":
                sheet.write_string(r, col, "Yes" if value else "No", flagged if value else plain_flag)
            elif isinstance(value, date):
                sheet.write_datetime(r, col, value, day)
            elif isinstance(value, int):
                sheet.write_number(r, col, value, number)
            else:
                sheet.write_string(r, col, str(value), text)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)

    for basis, grid in heat_maps.items():
        _heat_map_sheet(book, f"{HEAT_MAP_SHEET} ({basis})", basis, grid, register_rules, band_formats, header)
    _register_sheet(book.add_worksheet(REGISTER_SHEET), info, len(rows), header)
    book.close()
    return buffer.getvalue()


def _heat_map_sheet(
    book: xlsxwriter.Workbook,
    name: str,
    basis: str,
    grid: list[list[int]],
    register_rules: RegisterRules,
    band_formats: dict[str, Any],
    header: Any,
) -> None:
    """Likelihood 5 (top) to 1 down the side, impact 1 to 5 along the bottom, each cell coloured by its
    band and holding the number of risks (not closed) there."""
    sheet = book.add_worksheet(name[:31])
    title = book.add_format({"bold": True, "font_size": 14})
    axis = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
    sheet.write_string(0, 0, f"{basis.capitalize()} risk: number of risks (not closed) in each cell", title)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 1 + rules.MATRIX_SIZE, 16)
    top = 2
    for offset, likelihood in enumerate(reversed(register_rules.likelihood)):
        r = top + offset
        sheet.set_row(r, 42)
        sheet.write_string(r, 1, f"{likelihood.score} {likelihood.label}", axis)
        for impact in register_rules.impact:
            band = rules.band_of(rules.score(likelihood.score, impact.score), register_rules)
            cell_format = band_formats[band.code] if band else axis
            sheet.write_number(r, 1 + impact.score, grid[likelihood.score - 1][impact.score - 1], cell_format)
    sheet.merge_range(top, 0, top + rules.MATRIX_SIZE - 1, 0, "Likelihood", axis)
    bottom = top + rules.MATRIX_SIZE
    for impact in register_rules.impact:
        sheet.write_string(bottom, 1 + impact.score, f"{impact.score} {impact.label}", axis)
    sheet.merge_range(bottom + 1, 2, bottom + 1, 1 + rules.MATRIX_SIZE, "Impact", axis)
    legend = bottom + 3
    sheet.write_string(legend, 1, "Band", header)
    sheet.write_string(legend, 2, "Scores", header)
    sheet.write_string(legend, 3, "RAG", header)
    for i, band in enumerate(register_rules.bands, start=1):
        sheet.write_string(legend + i, 1, band.label, band_formats[band.code])
        sheet.write_string(legend + i, 2, f"{band.min_score}-{band.max_score}")
        sheet.write_string(legend + i, 3, band.rag.value.capitalize())


def _register_sheet(sheet: Worksheet, info: RegisterInfo, count: int, header: Any) -> None:
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 50)
    facts = [
        ("Register", info.name),
        ("Level", info.level),
        ("Area", info.area or ""),
        ("Region", info.region or ""),
        ("Owner", info.owner),
        ("Risks", str(count)),
        ("Exported on", info.exported_on.strftime("%d/%m/%Y")),
    ]
    for r, (label, value) in enumerate(facts):
        sheet.write_string(r, 0, label, header)
        sheet.write_string(r, 1, value)
