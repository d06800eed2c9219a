"""The estate summary through HTTP, on data whose numbers are known by construction."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import (
    Cases,
    assert_problem,
    completed_project,
    create_action,
    create_finding,
    create_project,
    create_site,
    day,
)

SUMMARY = "/api/estate/summary"
BOLTON = "greater-manchester--bolton"


def split(upw: int, rest: int) -> dict[str, int]:
    return {"unpaid_work": upw, "rest_of_estate": rest, "total": upw + rest}


def empty(code: str, name: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "sites": split(0, 0),
        "by_type": {},
        "by_tenure": {},
        "by_condition": {},
        "by_suitability": {},
        "by_accessibility": {},
        "open_remediation": split(0, 0),
        "overdue_remediation": split(0, 0),
        "refurbishments_completed": {},
    }


@pytest.fixture
async def estate(client) -> None:  # type: ignore[no-untyped-def]
    """Five sites in two Areas (three regions) with repairs, refurbishments and access findings."""

    async def site(code: str, region: str, site_type: str, tenure: str, grade: str, suitability: str) -> str:
        lease = {"lease_end_date": day(400)} if tenure == "leasehold" else {}
        created = await create_site(
            client,
            code=code,
            pdu_code=BOLTON if code == "S1" else None,
            region_code=region,
            site_type=site_type,
            tenure=tenure,
            condition_grade=grade,
            suitability=suitability,
            **lease,
        )
        return str(created["id"])

    s1 = await site("S1", "greater-manchester", "probation_office", "freehold", "A", "suitable")
    s2 = await site("S2", "greater-manchester", "unpaid_work", "leasehold", "D", "unsuitable_replacement_required")
    s3 = await site("S3", "north-west", "unpaid_work", "leasehold", "C", "needs_major_refurbishment")
    s4 = await site("S4", "london", "approved_premises", "other", "B", "suitable")
    s5 = await site("S5", "london", "unpaid_work", "freehold", "B", "suitable")

    await create_finding(client, s2, priority=1)
    await create_finding(client, s3, priority=2)
    await create_finding(client, s4, priority=1, status="resolved", resolved_on=day(-1))  # does not count

    async def repair(site_id: str, target: int, **extra: Any) -> None:
        await create_action(client, site_id, reported_on=day(min(target, 0) - 5), target_date=day(target), **extra)

    await repair(s1, -3)  # open, overdue
    await repair(s1, 5)  # open
    await repair(s1, -20, status="completed", completed_on=day(-1))
    await repair(s1, 0)  # open, due today: not overdue
    await repair(s2, -1)  # open, overdue
    await repair(s2, -9, status="parts_awaited")  # open, overdue
    await repair(s2, -9, status="cancelled")
    await repair(s4, 3, status="in_progress")  # open
    await repair(s5, -2)  # open, overdue

    await create_project(client, s1, **completed_project())
    await create_project(client, s1, kind="redecoration_or_refurnish")  # proposed: not counted
    await create_project(client, s2, kind="redecoration_or_refurnish", **completed_project())
    await create_project(client, s3, **completed_project())
    await create_project(client, s5, kind="planned_maintenance", **completed_project())
    await create_project(client, s4, status="in_progress", actual_start=day(-10))  # not complete


NORTH_WEST = {
    "sites": split(2, 1),
    "by_type": {"probation_office": split(0, 1), "unpaid_work": split(2, 0)},
    "by_tenure": {"freehold": split(0, 1), "leasehold": split(2, 0)},
    "by_condition": {"A": split(0, 1), "C": split(1, 0), "D": split(1, 0)},
    "by_suitability": {
        "needs_major_refurbishment": split(1, 0),
        "suitable": split(0, 1),
        "unsuitable_replacement_required": split(1, 0),
    },
    "by_accessibility": {"accessible": split(0, 1), "inaccessible": split(1, 0), "partially_accessible": split(1, 0)},
    "open_remediation": split(2, 3),
    "overdue_remediation": split(2, 1),
    "refurbishments_completed": {"major_refurbishment": split(1, 1), "redecoration_or_refurnish": split(1, 0)},
}
LONDON = {
    "sites": split(1, 1),
    "by_type": {"approved_premises": split(0, 1), "unpaid_work": split(1, 0)},
    "by_tenure": {"freehold": split(1, 0), "other": split(0, 1)},
    "by_condition": {"B": split(1, 1)},
    "by_suitability": {"suitable": split(1, 1)},
    "by_accessibility": {"accessible": split(1, 1)},
    "open_remediation": split(1, 1),
    "overdue_remediation": split(1, 0),
    "refurbishments_completed": {"planned_maintenance": split(1, 0)},
}
GREATER_MANCHESTER = {
    "sites": split(1, 1),
    "by_type": {"probation_office": split(0, 1), "unpaid_work": split(1, 0)},
    "by_tenure": {"freehold": split(0, 1), "leasehold": split(1, 0)},
    "by_condition": {"A": split(0, 1), "D": split(1, 0)},
    "by_suitability": {"suitable": split(0, 1), "unsuitable_replacement_required": split(1, 0)},
    "by_accessibility": {"accessible": split(0, 1), "inaccessible": split(1, 0)},
    "open_remediation": split(2, 3),
    "overdue_remediation": split(2, 1),
    "refurbishments_completed": {"major_refurbishment": split(0, 1), "redecoration_or_refurnish": split(1, 0)},
}
NORTH_WEST_REGION = {
    "sites": split(1, 0),
    "by_type": {"unpaid_work": split(1, 0)},
    "by_tenure": {"leasehold": split(1, 0)},
    "by_condition": {"C": split(1, 0)},
    "by_suitability": {"needs_major_refurbishment": split(1, 0)},
    "by_accessibility": {"partially_accessible": split(1, 0)},
    "open_remediation": split(0, 0),
    "overdue_remediation": split(0, 0),
    "refurbishments_completed": {"major_refurbishment": split(1, 0)},
}
NATIONAL = {
    "code": "national",
    "name": "National",
    "sites": split(3, 2),
    "by_type": {"approved_premises": split(0, 1), "probation_office": split(0, 1), "unpaid_work": split(3, 0)},
    "by_tenure": {"freehold": split(1, 1), "leasehold": split(2, 0), "other": split(0, 1)},
    "by_condition": {"A": split(0, 1), "B": split(1, 1), "C": split(1, 0), "D": split(1, 0)},
    "by_suitability": {
        "needs_major_refurbishment": split(1, 0),
        "suitable": split(1, 2),
        "unsuitable_replacement_required": split(1, 0),
    },
    "by_accessibility": {"accessible": split(1, 2), "inaccessible": split(1, 0), "partially_accessible": split(1, 0)},
    "open_remediation": split(3, 4),
    "overdue_remediation": split(3, 1),
    "refurbishments_completed": {
        "major_refurbishment": split(1, 1),
        "planned_maintenance": split(1, 0),
        "redecoration_or_refurnish": split(1, 0),
    },
}


async def summary(client, **params: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.get(SUMMARY, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["as_of"] == day(0)
    return body


async def test_summary_by_area(client, estate, organisation) -> None:  # type: ignore[no-untyped-def]
    body = await summary(client)  # group_by defaults to area
    assert body["group_by"] == "area"
    expected = {a.code: empty(a.code, a.name) for a in organisation.areas}
    expected["north-west"].update(NORTH_WEST)
    expected["london"].update(LONDON)
    assert [g["code"] for g in body["groups"]] == [a.code for a in organisation.areas]
    cases = Cases()
    for group in body["groups"]:
        with cases.case(group["code"]):
            assert group == expected[group["code"]]
    with cases.case("national"):
        assert body["total"] == NATIONAL
    cases.check()
    assert await summary(client, group_by="area") == body


async def test_summary_by_region(client, estate, organisation) -> None:  # type: ignore[no-untyped-def]
    body = await summary(client, group_by="region")
    assert body["group_by"] == "region"
    assert [(g["code"], g["name"]) for g in body["groups"]] == [(r.code, r.name) for r in organisation.regions]
    groups = {g["code"]: g for g in body["groups"]}
    cases = Cases()
    for code, numbers in (
        ("greater-manchester", GREATER_MANCHESTER),
        ("north-west", NORTH_WEST_REGION),
        ("london", LONDON),
    ):
        with cases.case(code):
            assert {k: v for k, v in groups[code].items() if k not in {"code", "name"}} == numbers
    with cases.case("the rest are empty"):
        assert all(
            g["sites"]["total"] == 0
            for c, g in groups.items()
            if c not in {"greater-manchester", "north-west", "london"}
        )
    with cases.case("national"):
        assert body["total"] == NATIONAL
    cases.check()


async def test_summary_totals_add_up(client, estate) -> None:  # type: ignore[no-untyped-def]
    for group_by in ("area", "region"):
        body = await summary(client, group_by=group_by)
        for key in ("sites", "open_remediation", "overdue_remediation"):
            for part in ("unpaid_work", "rest_of_estate", "total"):
                assert sum(g[key][part] for g in body["groups"]) == body["total"][key][part], (group_by, key, part)
        for group in [*body["groups"], body["total"]]:
            for table in ("by_type", "by_tenure", "by_condition", "by_suitability", "by_accessibility"):
                for part in ("unpaid_work", "rest_of_estate", "total"):
                    assert sum(s[part] for s in group[table].values()) == group["sites"][part], (group["code"], table)
            for s in [group["sites"], group["open_remediation"], group["overdue_remediation"]]:
                assert s["total"] == s["unpaid_work"] + s["rest_of_estate"]


async def test_summary_filters(client, estate) -> None:  # type: ignore[no-untyped-def]
    cases = Cases()
    with cases.case("area=north-west, by region"):
        body = await summary(client, group_by="region", area="north-west")
        assert [g["code"] for g in body["groups"]] == ["north-west", "greater-manchester"]
        assert {k: v for k, v in body["total"].items() if k not in {"code", "name"}} == NORTH_WEST
    with cases.case("region=london, by area"):
        body = await summary(client, region="london")
        assert [g["code"] for g in body["groups"]] == ["london"]
        assert {k: v for k, v in body["groups"][0].items() if k not in {"code", "name"}} == LONDON
    with cases.case("region=greater-manchester, by region"):
        body = await summary(client, group_by="region", region="greater-manchester")
        assert [g["code"] for g in body["groups"]] == ["greater-manchester"]
        assert body["total"]["sites"] == split(1, 1)
    with cases.case("one PDU"):
        body = await summary(client, pdu=BOLTON)
        assert body["total"]["sites"] == split(0, 1)
        assert body["total"]["open_remediation"] == split(0, 3)
        assert body["total"]["overdue_remediation"] == split(0, 1)
        assert body["total"]["refurbishments_completed"] == {"major_refurbishment": split(0, 1)}
    with cases.case("area with no sites"):
        body = await summary(client, area="wales")
        assert body["groups"] == [empty("wales", "Wales")]
        assert body["total"]["sites"] == split(0, 0)
    with cases.case("UPW only"):
        body = await summary(client, site_type="unpaid_work")
        total = body["total"]
        assert total["sites"] == split(3, 0)
        assert total["open_remediation"] == split(3, 0)
        assert total["overdue_remediation"] == split(3, 0)
        assert total["refurbishments_completed"] == {
            "major_refurbishment": split(1, 0),
            "planned_maintenance": split(1, 0),
            "redecoration_or_refurnish": split(1, 0),
        }
    with cases.case("the rest of the estate only"):
        body = await summary(client, site_type=["probation_office", "approved_premises"])
        assert body["total"]["sites"] == split(0, 2)
        assert body["total"]["overdue_remediation"] == split(0, 1)
    with cases.case("area and region that do not overlap"):
        body = await summary(client, area="london", region="wales")
        assert body["groups"] == []
        assert body["total"]["sites"] == split(0, 0)
    for params, status, field in [
        ({"group_by": "pdu"}, 400, "group_by"),
        ({"site_type": "castle"}, 400, "site_type"),
        ({"area": "atlantis"}, 422, "area"),
        ({"region": "atlantis"}, 422, "region"),
        ({"pdu": "atlantis--x"}, 422, "pdu"),
    ]:
        with cases.case(params):
            assert_problem(await client.get(SUMMARY, params=params), status, field)
    cases.check()


async def test_summary_of_an_empty_estate(client, organisation) -> None:  # type: ignore[no-untyped-def]
    body = await summary(client, group_by="region")
    assert body["groups"] == [empty(r.code, r.name) for r in organisation.regions]
    assert body["total"] == empty("national", "National")
