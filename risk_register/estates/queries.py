"""The estates rules that lists must filter on, stated as SQL expressions.

Each mirrors one function in estates/rules.py and is built from the same constants; a property test
(tests/unit/test_estates_queries.py) checks that SQL and Python agree row by row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select

from risk_register.estates.enums import CLOSED_REMEDIATION_STATUSES, RemediationStatus, SiteType
from risk_register.estates.models import RemediationAction, Site
from risk_register.organisation.models import RegionRecord
from risk_register.organisation.reference import Organisation


def remediation_open() -> ColumnElement[bool]:
    """SQL form of rules.is_remediation_open. Spelled as IN over the open statuses, not NOT IN the closed ones:
    both engines can then range-scan the (status, target_date) index (benchmarks/README.md has the figures)."""
    return _REMEDIATION_OPEN


_REMEDIATION_OPEN = RemediationAction.status.in_(
    [s.value for s in RemediationStatus if s not in CLOSED_REMEDIATION_STATUSES]
)


def remediation_overdue(today: date) -> ColumnElement[bool]:
    """SQL form of rules.is_remediation_overdue."""
    return and_(remediation_open(), RemediationAction.target_date < today)


def site_matches(
    organisation: Organisation,
    *,
    area: str | None = None,
    region: str | None = None,
    pdu: str | None = None,
    site_types: list[SiteType] | None = None,
) -> list[ColumnElement[bool]]:
    """Conditions on Site for the organisation and site-type filters every estates list offers."""
    conditions: list[ColumnElement[bool]] = []
    if area is not None:
        area_regions = [r.code for r in organisation.regions if r.area_code == area]
        conditions.append(Site.region_code.in_(area_regions))
    if region is not None:
        conditions.append(Site.region_code == region)
    if pdu is not None:
        conditions.append(Site.pdu_code == pdu)
    if site_types:
        conditions.append(Site.site_type.in_([t.value for t in site_types]))
    return conditions


def belongs_to_matching_site(
    site_id_column: ColumnElement[object], conditions: list[ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    """Restrict a child table (finding, project, action) to sites matching ``conditions``."""
    if not conditions:
        return []
    return [site_id_column.in_(select(Site.id).where(*conditions))]


def remediation_rows() -> Select[*tuple[Any, ...]]:
    """Remediation actions as plain rows with the columns RemediationRead shows, and their site's reference
    (SiteRef) as ``site_``-prefixed columns: a list needs no ORM objects (schemas.remediation_read_row).

    Built once: statements are immutable (every .where() makes a new one), and building this one's columns
    and joins afresh was a measurable part of each list request (benchmarks/README.md)."""
    return _REMEDIATION_ROWS


def _remediation_rows() -> Select[*tuple[Any, ...]]:
    action = RemediationAction
    return (
        select(
            action.id,
            action.version,
            action.created_at,
            action.updated_at,
            action.system,
            action.description,
            action.priority,
            action.status,
            action.reported_on,
            action.target_date,
            action.blocker,
            action.completed_on,
            Site.id.label("site_id"),
            Site.code.label("site_code"),
            Site.name.label("site_name"),
            Site.site_type.label("site_site_type"),
            Site.region_code.label("site_region_code"),
            RegionRecord.area_code.label("site_area_code"),
        )
        .join(Site, Site.id == action.site_id)
        .join(RegionRecord, RegionRecord.code == Site.region_code)
    )


def remediation_count() -> Select[int]:
    """The number of remediation actions (add the list's conditions with .where)."""
    return _REMEDIATION_COUNT


_REMEDIATION_ROWS = _remediation_rows()
_REMEDIATION_COUNT = select(func.count()).select_from(RemediationAction)
