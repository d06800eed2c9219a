"""The estates rules that lists must filter on, stated as SQL expressions.

Each mirrors one function in estates/rules.py and is built from the same constants; a property test
(tests/unit/test_estates_queries.py) checks that SQL and Python agree row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, and_, func, select
from sqlalchemy.orm import QueryableAttribute

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


def remediation_overdue(today: date | BindParameter[date]) -> ColumnElement[bool]:
    """SQL form of rules.is_remediation_overdue. ``today`` is a date, or a bound parameter for a statement that is
    built once and run on many days (remediation_list.py)."""
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
    return site_conditions(
        area_regions=area_region_codes(organisation, area) if area is not None else None,
        region=region,
        pdu=pdu,
        site_types=[t.value for t in site_types] if site_types else None,
    )


def area_region_codes(organisation: Organisation, area: str) -> list[str]:
    return [r.code for r in organisation.regions if r.area_code == area]


Values = Sequence[str] | BindParameter[Any]


def site_conditions(
    *,
    area_regions: Values | None = None,
    region: str | BindParameter[str] | None = None,
    pdu: str | BindParameter[str] | None = None,
    site_types: Values | None = None,
) -> list[ColumnElement[bool]]:
    """The site filters as conditions on Site; None leaves a filter out. Each is a value, or a bound parameter
    (expanding, for the lists) in a statement built once for many values (remediation_list.py)."""
    conditions: list[ColumnElement[bool]] = []
    if area_regions is not None:
        conditions.append(Site.region_code.in_(area_regions))
    if region is not None:
        conditions.append(Site.region_code == region)
    if pdu is not None:
        conditions.append(Site.pdu_code == pdu)
    if site_types is not None:
        conditions.append(Site.site_type.in_(site_types))
    return conditions


def belongs_to_matching_site(
    site_id_column: ColumnElement[Any] | QueryableAttribute[Any], conditions: list[ColumnElement[bool]]
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
