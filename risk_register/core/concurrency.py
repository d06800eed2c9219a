"""Optimistic concurrency over HTTP: responses carry an ETag of the record's version; changes must send it
back in If-Match, and a stale one is refused with 412 rather than silently overwriting someone's edit."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

from litestar import Response
from litestar.di import NamedDependency
from litestar.params import HeaderParameter

from risk_register.core.errors import FieldProblem, PreconditionFailed, PreconditionRequired, RuleViolation

# An entity tag as this API writes it ("3"), also weak (W/"3") or unquoted (3). Header values arrive trimmed.
_ETAG = re.compile(r'^(?:W/)?"?([0-9]{1,9})"?$')
_ETAG_FORM = 'must be an ETag such as "3"'
T = TypeVar("T")


def etag(version: int) -> str:
    return f'"{version}"'


def provide_expected_version(
    if_match: Annotated[
        str | None,
        HeaderParameter(
            name="If-Match",
            description="The ETag (version) of the record as you last read it; required to change it",
            # A header is a string or absent, never null; its form is checked below, naming the header.
            schema_extra={"oneOf": None, "type": "string", "pattern": _ETAG.pattern, "maxLength": 13},
        ),
    ] = None,
) -> int:
    if if_match is None:
        raise PreconditionRequired(
            "Send If-Match with the record's ETag to change it", [FieldProblem("If-Match", "is required")]
        )
    match = _ETAG.match(if_match.strip())
    if match is None:
        raise RuleViolation.of(FieldProblem("If-Match", _ETAG_FORM))
    return int(match.group(1))


ExpectedVersion = NamedDependency[int]


def check_version(record: Any, expected: int) -> None:
    if record.version != expected:
        raise PreconditionFailed(
            f"The record is at version {record.version}; you sent If-Match {etag(expected)}. Read it again.",
            [FieldProblem("If-Match", f"is stale: current version is {record.version}")],
        )


def versioned(body: T, version: int, status_code: int = 200) -> Response[T]:
    return Response(content=body, status_code=status_code, headers={"ETag": etag(version)})
