"""The SQL forms of the register rules (registers/queries.py) agree with the Python rules (registers/rules.py)
row by row, on every engine: every category x every cell of the matrix x every status x review dates around
today, and every action status x due dates around today."""

from __future__ import annotations

import itertools
from datetime import timedelta
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.registers import queries, rules
from risk_register.registers.enums import ActionStatus, RegisterLevel, RiskStatus
from risk_register.registers.models import Register, Risk, RiskAction, RiskVersion
from risk_register.settings import PROJECT_ROOT
from tests.conftest import TODAY

RULES = rules.load_register_rules(PROJECT_ROOT / "config")
REVIEW_DATES = [None, TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1)]
AUDIT = {"version": 1}


async def _register(db: AsyncSession) -> UUID:
    register_id = uuid7()
    await db.execute(
        insert(Register),
        [
            {
                "id": register_id,
                "level": RegisterLevel.AREA,
                "area_code": "london",
                "region_code": None,
                "scope_key": "area:london",
                "name": "London",
                "owner": "AED",
                **AUDIT,
            }
        ],
    )
    return register_id


async def test_band_appetite_and_review_rules_agree_in_sql_and_python(db) -> None:
    register_id = await _register(db)
    rows = []
    combos = itertools.product(sorted(RULES.categories), range(1, 6), range(1, 6), list(RiskStatus), REVIEW_DATES)
    for n, (category, likelihood, impact, status, review) in enumerate(combos):
        if n % 7:  # a spread of every combination, not all 5,200
            continue
        rows.append(
            {
                "id": uuid7(),
                "register_id": register_id,
                "reference": f"R{n}",
                "title": "t",
                "category": category,
                "owner": "o",
                "residual_likelihood": likelihood,
                "residual_impact": impact,
                "status": status,
                "identified_on": TODAY - timedelta(days=400),
                "next_review_on": review,
                **AUDIT,
            }
        )
    # and one risk in a category the config no longer has
    rows.append(
        {**rows[0], "id": uuid7(), "reference": "GONE", "category": "retired-category", "residual_likelihood": 5}
    )
    await db.execute(insert(Risk), rows)
    band = queries.band_code(queries.residual_score(Risk), RULES)
    result = await db.execute(
        select(
            Risk.reference,
            Risk.category,
            Risk.status,
            Risk.residual_likelihood,
            Risk.residual_impact,
            Risk.next_review_on,
            queries.residual_score(Risk),
            band,
            queries.above_appetite(Risk, RULES),
            queries.review_overdue(Risk, TODAY),
        )
    )
    checked = 0
    for ref, category, status, likelihood, impact, review, sql_score, sql_band, sql_above, sql_overdue in result:
        value = rules.score(likelihood, impact)
        python_band = rules.band_of(value, RULES)
        assert sql_score == value, ref
        assert sql_band == (python_band.code if python_band else None), ref
        assert bool(sql_above) is rules.is_above_appetite(value, category, RULES), ref
        assert bool(sql_overdue) is rules.is_review_overdue(RiskStatus(status), review, TODAY), ref
        checked += 1
    assert checked == len(rows)
    # The negations the list filters use (NOT ...) agree too: every row is in exactly one of each pair.
    for condition in (queries.above_appetite(Risk, RULES), queries.review_overdue(Risk, TODAY)):
        yes = set((await db.scalars(select(Risk.reference).where(condition))).all())
        no = set((await db.scalars(select(Risk.reference).where(~condition))).all())
        assert not yes & no
        assert len(yes | no) == len(rows)


async def test_action_overdue_agrees_in_sql_and_python(db) -> None:
    register_id = await _register(db)
    risk_id = uuid7()
    await db.execute(
        insert(Risk),
        [
            {
                "id": risk_id,
                "register_id": register_id,
                "reference": "R",
                "title": "t",
                "category": "estates",
                "owner": "o",
                "residual_likelihood": 1,
                "residual_impact": 1,
                "status": RiskStatus.OPEN,
                "identified_on": TODAY,
                **AUDIT,
            }
        ],
    )
    rows = []
    for status, offset in itertools.product(list(ActionStatus), (-2, -1, 0, 1)):
        rows.append(
            {
                "id": uuid7(),
                "risk_id": risk_id,
                "description": f"{status.value} {offset}",
                "owner": "o",
                "due_on": TODAY + timedelta(days=offset),
                "status": status,
                "completed_on": TODAY if status == ActionStatus.COMPLETED else None,
                **AUDIT,
            }
        )
    await db.execute(insert(RiskAction), rows)
    result = await db.execute(select(RiskAction.status, RiskAction.due_on, queries.action_overdue(TODAY)))
    for status, due, sql_overdue in result:
        assert bool(sql_overdue) is rules.is_action_overdue(ActionStatus(status), due, TODAY)


async def test_valid_at_picks_the_version_in_force_at_the_end_of_the_day(db) -> None:
    register_id = await _register(db)
    risk_id = uuid7()
    base = {
        "register_id": register_id,
        "reference": "R",
        "title": "t",
        "category": "estates",
        "owner": "o",
        "residual_likelihood": 1,
        "residual_impact": 1,
        "status": RiskStatus.OPEN,
        "identified_on": TODAY - timedelta(days=30),
    }
    await db.execute(insert(Risk), [{"id": risk_id, **base, **AUDIT}])
    d1, d2 = TODAY - timedelta(days=10), TODAY - timedelta(days=5)
    spans = [(1, d1, d2), (2, d2, d2), (3, d2, None)]  # version 2 was replaced the day it was made
    await db.execute(
        insert(RiskVersion),
        [
            {
                "id": uuid7(),
                "risk_id": risk_id,
                "version_no": no,
                "valid_from": start,
                "valid_to": end,
                "recorded_by": "t",
                "source": "api",
                "changed": [],
                **base,
            }
            for no, start, end in spans
        ],
    )

    async def version_at(days_ago: int) -> list[int]:
        day = TODAY - timedelta(days=days_ago)
        found = await db.scalars(select(RiskVersion.version_no).where(queries.valid_at(RiskVersion, day)))
        return list(found.all())

    assert await version_at(11) == []
    assert await version_at(10) == [1]
    assert await version_at(6) == [1]
    assert await version_at(5) == [3]
    assert await version_at(0) == [3]
