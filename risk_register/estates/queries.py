"""The estates rules that lists must filter on, stated as SQL expressions.

Each mirrors one function in estates/rules.py and is built from the same constants; a property test
(tests/unit/test_estates_queries.py) checks that SQL and Python agree row by row.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, select

from risk_register.estates.enums import CLOSED_REMEDIATION_STATUSES, RemediationStatus, SiteType
from risk_register.estates.models import RemediationAction, Site
from risk_register.organisation.reference import Organisation


def remediation_open() -> ColumnElement[bool]:
    """SQL form of rules.is_remediation_open. Spelled as IN over the open statuses, not NOT IN the closed ones:
    both engines can then range-scan the (status, target_date) index (benchmarks/README.md has the figures)."""
    return RemediationAction.status.in_([s.value for s in RemediationStatus if s not in CLOSED_REMEDIATION_STATUSES])


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
