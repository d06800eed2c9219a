"""Domain errors raised by services and rules, turned into RFC 9457 problem details in core.problems."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One reason a request is refused, naming the field it is about."""

    field: str
    reason: str
    row: int | None = None  # for imports: 1-based line in the uploaded file

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"field": self.field, "reason": self.reason}
        if self.row is not None:
            data["row"] = self.row
        return data


class DomainError(Exception):
    status_code = 400
    title = "Bad request"

    def __init__(self, detail: str, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = problems or []


class MalformedParameter(DomainError):
    """A query, path or header parameter whose form is wrong (the 400 Litestar answers for a type it parses
    itself, for the parameters a dependency parses by hand)."""

    status_code = 400
    title = "Bad request"


class RuleViolation(DomainError):
    """The request is well formed but breaks a domain rule (dates out of order, unknown region...)."""

    status_code = 422
    title = "Unprocessable content"

    @classmethod
    def of(cls, *problems: FieldProblem) -> RuleViolation:
        return cls("; ".join(f"{p.field}: {p.reason}" for p in problems), list(problems))


class NotFound(DomainError):
    status_code = 404
    title = "Not found"


class Conflict(DomainError):
    status_code = 409
    title = "Conflict"


def raise_if_any(problems: list[FieldProblem]) -> None:
    if problems:
        raise RuleViolation.of(*problems)


class Forbidden(DomainError):
    status_code = 403
    title = "Forbidden"


class PreconditionFailed(DomainError):
    """The caller's If-Match version is not the record's current version: someone else changed it first."""

    status_code = 412
    title = "Precondition failed"


class PreconditionRequired(DomainError):
    status_code = 428
    title = "Precondition required"
