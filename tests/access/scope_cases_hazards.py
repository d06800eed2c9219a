"""Scope cases for the hazards domain's Area-scoped write endpoints (see tests/access/scope_cases.py)."""

from __future__ import annotations

from tests.access.scope_types import ScopeCase

CASES: list[ScopeCase] = []
