"""Organisation and site-type filters shared by every estates and hazards list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from litestar.di import NamedDependency
from litestar.params import QueryParameter

from risk_register.core.context import Context
from risk_register.core.errors import FieldProblem, raise_if_any
from risk_register.estates.enums import SiteType

_CODE = r"^[a-z0-9][a-z0-9-]*$"


@dataclass(frozen=True)
class OrgFilter:
    area: str | None = None
    region: str | None = None
    pdu: str | None = None
    site_types: list[SiteType] = field(default_factory=list)


def provide_org_filter(
    context: NamedDependency[Context],
    area: Annotated[
        str | None, QueryParameter(name="area", max_length=64, pattern=_CODE, description="HMPPS Area code")
    ] = None,
    region: Annotated[
        str | None, QueryParameter(name="region", max_length=64, pattern=_CODE, description="Probation region code")
    ] = None,
    pdu: Annotated[
        str | None, QueryParameter(name="pdu", max_length=160, pattern=_CODE, description="PDU code")
    ] = None,
    site_type: Annotated[
        list[SiteType] | None, QueryParameter(name="site_type", max_items=5, description="One or more site types")
    ] = None,
) -> OrgFilter:
    organisation = context.organisation
    problems = []
    if area is not None and not organisation.has_area(area):
        problems.append(FieldProblem("area", f"unknown Area code {area!r}"))
    if region is not None and organisation.region(region) is None:
        problems.append(FieldProblem("region", f"unknown region code {region!r}"))
    if pdu is not None and organisation.pdu(pdu) is None:
        problems.append(FieldProblem("pdu", f"unknown PDU code {pdu!r}"))
    raise_if_any(problems)
    return OrgFilter(area=area, region=region, pdu=pdu, site_types=list(site_type or []))
