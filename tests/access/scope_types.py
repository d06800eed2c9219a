"""The shape of a scope case (see tests/access/scope_cases.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

ScopedRequest = tuple[str, Any, dict[str, str]]


@dataclass(frozen=True)
class ScopeCase:
    method: str  # lower case, as in OpenAPI
    path: str  # the OpenAPI path template, e.g. "/api/registers/{register_id}/risks"
    build: Callable[[AsyncTestClient[Litestar], str], Awaitable[ScopedRequest]]
