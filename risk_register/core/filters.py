"""Organisation and site-type filters shared by every estates and hazards list."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from litestar.di import NamedDependency
from litestar.params import QueryParameter

from risk_register.core.context import Context
from risk_register.core.errors import FieldProblem, MalformedParameter, raise_if_any
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


# RFC 3339 date-time (what OpenAPI's `format: date-time` means): a full date and time with an offset. Parsed by
# hand: Litestar's lax conversion would take "0.5" or "1700000000" as Unix time and a naive time as UTC.
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_INSTANT_FORM = "must be an RFC 3339 date-time with an offset, such as 2025-06-30T09:00:00Z"


def parse_instant(name: str, value: str | None) -> datetime | None:
    """``value`` as an aware UTC datetime; an instant before year 1 or after 9999 in UTC is clamped to the
    first or last representable one (it still orders correctly against every stored time)."""
    if value is None:
        return None
    if not _RFC3339.match(value):
        raise MalformedParameter(f"{name}: {_INSTANT_FORM}", [FieldProblem(name, _INSTANT_FORM)])
    try:
        # Upper case: RFC 3339 allows "t" and "z"; fromisoformat wants "T" and "Z" (and drops digits past micro).
        instant = datetime.fromisoformat(value.upper())
    except ValueError as exc:
        raise MalformedParameter(f"{name}: is not a real date and time", [FieldProblem(name, str(exc))]) from exc
    try:
        return instant.astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if instant.year == 1 else datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Period:
    """``since`` (inclusive) to ``until`` (exclusive); either end may be open."""

    since: datetime | None = None
    until: datetime | None = None


_INSTANT_SCHEMA = {"format": "date-time"}


def provide_period(
    since: Annotated[
        str | None,
        QueryParameter(
            name="since", max_length=64, schema_extra=_INSTANT_SCHEMA, description="From this instant (inclusive)"
        ),
    ] = None,
    until: Annotated[
        str | None,
        QueryParameter(name="until", max_length=64, schema_extra=_INSTANT_SCHEMA, description="Before this instant"),
    ] = None,
) -> Period:
    period = Period(parse_instant("since", since), parse_instant("until", until))
    if period.since and period.until and period.until < period.since:
        raise_if_any([FieldProblem("until", "must not be before since")])
    return period
