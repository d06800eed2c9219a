"""The register rules lists must filter or sort on, stated as SQL expressions.

Each mirrors one function in registers/rules.py and is built from the same configuration and constants;
tests/integration/test_registers_sql_rules.py checks SQL and Python agree row by row on both engines.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, literal, null, or_

from risk_register.registers.enums import OPEN_ACTION_STATUSES, RiskStatus
from risk_register.registers.models import RiskAction
from risk_register.registers.rules import RegisterRules


def score(likelihood: Any, impact: Any) -> ColumnElement[Any]:
    """SQL form of rules.score (NULL when either half is NULL)."""
    return likelihood * impact


def residual_score(model: Any) -> ColumnElement[Any]:
    return score(model.residual_likelihood, model.residual_impact)


def band_code(score_expression: ColumnElement[Any], rules: RegisterRules) -> ColumnElement[Any]:
    """SQL form of rules.band_of(...).code."""
    return case(
        *[(score_expression.between(b.min_score, b.max_score), literal(b.code)) for b in rules.bands], else_=null()
    )


def tolerance(category_column: Any, rules: RegisterRules) -> ColumnElement[Any]:
    """The tolerance of each category's appetite (rules.appetite_of(...).tolerance)."""
    return case(
        {code: rules.appetites[c.appetite].tolerance for code, c in rules.categories.items()},
        value=category_column,
        else_=null(),
    )


def above_appetite(model: Any, rules: RegisterRules) -> ColumnElement[bool]:
    """SQL form of rules.is_above_appetite over the residual score."""
    limit = tolerance(model.category, rules)
    return and_(limit.is_not(None), residual_score(model) > limit)


def review_overdue(model: Any, today: date) -> ColumnElement[bool]:
    """SQL form of rules.is_review_overdue."""
    return and_(
        model.status != RiskStatus.CLOSED.value, model.next_review_on.is_not(None), model.next_review_on < today
    )


def action_open() -> ColumnElement[bool]:
    """SQL form of rules.is_action_open."""
    return RiskAction.status.in_([s.value for s in OPEN_ACTION_STATUSES])


def action_overdue(today: date) -> ColumnElement[bool]:
    """SQL form of rules.is_action_overdue."""
    return and_(action_open(), RiskAction.due_on < today)


def valid_at(model: Any, day: date) -> ColumnElement[bool]:
    """A version in force at the end of ``day``: began on or before it, not replaced by then."""
    return and_(model.valid_from <= day, or_(model.valid_to.is_(None), model.valid_to > day))
