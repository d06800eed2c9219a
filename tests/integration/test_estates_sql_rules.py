"""The SQL forms of the estates rules (estates/queries.py) agree with the Python rules (estates/rules.py),
row by row, on each engine."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.estates.enums import (
    BuildingSystem,
    ConditionGrade,
    OperationalStatus,
    RemediationStatus,
    RepairPriority,
    SiteType,
    Suitability,
    Tenure,
)
from risk_register.estates.models import RemediationAction, Site
from risk_register.estates.queries import belongs_to_matching_site, remediation_open, remediation_overdue, site_matches
from risk_register.estates.remediation_list import RemediationListQuery
from risk_register.estates.rules import is_remediation_open, is_remediation_overdue
from risk_register.estates.services import RemediationService
from risk_register.organisation.reference import Organisation
from tests.conftest import TODAY

OFFSETS = [-400, -30, -2, -1, 0, 1, 2, 30, 400]


async def add_site(db: AsyncSession, code: str, region_code: str = "london", **overrides: object) -> Site:
    values: dict[str, object] = {
        "code": code,
        "name": f"Site {code}",
        "address": "1 High Street",
        "postcode": "E1 1AA",
        "region_code": region_code,
        "pdu_code": None,
        "site_type": SiteType.PROBATION_OFFICE,
        "tenure": Tenure.FREEHOLD,
        "condition_grade": ConditionGrade.B,
        "suitability": Suitability.SUITABLE,
        "operational_status": OperationalStatus.OPERATIONAL,
        "staff_headcount": 5,
    }
    values.update(overrides)
    site = Site(**values)
    db.add(site)
    await db.flush()
    return site


def action(site_id: UUID, status: RemediationStatus, target: date) -> RemediationAction:
    reported = min(target, TODAY) - timedelta(days=3)
    return RemediationAction(
        site_id=site_id,
        system=BuildingSystem.WATER,
        description=f"{status.value} due {target.isoformat()}",
        priority=RepairPriority.P2,
        status=status,
        reported_on=reported,
        target_date=target,
        completed_on=reported if status == RemediationStatus.COMPLETED else None,
    )


async def ids_where(db: AsyncSession, *conditions) -> set[UUID]:  # type: ignore[no-untyped-def]
    return set((await db.scalars(select(RemediationAction.id).where(*conditions))).all())


async def every_status_on_every_offset(db: AsyncSession, site_code: str) -> list[RemediationAction]:
    """One action for each status due on each of OFFSETS' days from TODAY, committed."""
    site = await add_site(db, site_code)
    rows = [
        action(site.id, status, TODAY + timedelta(days=offset))
        for status, offset in itertools.product(RemediationStatus, OFFSETS)
    ]
    db.add_all(rows)
    await db.commit()
    return rows


async def test_overdue_and_open_agree_on_an_exhaustive_grid(db: AsyncSession) -> None:
    rows = await every_status_on_every_offset(db, "GRID-1")

    overdue = await ids_where(db, remediation_overdue(TODAY))
    assert overdue == {r.id for r in rows if is_remediation_overdue(r.status, r.target_date, TODAY)}
    not_overdue = await ids_where(db, ~remediation_overdue(TODAY))
    assert not_overdue == {r.id for r in rows} - overdue
    open_ = await ids_where(db, remediation_open())
    assert open_ == {r.id for r in rows if is_remediation_open(r.status)}

    # The boundary, spelled out: due today is not overdue, due yesterday is.
    by_key = {(r.status, (r.target_date - TODAY).days): r.id for r in rows}
    assert by_key[(RemediationStatus.REPORTED, 0)] not in overdue
    assert by_key[(RemediationStatus.REPORTED, -1)] in overdue
    assert by_key[(RemediationStatus.COMPLETED, -400)] not in overdue
    assert by_key[(RemediationStatus.CANCELLED, -1)] not in overdue


async def test_overdue_moves_with_the_today_passed_in(db: AsyncSession) -> None:
    site = await add_site(db, "GRID-2")
    rows = [action(site.id, RemediationStatus.IN_PROGRESS, TODAY + timedelta(days=o)) for o in OFFSETS]
    db.add_all(rows)
    await db.commit()
    for shift in (-31, -1, 0, 1, 401):
        today = TODAY + timedelta(days=shift)
        expected = {r.id for r in rows if is_remediation_overdue(r.status, r.target_date, today)}
        assert await ids_where(db, remediation_overdue(today)) == expected, shift


