"""RFC 9457 problem details for every error the API can answer, and their OpenAPI description."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, get_type_hints

import structlog
from advanced_alchemy import exceptions as aa_exc
from litestar import Litestar
from litestar._signature.types import ExtendedMsgSpecValidationError
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import ParameterKwarg
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from risk_register.core.errors import DomainError

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TYPE_PREFIX = "urn:risk-register:problem:"

log = structlog.get_logger(__name__)


class ProblemField(BaseModel):
    field: str = Field(description="The request field (dotted path), query parameter or import column at fault")
    reason: str
    row: int | None = Field(default=None, description="1-based data row of an uploaded file, when it is one")


class Problem(BaseModel):
    """An RFC 9457 problem details body."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[ProblemField] = Field(default_factory=list)


def _problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=status,
        type_=f"{_TYPE_PREFIX}{slug}",
        title=title,
        detail=detail,
        extra={"errors": errors or []},
        headers=headers,
    )


def _from_domain(exc: DomainError) -> ProblemDetailsException:
    slug = type(exc).__name__.lower()
    return _problem(exc.status_code, slug, exc.title, exc.detail, [p.as_dict() for p in exc.problems])


_MISSING_PARAMETER = re.compile(r"^Missing required (\w+) parameter '([^']+)'")
# Parameters whose Python name differs from the name the client sends (page_number -> page), filled at
# start-up by register_parameter_names, so a problem names what the client sent.
_PARAMETER_NAMES: dict[str, str] = {}


def register_parameter_names(app: Litestar) -> None:
    def collect(fn: Callable[..., Any]) -> None:
        try:
            hints = get_type_hints(fn, include_extras=True)
        except Exception:  # a provider with unresolvable hints has no aliased parameters to learn
            return
        for python_name, hint in hints.items():
            for meta in getattr(hint, "__metadata__", ()):
                if isinstance(meta, ParameterKwarg) and meta.name and meta.name != python_name:
                    _PARAMETER_NAMES[python_name] = meta.name

    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            collect(handler.fn)
            for provider in handler.resolve_dependencies().values():
                collect(provider.dependency)


def _body_errors(cause: ExtendedMsgSpecValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())) or "body",
            "reason": str(error.get("msg", "")).removeprefix("Value error, "),
        }
        for error in cause.errors
    ]


def _from_validation(exc: ValidationException) -> ProblemDetailsException:
    if isinstance(exc.__cause__, ExtendedMsgSpecValidationError):
        # A request body that breaks its pydantic model. Taken from the cause, not from Litestar's messages:
        # Litestar files a body field named like a path parameter (e.g. "site_id") under "path".
        errors = _body_errors(exc.__cause__)
        return _problem(
            422, "validation", "Invalid request", "; ".join(f"{e['field']}: {e['reason']}" for e in errors), errors
        )
    raw = exc.extra if isinstance(exc.extra, list) else []
    errors = [
        {
            "field": _PARAMETER_NAMES.get(str(item.get("key")), str(item.get("key") or item.get("source") or "body")),
            "reason": str(item.get("message", "")),
        }
        for item in raw
        if isinstance(item, Mapping)
    ]
    if not errors and (missing := _MISSING_PARAMETER.match(str(exc.detail))):
        # Litestar names a missing required parameter in its message only.
        errors = [{"field": missing.group(2), "reason": f"is required (a {missing.group(1)} parameter)"}]
    # Litestar marks query, path, header and cookie errors with their source; a body error comes with no
    # source (or "body"). A malformed parameter is a 400, a body that breaks its schema a 422.
    in_body = any(isinstance(item, Mapping) and item.get("source") in (None, "body") for item in raw)
    status = 422 if in_body else 400
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors) or str(exc.detail)
    return _problem(status, "validation", "Invalid request", detail, errors)


def _from_http(exc: HTTPException) -> ProblemDetailsException:
    if exc.status_code == 500 and isinstance(exc.__cause__, ExtendedMsgSpecValidationError):
        # Litestar reports a body error whose field is named like one of the handler's dependencies (e.g.
        # {"version": 1} beside the "version" dependency) as a server failure. It is the client's body.
        errors = _body_errors(exc.__cause__)
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
        return _problem(422, "validation", "Invalid request", detail, errors)
    errors = exc.extra if isinstance(exc.extra, list) else []
    if not errors and isinstance(exc.__cause__, SerializationException):
        # The body could not be decoded at all (Litestar wraps the decoder's error in a ClientException).
        errors = [{"field": "body", "reason": f"is not valid JSON: {exc.detail}"}]
    return ProblemDetailsException(
        status_code=exc.status_code,
        title=exc.detail,
        detail=exc.detail,
        headers=exc.headers,
        extra={"errors": errors},
    )


