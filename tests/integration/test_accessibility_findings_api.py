"""Access-audit findings through HTTP, the site accessibility status they drive, and the accessibility report."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from tests.helpers import (
    ANY_VERSION,
    FINDINGS,
    SITES,
    Cases,
    assert_problem,
    create_finding,
    create_site,
    day,
    delete,
    finding_payload,
    get_json,
    list_page,
    list_total,
    patch,
)

REPORT = "/api/estate/accessibility"


async def accessibility(client, site: dict[str, Any]) -> str:  # type: ignore[no-untyped-def]
    return str((await get_json(client, f"{SITES}/{site['id']}"))["accessibility_status"])


# --- create and read ------------------------------------------------------------------------------------


async def test_create_then_read(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client, code="FND-1", site_type="unpaid_work", region_code="wales")
    response = await client.post(
        FINDINGS,
        json=finding_payload(site["id"], category="toilets", priority=3, target_date=day(60), raised_on=day(-10)),
    )
    assert response.status_code == 201, response.text
    finding = response.json()
    assert finding["site"] == {
        "id": site["id"],
        "code": "FND-1",
        "name": site["name"],
        "site_type": "unpaid_work",
        "region_code": "wales",
        "area_code": "wales",
    }
    assert finding["status"] == "open"
    assert (finding["category"], finding["priority"]) == ("toilets", 3)
    assert (finding["raised_on"], finding["target_date"], finding["resolved_on"]) == (day(-10), day(60), None)
    assert finding["accepted_reason"] is None
    assert finding["version"] == 1
    assert await get_json(client, f"{FINDINGS}/{finding['id']}") == finding


async def test_unknown_and_malformed_ids(client) -> None:  # type: ignore[no-untyped-def]
    missing = uuid4()
    assert_problem(await client.get(f"{FINDINGS}/{missing}"), 404)
    assert_problem(await client.patch(f"{FINDINGS}/{missing}", json={"priority": 1}, headers=ANY_VERSION), 404)
    assert_problem(await client.delete(f"{FINDINGS}/{missing}", headers=ANY_VERSION), 404)
    assert_problem(await client.get(f"{FINDINGS}/not-a-uuid"), 404)
    assert_problem(await client.patch(f"{FINDINGS}/not-a-uuid", json={"priority": 1}, headers=ANY_VERSION), 404)


# --- the site's accessibility follows its open findings -----------------------------------------------------


async def test_site_accessibility_follows_open_findings(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client)
    other = await create_site(client)
    assert await accessibility(client, site) == "accessible"

    p4 = await create_finding(client, site["id"], priority=4)
    assert await accessibility(client, site) == "accessible"
    p3 = await create_finding(client, site["id"], priority=3)
    assert await accessibility(client, site) == "partially_accessible"
    p1 = await create_finding(client, site["id"], priority=1, category="lifts_and_stairs")
    assert await accessibility(client, site) == "inaccessible"
    assert await accessibility(client, other) == "accessible"

    # Resolving the worst finding leaves the next worst in charge.
    resolved = await patch(client, f"{FINDINGS}/{p1['id']}", {"status": "resolved", "resolved_on": day(0)})
    assert resolved.status_code == 200, resolved.text
    assert await accessibility(client, site) == "partially_accessible"

    # In progress still counts as open; accepted (with a reason) does not.
    assert (await patch(client, f"{FINDINGS}/{p3['id']}", {"status": "in_progress"})).status_code == 200
    assert await accessibility(client, site) == "partially_accessible"
    accepted = await patch(
        client, f"{FINDINGS}/{p3['id']}", {"status": "accepted", "accepted_reason": "Listed building"}
    )
    assert accepted.status_code == 200, accepted.text
    assert await accessibility(client, site) == "accessible"

    # Raising an open finding's severity, reopening a resolved one, and deleting.
    assert (await patch(client, f"{FINDINGS}/{p4['id']}", {"priority": 2})).status_code == 200
    assert await accessibility(client, site) == "partially_accessible"
    reopened = await patch(client, f"{FINDINGS}/{p1['id']}", {"status": "open", "resolved_on": None})
    assert reopened.status_code == 200, reopened.text
    assert await accessibility(client, site) == "inaccessible"
    assert (await delete(client, f"{FINDINGS}/{p1['id']}")).status_code == 204
    assert await accessibility(client, site) == "partially_accessible"
    assert (await delete(client, f"{FINDINGS}/{p4['id']}")).status_code == 204
    assert await accessibility(client, site) == "accessible"
    assert_problem(await client.get(f"{FINDINGS}/{p4['id']}"), 404)

    # The list filter on the site's status agrees.
    await create_finding(client, other["id"], priority=2)
    page = await list_page(client, SITES, accessibility_status="partially_accessible")
    assert [s["id"] for s in page["items"]] == [other["id"]]


async def test_a_finding_recorded_resolved_or_accepted_does_not_count(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client)
    await create_finding(client, site["id"], priority=1, status="resolved", resolved_on=day(-1))
    await create_finding(client, site["id"], priority=1, status="accepted", accepted_reason="Not reasonable")
    assert await accessibility(client, site) == "accessible"
    await create_finding(client, site["id"], priority=2, status="in_progress")
    assert await accessibility(client, site) == "partially_accessible"


# --- refusals -------------------------------------------------------------------------------------------


async def test_create_refusals_write_nothing(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client)
    refusals: list[tuple[str, int, str, dict[str, Any]]] = [
        (
            "resolved before raised",
            422,
            "resolved_on",
            {"status": "resolved", "raised_on": day(-5), "resolved_on": day(-6)},
        ),
        ("resolved in the future", 422, "resolved_on", {"status": "resolved", "resolved_on": day(1)}),
        ("resolved without date", 422, "resolved_on", {"status": "resolved"}),
        ("open with resolved date", 422, "resolved_on", {"status": "open", "resolved_on": day(-1)}),
        ("raised in the future", 422, "raised_on", {"raised_on": day(1)}),
        ("target before raised", 422, "target_date", {"raised_on": day(-5), "target_date": day(-6)}),
        ("accepted without reason", 422, "accepted_reason", {"status": "accepted"}),
        ("accepted with empty reason", 422, "accepted_reason", {"status": "accepted", "accepted_reason": ""}),
        *[(f"priority {v!r}", 422, "priority", {"priority": v}) for v in (0, 5, -1, True, "1", 1.5, 1.0, None)],
        ("unknown category", 422, "category", {"category": "car_park"}),
        ("unknown status", 422, "status", {"status": "closed"}),
        ("date dd/mm/yyyy", 422, "raised_on", {"raised_on": "01/02/2025"}),
        ("date as number", 422, "raised_on", {"raised_on": 20250101}),
        ("date not real", 422, "raised_on", {"raised_on": "2025-02-29"}),
        ("extra field", 422, "severity", {"severity": "high"}),
        ("unknown site", 422, "site_id", {"site_id": str(uuid4())}),
        ("malformed site id", 422, "site_id", {"site_id": "not-a-uuid"}),
        ("empty description", 422, "description", {"description": ""}),
        ("description as number", 422, "description", {"description": 7}),
    ]
    cases = Cases()
    for label, status, field, overrides in refusals:
        with cases.case(label):
            payload = finding_payload(site["id"], **{"priority": 1, **overrides})
            assert_problem(await client.post(FINDINGS, json=payload), status, field)
            assert await list_total(client, FINDINGS) == 0, "a refused create wrote a finding"
            assert await accessibility(client, site) == "accessible", "a refused create changed the site"
    cases.check()
    # The boundaries that are allowed.
    equal = await create_finding(client, site["id"], raised_on=day(0), target_date=day(0))
    assert equal["raised_on"] == equal["target_date"] == day(0)
    same_day = await create_finding(client, site["id"], status="resolved", raised_on=day(-3), resolved_on=day(-3))
    assert same_day["resolved_on"] == day(-3)


async def test_patch_refusals_write_nothing(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client)
    finding = await create_finding(client, site["id"], priority=3, raised_on=day(-10))
    url = f"{FINDINGS}/{finding['id']}"
    refusals: list[tuple[str, int, str, dict[str, Any]]] = [
        *[(f"null {f}", 422, f, {f: None}) for f in ("category", "description", "priority", "status", "raised_on")],
        ("resolved before raised", 422, "resolved_on", {"status": "resolved", "resolved_on": day(-11)}),
        ("resolved without date", 422, "resolved_on", {"status": "resolved"}),
        ("resolved date while open", 422, "resolved_on", {"resolved_on": day(-1)}),
        ("raised in the future", 422, "raised_on", {"raised_on": day(1)}),
        ("raised after target", 422, "target_date", {"target_date": day(-5), "raised_on": day(-4)}),
        ("accepted without reason", 422, "accepted_reason", {"status": "accepted"}),
        ("worse priority with a bad date", 422, "raised_on", {"priority": 1, "raised_on": day(1)}),
        ("priority true", 422, "priority", {"priority": True}),
        ("priority '1'", 422, "priority", {"priority": "1"}),
        ("priority 2.5", 422, "priority", {"priority": 2.5}),
        ("priority 0", 422, "priority", {"priority": 0}),
        ("date form", 422, "target_date", {"target_date": "2025/12/31"}),
        ("unknown enum", 422, "category", {"category": "car_park"}),
        ("extra field", 422, "severity", {"severity": "high"}),
        ("site moved", 422, "site_id", {"site_id": site["id"]}),
    ]
    cases = Cases()
    for label, status, field, body in refusals:
        with cases.case(label):
            before = await get_json(client, url)
            assert_problem(await patch(client, url, body), status, field)
            assert await get_json(client, url) == before, "a refused PATCH changed the finding"
            assert await accessibility(client, site) == "partially_accessible", "a refused PATCH changed the site"
    cases.check()

    # Accepted findings must keep their reason.
    accepted = await patch(client, url, {"status": "accepted", "accepted_reason": "Reasonable adjustment made"})
    assert accepted.status_code == 200, accepted.text
    before = await get_json(client, url)
    assert_problem(await patch(client, url, {"accepted_reason": None}), 422, "accepted_reason")
    assert await get_json(client, url) == before


# --- list -----------------------------------------------------------------------------------------------


async def test_list_filters_sorting_and_pages(client) -> None:  # type: ignore[no-untyped-def]
    bolton = await create_site(client, region_code="greater-manchester", site_type="probation_office")
    upw = await create_site(client, region_code="north-west", site_type="unpaid_work")
    london = await create_site(client, region_code="london", site_type="unpaid_work")
    f1 = await create_finding(client, bolton["id"], priority=1, category="entrance", raised_on=day(-30))
    f2 = await create_finding(client, bolton["id"], priority=3, category="toilets", raised_on=day(-20))
    f3 = await create_finding(
        client, upw["id"], priority=2, category="toilets", raised_on=day(-10), status="resolved", resolved_on=day(-1)
    )
    f4 = await create_finding(client, london["id"], priority=4, category="signage_and_wayfinding", raised_on=day(-5))
    f5 = await create_finding(
        client, london["id"], priority=2, category="entrance", raised_on=day(-1), status="in_progress"
    )
    ids = {f["id"]: name for name, f in {"f1": f1, "f2": f2, "f3": f3, "f4": f4, "f5": f5}.items()}

    filters: list[tuple[dict[str, Any], list[str]]] = [
        ({}, ["f5", "f4", "f3", "f2", "f1"]),  # default: most recently raised first
        ({"site_id": bolton["id"]}, ["f2", "f1"]),
        ({"status": "open"}, ["f4", "f2", "f1"]),
        ({"status": ["open", "in_progress"]}, ["f5", "f4", "f2", "f1"]),
        ({"category": "toilets"}, ["f3", "f2"]),
        ({"priority": [1, 2]}, ["f5", "f3", "f1"]),
        ({"area": "north-west"}, ["f3", "f2", "f1"]),
        ({"area": "london"}, ["f5", "f4"]),
        ({"region": "greater-manchester"}, ["f2", "f1"]),
        ({"site_type": "unpaid_work"}, ["f5", "f4", "f3"]),
        ({"site_type": "unpaid_work", "area": "north-west"}, ["f3"]),
        ({"pdu": "london--brent"}, []),
        ({"sort": "priority", "order": "asc"}, ["f1", "f3", "f5", "f2", "f4"]),
        ({"sort": "raised_on", "order": "asc"}, ["f1", "f2", "f3", "f4", "f5"]),
        ({"sort": "status", "order": "asc", "area": "london"}, ["f5", "f4"]),
    ]
    cases = Cases()
    for params, expected in filters:
        with cases.case(params):
            page = await list_page(client, FINDINGS, **params)
            assert [ids[f["id"]] for f in page["items"]] == expected
            assert page["total"] == len(expected)
    with cases.case("pages"):
        second = await list_page(client, FINDINGS, page=2, page_size=2)
        assert [ids[f["id"]] for f in second["items"]] == ["f3", "f2"]
        assert (second["total"], second["limit"], second["offset"]) == (5, 2, 2)
        assert (await list_page(client, FINDINGS, page=9, page_size=2))["items"] == []
    for params, field in [
        ({"status": "closed"}, "status"),
        ({"category": "car_park"}, "category"),
        ({"priority": "high"}, "priority"),
        ({"site_id": "not-a-uuid"}, "site_id"),
        ({"sort": "category"}, "sort"),
        ({"page_size": 501}, "page_size"),
        ({"site_type": "castle"}, "site_type"),
    ]:
        with cases.case(params):
            assert_problem(await client.get(FINDINGS, params=params), 400, field)
    for params, field in [({"area": "atlantis"}, "area"), ({"region": "atlantis"}, "region")]:
        with cases.case(params):
            assert_problem(await client.get(FINDINGS, params=params), 422, field)
    cases.check()


# --- the accessibility report ---------------------------------------------------------------------------


def split(upw: int, rest: int) -> dict[str, int]:
    return {"unpaid_work": upw, "rest_of_estate": rest, "total": upw + rest}


async def test_accessibility_report_per_region(client, organisation) -> None:  # type: ignore[no-untyped-def]
    async def site_with(code: str, region: str, site_type: str, *priorities: int) -> dict[str, Any]:
        site = await create_site(client, code=code, region_code=region, site_type=site_type, name=f"Site {code}")
        for p in priorities:
            await create_finding(client, site["id"], priority=p)
        return site

    await site_with("GM-4", "greater-manchester", "probation_office", 1)
    await site_with("GM-2", "greater-manchester", "unpaid_work", 3)
    await site_with("GM-1", "greater-manchester", "unpaid_work", 1, 4)
    await site_with("GM-3", "greater-manchester", "approved_premises", 2)
    await site_with("GM-5", "greater-manchester", "probation_office")
    await site_with("GM-6", "greater-manchester", "unpaid_work", 4)
    await site_with("LO-1", "london", "unpaid_work", 2)

    report = (await client.get(REPORT)).json()
    assert report["as_of"] == day(0)
    assert [r["region_code"] for r in report["regions"]] == [r.code for r in organisation.regions]
    by_region = {r["region_code"]: r for r in report["regions"]}
    gm = by_region["greater-manchester"]
    assert gm["name"] == "Greater Manchester"
    assert gm["counts"] == {
        "inaccessible": split(1, 1),
        "partially_accessible": split(1, 1),
        "accessible": split(1, 1),
    }
    # Inaccessible first, then partially accessible, each by code; accessible sites are not listed.
    assert [(s["code"], s["accessibility_status"], s["site_type"]) for s in gm["sites"]] == [
        ("GM-1", "inaccessible", "unpaid_work"),
        ("GM-4", "inaccessible", "probation_office"),
        ("GM-2", "partially_accessible", "unpaid_work"),
        ("GM-3", "partially_accessible", "approved_premises"),
    ]
    assert by_region["london"]["counts"] == {"partially_accessible": split(1, 0)}
    assert [s["code"] for s in by_region["london"]["sites"]] == ["LO-1"]
    assert by_region["wales"] == {"region_code": "wales", "name": "Wales", "counts": {}, "sites": []}

    limited = (await client.get(REPORT, params={"region": "greater-manchester", "sites_per_region": 1})).json()
    assert [r["region_code"] for r in limited["regions"]] == ["greater-manchester"]
    assert [s["code"] for s in limited["regions"][0]["sites"]] == ["GM-1"]
    assert limited["regions"][0]["counts"] == gm["counts"]

    area = (await client.get(REPORT, params={"area": "north-west", "site_type": "unpaid_work"})).json()
    assert [r["region_code"] for r in area["regions"]] == ["north-west", "greater-manchester"]
    upw_only = area["regions"][1]
    assert [s["code"] for s in upw_only["sites"]] == ["GM-1", "GM-2"]
    assert upw_only["counts"] == {
        "inaccessible": split(1, 0),
        "partially_accessible": split(1, 0),
        "accessible": split(1, 0),
    }

    assert_problem(await client.get(REPORT, params={"sites_per_region": 1001}), 400, "sites_per_region")
    assert_problem(await client.get(REPORT, params={"sites_per_region": -1}), 400, "sites_per_region")
    assert_problem(await client.get(REPORT, params={"region": "atlantis"}), 422, "region")
    assert_problem(await client.get(REPORT, params={"area": "atlantis"}), 422, "area")
    assert_problem(await client.get(REPORT, params={"site_type": "castle"}), 400, "site_type")
