"""The remediation list's question, and its two statements (the page of rows and the total), built once per shape.

Why not build them per request, like the other lists: on the 100x estate's overdue list, building the statement
afresh, generating its cache key and adapting the cached compiled form's result map to the new statement cost
about 0.6 ms a request, a fifth of the query itself, while a statement run again as it is costs none of that
(benchmarks/README.md). So the statements are built once for each *shape* of question - which filters are present,
and the sort - with every value a bound parameter, and cached; a question binds its values when it runs.

The conditions are the rules' own SQL forms from queries.py (remediation_overdue, site_conditions), given bound
parameters instead of values, so nothing here restates a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import ColumnElement, Date, Integer, Select, bindparam

from risk_register.estates.models import RemediationAction
from risk_register.estates.queries import (
    area_region_codes,
    belongs_to_matching_site,
    remediation_count,
    remediation_overdue,
    remediation_rows,
    site_conditions,
)
from risk_register.organisation.reference import Organisation

RemediationSort = Literal["target_date", "reported_on", "priority", "status", "created_at"]


@dataclass(frozen=True)
class SiteFilter:
    """The organisation and site-type filters, as values (queries.site_matches takes them as codes)."""

    area_regions: tuple[str, ...] | None = None
    region: str | None = None
    pdu: str | None = None
    site_types: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        organisation: Organisation,
        *,
        area: str | None = None,
        region: str | None = None,
        pdu: str | None = None,
        site_types: list[Any] | None = None,
    ) -> SiteFilter:
        return cls(
            area_regions=tuple(area_region_codes(organisation, area)) if area is not None else None,
            region=region,
            pdu=pdu,
            site_types=tuple(getattr(t, "value", t) for t in site_types or ()),
        )


@dataclass(frozen=True)
class RemediationListQuery:
    """Which remediation actions to list, in which order, and which page of them. Lists of values are ORed
    within a filter; filters are ANDed; ``overdue`` None lists both."""

    today: date
    overdue: bool | None = None
    site_id: UUID | None = None
    systems: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    site: SiteFilter = field(default_factory=SiteFilter)
    sort: RemediationSort = "reported_on"
    descending: bool = True
    limit: int = 50
    offset: int = 0

    def prepared(self) -> tuple[Select[Any], Select[Any], dict[str, Any]]:
        """The page statement and the count statement for this question's shape (cached), and the values they
        bind. The shape is read off the values: a filter is in the statement exactly when its value is bound."""
        parameters = self._parameters()
        shape = (*(name in parameters for name in _FILTERS), self.overdue, self.sort, self.descending)
        page, count = _statements(shape)
        return page, count, parameters

    def _parameters(self) -> dict[str, Any]:
        site = self.site
        values: dict[str, Any] = {
            "today": self.today if self.overdue is not None else None,
            "site_id": self.site_id,
            "systems": list(self.systems) or None,
            "priorities": list(self.priorities) or None,
            "statuses": list(self.statuses) or None,
            # An Area with no regions is still a filter (it matches no site): [] is bound, not dropped.
            "area_regions": list(site.area_regions) if site.area_regions is not None else None,
            "region": site.region,
            "pdu": site.pdu,
            "site_types": list(site.site_types) or None,
        }
        return {
            **{name: value for name, value in values.items() if value is not None},
            "limit": self.limit,
            "offset": self.offset,
        }


# Which filters are bound, in _FILTERS' order; then the overdue flag's value, the sort field and its direction.
_Shape = tuple[Any, ...]
_FILTERS = ("today", "site_id", "systems", "priorities", "statuses", "area_regions", "region", "pdu", "site_types")


@lru_cache(maxsize=1024)  # shapes, not questions: 2^9 filter combinations x 3 overdue values x 10 sorts at most
def _statements(shape: _Shape) -> tuple[Select[Any], Select[Any]]:
    (by_today, by_site, by_system, by_priority, by_status, by_area, by_region, by_pdu, by_type) = shape[:9]
    overdue, sort, descending = shape[9:]
    action = RemediationAction
    conditions: list[ColumnElement[bool]] = []
    if by_today:
        is_overdue = remediation_overdue(bindparam("today", type_=Date))
        conditions.append(is_overdue if overdue else ~is_overdue)
    if by_site:
        conditions.append(action.site_id == bindparam("site_id"))
    for present, column, name in (
        (by_system, action.system, "systems"),
        (by_priority, action.priority, "priorities"),
        (by_status, action.status, "statuses"),
    ):
        if present:
            conditions.append(column.in_(bindparam(name, expanding=True)))
    at_sites = site_conditions(
        area_regions=bindparam("area_regions", expanding=True) if by_area else None,
        region=bindparam("region") if by_region else None,
        pdu=bindparam("pdu") if by_pdu else None,
        site_types=bindparam("site_types", expanding=True) if by_type else None,
    )
    conditions.extend(belongs_to_matching_site(action.site_id, at_sites))
    column = getattr(action, sort)
    page = (
        remediation_rows()
        .where(*conditions)
        .order_by(column.desc() if descending else column.asc(), action.id.asc())
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    return page, remediation_count().where(*conditions)