def _from_repository(exc: aa_exc.RepositoryError) -> ProblemDetailsException:
    # Every class in Advanced Alchemy's hierarchy is mapped here: its own default handler is skipped once
    # any subclass has a handler (see ../shared/architecture.md).
    if isinstance(exc.__cause__, OperationalError):
        return _from_operational(exc.__cause__)
    if isinstance(exc.__cause__, StaleDataError):
        # Two writers read the same version; the database refused the second (see core/concurrency.py).
        return _problem(412, "stale", "Precondition failed", "Someone else changed the record first. Read it again.")
    if isinstance(exc, aa_exc.NotFoundError):
        return _problem(404, "not-found", "Not found", "No such record")
    if isinstance(exc, aa_exc.DuplicateKeyError):
        return _problem(409, "duplicate", "Conflict", "A record with that unique value already exists")
    if isinstance(exc, aa_exc.ForeignKeyError):
        return _problem(409, "reference", "Conflict", "The record is referenced by, or refers to, another record")
    if isinstance(exc, aa_exc.IntegrityError):
        return _problem(409, "integrity", "Conflict", "The change conflicts with existing data")
    log.error("repository_error", error=str(exc))
    return _problem(500, "internal", "Internal server error", "The request could not be completed")


def _from_operational(exc: OperationalError) -> ProblemDetailsException:
    if "database is locked" in str(exc.orig):
        # SQLite's single writer stayed busy past busy_timeout: the request did nothing and may be retried.
        return _problem(
            503,
            "busy",
            "Service busy",
            "The database is busy with other changes; retry shortly",
            headers={"Retry-After": "1"},
        )
    return _from_unexpected(exc)


def _from_unexpected(exc: Exception) -> ProblemDetailsException:
    log.exception("unhandled_error", error_type=type(exc).__name__)
    return _problem(500, "internal", "Internal server error", "The request could not be completed")


def problem_details_config() -> ProblemDetailsConfig:
    mapping: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
        DomainError: _from_domain,
        ValidationException: _from_validation,
        HTTPException: _from_http,
        aa_exc.RepositoryError: _from_repository,
        aa_exc.NotFoundError: _from_repository,
        aa_exc.IntegrityError: _from_repository,
        aa_exc.DuplicateKeyError: _from_repository,
        aa_exc.ForeignKeyError: _from_repository,
        aa_exc.MultipleResultsFoundError: _from_repository,
        aa_exc.InvalidRequestError: _from_repository,
        StaleDataError: lambda exc: _problem(
            412, "stale", "Precondition failed", "Someone else changed the record first. Read it again."
        ),
        OperationalError: _from_operational,
        Exception: _from_unexpected,
    }
    return ProblemDetailsConfig(exception_to_problem_detail_map=mapping)


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem, description=description, media_type=PROBLEM_MEDIA_TYPE, generate_examples=False
    )


_ALL = {
    400: _spec("Malformed request: a parameter is missing or has the wrong form"),
    401: _spec("Not authenticated"),
    403: _spec("Authenticated but not allowed"),
    404: _spec("No such record"),
    409: _spec("Conflicts with existing data (duplicate or still referenced)"),
    412: _spec("The If-Match version is stale"),
    413: _spec("Request body too large"),
    422: _spec("The request breaks a rule: each failing field is named with its reason"),
    428: _spec("If-Match is required"),
    429: _spec("Too many requests"),
    503: _spec("Busy: retry after the Retry-After seconds"),
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI response specs for the problem statuses a handler can answer."""
    return {status: _ALL[status] for status in statuses}


READ_ONE = problem_responses(400, 401, 404)
READ_MANY = problem_responses(400, 401, 422)
CREATE = problem_responses(400, 401, 403, 404, 409, 413, 422)
UPDATE = problem_responses(400, 401, 403, 404, 409, 412, 413, 422, 428)
DELETE = problem_responses(400, 401, 403, 404, 409, 412, 422, 428)