async def test_the_cached_list_statement_binds_today_each_time(db: AsyncSession) -> None:
    """The remediation list builds its statements once per shape (remediation_list.py): asking on another day,
    or for the other half, must still answer by the rule for that day."""
    rows = await every_status_on_every_offset(db, "GRID-3")
    service = RemediationService(session=db)
    for shift, overdue in itertools.product((-31, -1, 0, 1, 401), (True, False)):
        today = TODAY + timedelta(days=shift)
        query = RemediationListQuery(today=today, overdue=overdue, sort="target_date", descending=False, limit=500)
        listed, total = await service.list_page(query)
        expected = {r.id for r in rows if is_remediation_overdue(r.status, r.target_date, today) is overdue}
        assert {row["id"] for row in listed} == expected, (shift, overdue)
        assert total == len(expected)
        targets = [row["target_date"] for row in listed]
        assert targets == sorted(targets)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(list(RemediationStatus)),
            st.dates(min_value=date(1995, 1, 1), max_value=date(2055, 12, 31)),
        ),
        min_size=1,
        max_size=15,
    ),
    today=st.one_of(st.just(TODAY), st.dates(min_value=date(2000, 1, 1), max_value=date(2050, 12, 31))),
)
async def test_overdue_agrees_for_any_statuses_and_dates(
    db: AsyncSession, rows: list[tuple[RemediationStatus, date]], today: date
) -> None:
    site = await db.scalar(select(Site).where(Site.code == "PROP-1")) or await add_site(db, "PROP-1")
    await db.execute(delete(RemediationAction))
    actions = [action(site.id, status, target) for status, target in rows]
    db.add_all(actions)
    await db.commit()
    expected = {a.id for a in actions if is_remediation_overdue(a.status, a.target_date, today)}
    assert await ids_where(db, remediation_overdue(today)) == expected
    assert await ids_where(db, remediation_open()) == {a.id for a in actions if is_remediation_open(a.status)}


async def test_site_matches_agrees_with_the_organisation(db: AsyncSession, organisation: Organisation) -> None:
    london_pdu = organisation.region("london").pdus[0].code  # type: ignore[union-attr]
    sites = [
        await add_site(db, "ORG-1", "london", pdu_code=london_pdu),
        await add_site(db, "ORG-2", "london", site_type=SiteType.UNPAID_WORK),
        await add_site(db, "ORG-3", "north-west", site_type=SiteType.UNPAID_WORK),
        await add_site(db, "ORG-4", "greater-manchester", site_type=SiteType.APPROVED_PREMISES),
        await add_site(db, "ORG-5", "wales"),
    ]
    await db.commit()

    async def codes(**filters: object) -> set[str]:
        conditions = site_matches(organisation, **filters)  # type: ignore[arg-type]
        return set((await db.scalars(select(Site.code).where(*conditions))).all())

    assert await codes() == {s.code for s in sites}
    assert await codes(area="north-west") == {"ORG-3", "ORG-4"}
    assert await codes(area="london") == {"ORG-1", "ORG-2"}
    assert await codes(area="midlands") == set()
    assert await codes(region="greater-manchester") == {"ORG-4"}
    assert await codes(pdu=london_pdu) == {"ORG-1"}
    assert await codes(site_types=[SiteType.UNPAID_WORK]) == {"ORG-2", "ORG-3"}
    assert await codes(site_types=[SiteType.UNPAID_WORK, SiteType.APPROVED_PREMISES]) == {"ORG-2", "ORG-3", "ORG-4"}
    assert await codes(area="north-west", site_types=[SiteType.UNPAID_WORK]) == {"ORG-3"}
    for area in organisation.areas:
        expected = {s.code for s in sites if s.region_code in area.region_codes}
        assert await codes(area=area.code) == expected, area.code

    # Child tables filtered through the site.
    for site in sites:
        db.add(action(site.id, RemediationStatus.REPORTED, TODAY - timedelta(days=5)))
    await db.commit()
    by_site = {s.id: s.code for s in sites}
    conditions = belongs_to_matching_site(
        RemediationAction.site_id,  # type: ignore[arg-type]
        site_matches(organisation, site_types=[SiteType.UNPAID_WORK]),
    )
    site_ids = (await db.scalars(select(RemediationAction.site_id).where(*conditions))).all()
    assert {by_site[i] for i in site_ids} == {"ORG-2", "ORG-3"}
    assert belongs_to_matching_site(RemediationAction.site_id, []) == []  # type: ignore[arg-type]
