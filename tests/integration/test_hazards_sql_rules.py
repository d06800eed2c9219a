"""The SQL forms of the hazards rules (hazards/queries.py) pick exactly the rows the Python rules
(hazards/rules.py) pick, on each engine, over an exhaustive grid of dates, outcomes and retirement."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.estates.enums import ConditionGrade, OperationalStatus, SiteType, Suitability, Tenure
from risk_register.estates.models import Site
from risk_register.hazards import queries, rules
from risk_register.hazards.enums import CheckOutcome, ControlStatus, FrequencyUnit
from risk_register.hazards.models import HazardControl, RiskAssessment
from tests.conftest import TODAY

OFFSETS = [-400, -31, -30, -8, -7, -2, -1, 0, 1, 2, 7, 8, 30, 400]
OUTCOMES = [None, *CheckOutcome]
RETIRED = [None, TODAY - timedelta(days=3)]


async def add_site(db: AsyncSession) -> Site:
    site = Site(
        code="SQL-1",
        name="Grid site",
        address="1 High Street",
        postcode="E1 1AA",
        region_code="london",
        pdu_code=None,
        site_type=SiteType.PROBATION_OFFICE,
        tenure=Tenure.FREEHOLD,
        condition_grade=ConditionGrade.B,
        suitability=Suitability.SUITABLE,
        operational_status=OperationalStatus.OPERATIONAL,
        staff_headcount=5,
    )
    db.add(site)
    await db.flush()
    return site


async def control_grid(db: AsyncSession) -> list[HazardControl]:
    site = await add_site(db)
    controls = [
        HazardControl(
            hazard_code="fire",
            template_code=None,
            title=f"{offset} {outcome} {retired}",
            site_id=site.id,
            owner="Owner",
            frequency_unit=FrequencyUnit.MONTH,
            frequency_count=1,
            first_due_on=TODAY - timedelta(days=500),
            retired_on=retired,
            next_due_on=TODAY + timedelta(days=offset),
            last_checked_on=None if outcome is None else TODAY - timedelta(days=10),
            last_outcome=outcome,
        )
        for offset, outcome, retired in itertools.product(OFFSETS, OUTCOMES, RETIRED)
    ]
    db.add_all(controls)
    await db.flush()
    return controls


async def ids(db: AsyncSession, model: Any, condition: Any) -> set[UUID]:
    return set((await db.scalars(select(model.id).where(condition))).all())


async def test_control_rules_agree_on_the_grid(db: AsyncSession) -> None:
    controls = await control_grid(db)
    assert await ids(db, HazardControl, queries.control_overdue(TODAY)) == {
        c.id for c in controls if rules.is_overdue(c.next_due_on, TODAY, c.retired_on)
    }
    assert await ids(db, HazardControl, queries.control_failing()) == {
        c.id for c in controls if rules.is_failing(c.last_outcome, c.retired_on)
    }
    for status in ControlStatus:
        assert await ids(db, HazardControl, queries.control_status_is(status, TODAY)) == {
            c.id for c in controls if rules.control_status(c.last_outcome, c.next_due_on, TODAY, c.retired_on) == status
        }, status
    for days in (0, 1, 7, 30):
        assert await ids(db, HazardControl, queries.control_due_within(TODAY, days)) == {
            c.id for c in controls if rules.is_due_within(c.next_due_on, TODAY, days, c.retired_on)
        }, days
    for min_days in (1, 2, 7, 8, 30, 31, 400, 401):
        assert await ids(db, HazardControl, queries.control_overdue_by_at_least(TODAY, min_days)) == {
            c.id for c in controls if rules.overdue_by_at_least(c.next_due_on, TODAY, min_days, c.retired_on)
        }, min_days


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    today_shift=st.integers(min_value=-60, max_value=60),
    min_days=st.integers(min_value=1, max_value=500),
    within=st.integers(min_value=0, max_value=366),
)
async def test_control_rules_agree_for_any_today(
    db: AsyncSession, today_shift: int, min_days: int, within: int
) -> None:
    existing = (await db.scalars(select(HazardControl))).all()
    controls = existing or await control_grid(db)
    today = TODAY + timedelta(days=today_shift)
    assert await ids(db, HazardControl, queries.control_overdue_by_at_least(today, min_days)) == {
        c.id for c in controls if rules.overdue_by_at_least(c.next_due_on, today, min_days, c.retired_on)
    }
    assert await ids(db, HazardControl, queries.control_due_within(today, within)) == {
        c.id for c in controls if rules.is_due_within(c.next_due_on, today, within, c.retired_on)
    }
    for status in ControlStatus:
        assert await ids(db, HazardControl, queries.control_status_is(status, today)) == {
            c.id for c in controls if rules.control_status(c.last_outcome, c.next_due_on, today, c.retired_on) == status
        }


async def test_assessment_rules_agree_on_the_grid(db: AsyncSession) -> None:
    site = await add_site(db)
    newest = RiskAssessment(
        hazard_code="fire",
        site_id=site.id,
        title="newest",
        assessor_name="A",
        assessed_on=TODAY - timedelta(days=1),
        review_interval_months=12,
        next_review_on=TODAY + timedelta(days=300),
        suitable_and_sufficient=True,
    )
    db.add(newest)
    await db.flush()
    assessments = [
        RiskAssessment(
            hazard_code="fire",
            site_id=site.id,
            title=f"{offset} {suitable} {superseded}",
            assessor_name="A",
            assessed_on=TODAY - timedelta(days=900),
            review_interval_months=12,
            next_review_on=TODAY + timedelta(days=offset),
            suitable_and_sufficient=suitable,
            superseded_by_id=newest.id if superseded else None,
        )
        for offset, suitable, superseded in itertools.product(OFFSETS, [True, False], [False, True])
    ]
    db.add_all(assessments)
    await db.flush()
    every = [newest, *assessments]
    assert await ids(db, RiskAssessment, queries.assessment_review_overdue(TODAY)) == {
        a.id for a in every if rules.review_overdue(a.next_review_on, TODAY, a.superseded_by_id is not None)
    }
    assert await ids(db, RiskAssessment, queries.assessment_needs_attention(TODAY)) == {
        a.id
        for a in every
        if a.superseded_by_id is None
        and (not a.suitable_and_sufficient or rules.review_overdue(a.next_review_on, TODAY))
    }
