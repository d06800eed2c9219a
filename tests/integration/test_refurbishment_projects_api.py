"""Refurbishment projects through HTTP: money and dates checked, nothing coerced, nothing half-written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import uuid4

from tests.helpers import (
    ANY_VERSION,
    PROJECTS,
    Cases,
    assert_problem,
    completed_project,
    create_project,
    create_site,
    day,
    delete,
    get_json,
    list_page,
    list_total,
    patch,
    project_payload,
)


async def test_create_then_read(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client, code="REF-1", region_code="south-west", site_type="approved_premises")
    response = await client.post(PROJECTS, json=project_payload(site["id"], budget=125000.5))
    assert response.status_code == 201, response.text
    project = response.json()
    assert project["site"]["code"] == "REF-1"
    assert project["site"]["area_code"] == "south-west-and-south-central"
    assert (project["kind"], project["status"]) == ("major_refurbishment", "proposed")
    assert Decimal(project["budget"]) == Decimal("125000.50")
    assert Decimal(project["spend"]) == 0
    assert (project["planned_start"], project["planned_end"]) == (day(30), day(120))
    assert (project["actual_start"], project["actual_end"]) == (None, None)
    assert project["version"] == 1
    assert await get_json(client, f"{PROJECTS}/{project['id']}") == project

    minimal = await create_project(
        client,
        site["id"],
        kind="planned_maintenance",
        description=None,
        budget=None,
        planned_start=None,
        planned_end=None,
    )
    assert (minimal["description"], minimal["budget"], minimal["planned_start"]) == (None, None, None)

    done = await create_project(client, site["id"], **completed_project(spend=99.99))
    assert (done["status"], done["actual_end"]) == ("complete", day(-90))
    assert Decimal(done["spend"]) == Decimal("99.99")


async def test_unknown_and_malformed_ids(client) -> None:  # type: ignore[no-untyped-def]
    missing = uuid4()
    assert_problem(await client.get(f"{PROJECTS}/{missing}"), 404)
    assert_problem(await client.patch(f"{PROJECTS}/{missing}", json={"status": "approved"}, headers=ANY_VERSION), 404)
    assert_problem(await client.delete(f"{PROJECTS}/{missing}", headers=ANY_VERSION), 404)
    assert_problem(await client.get(f"{PROJECTS}/12345"), 404)


async def test_create_refusals_write_nothing(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client)
    refusals: list[tuple[str, int, str, dict[str, Any]]] = [
        *[(f"budget {v!r}", 422, "budget", {"budget": v}) for v in ("100", "100.00", "£100", True, -1, 1.234, [1])],
        *[(f"spend {v!r}", 422, "spend", {"spend": v}) for v in ("0", None, -0.01, 10**13)],
        ("planned end before start", 422, "planned_end", {"planned_start": day(10), "planned_end": day(9)}),
        ("actual end without start", 422, "actual_start", {"actual_end": day(-1)}),
        (
            "actual end before start",
            422,
            "actual_end",
            {"status": "in_progress", "actual_start": day(-5), "actual_end": day(-6)},
        ),
        ("actual start in the future", 422, "actual_start", {"status": "in_progress", "actual_start": day(1)}),
        ("actual end in the future", 422, "actual_end", completed_project(actual_end=day(1))),
        ("complete without actual end", 422, "actual_end", completed_project(actual_end=None)),
        ("complete without actual dates", 422, "actual_start", completed_project(actual_start=None, actual_end=None)),
        ("in progress without actual start", 422, "actual_start", {"status": "in_progress"}),
        ("unknown kind", 422, "kind", {"kind": "demolition"}),
        ("unknown status", 422, "status", {"status": "done"}),
        ("date form", 422, "planned_start", {"planned_start": "30/07/2025"}),
        ("date as number", 422, "planned_end", {"planned_end": 20251231}),
        ("extra field", 422, "contractor", {"contractor": "ACME"}),
        ("unknown site", 422, "site_id", {"site_id": str(uuid4())}),
        ("site id as number", 422, "site_id", {"site_id": 12}),
        ("description empty", 422, "description", {"description": ""}),
    ]
    cases = Cases()
    for label, status, field, overrides in refusals:
        with cases.case(label):
            assert_problem(await client.post(PROJECTS, json=project_payload(site["id"], **overrides)), status, field)
            assert await list_total(client, PROJECTS) == 0, "a refused create wrote a project"
    cases.check()
    # Allowed boundaries: equal planned dates, equal actual dates, actual end today.
    same = await create_project(client, site["id"], planned_start=day(5), planned_end=day(5))
    assert same["planned_start"] == same["planned_end"]
    today = await create_project(client, site["id"], **completed_project(actual_start=day(0), actual_end=day(0)))
    assert today["actual_end"] == day(0)
    big = await create_project(client, site["id"], budget=999_999_999_999.99)
    assert Decimal(big["budget"]) == Decimal("999999999999.99")


async def test_patch_changes_only_the_fields_given_and_refusals_write_nothing(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client)
    project = await create_project(client, site["id"])
    url = f"{PROJECTS}/{project['id']}"

    approved = await patch(client, url, {"status": "approved", "budget": 300000})
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["status"], Decimal(body["budget"]), body["version"]) == ("approved", Decimal(300000), 2)
    assert (body["kind"], body["planned_start"], body["description"]) == (
        project["kind"],
        project["planned_start"],
        project["description"],
    )

    refusals: list[tuple[str, int, str, dict[str, Any]]] = [
        *[(f"null {f}", 422, f, {f: None}) for f in ("kind", "status", "spend")],
        ("budget as string", 422, "budget", {"budget": "300000"}),
        ("spend as string", 422, "spend", {"spend": "10"}),
        ("spend negative", 422, "spend", {"spend": -5}),
        ("planned end before start", 422, "planned_end", {"planned_end": day(29)}),
        ("complete without actual dates", 422, "actual_end", {"status": "complete"}),
        ("in progress without actual start", 422, "actual_start", {"status": "in_progress", "spend": 10}),
        ("started in the future", 422, "actual_start", {"status": "in_progress", "actual_start": day(1)}),
        ("unknown kind", 422, "kind", {"kind": "demolition"}),
        ("date form", 422, "planned_start", {"planned_start": "2025-7-1"}),
        ("extra field", 422, "contractor", {"contractor": "ACME"}),
        ("site moved", 422, "site_id", {"site_id": site["id"]}),
    ]
    cases = Cases()
    for label, status, field, change in refusals:
        with cases.case(label):
            before = await get_json(client, url)
            assert_problem(await patch(client, url, change), status, field)
            assert await get_json(client, url) == before, "a refused PATCH changed the project"
    cases.check()

    # Through to completion, then clearing the optional fields.
    started = await patch(client, url, {"status": "in_progress", "actual_start": day(-20), "spend": 1000.25})
    assert started.status_code == 200, started.text
    finished = await patch(client, url, {"status": "complete", "actual_end": day(-1)})
    assert finished.status_code == 200, finished.text
    cleared = await patch(
        client, url, {"description": None, "budget": None, "planned_start": None, "planned_end": None}
    )
    assert cleared.status_code == 200, cleared.text
    final = cleared.json()
    assert (final["status"], final["actual_start"], final["actual_end"]) == ("complete", day(-20), day(-1))
    assert (final["description"], final["budget"], final["planned_start"], final["planned_end"]) == (None,) * 4
    assert Decimal(final["spend"]) == Decimal("1000.25")


async def test_delete(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client)
    keep = await create_project(client, site["id"])
    project = await create_project(client, site["id"])
    url = f"{PROJECTS}/{project['id']}"
    assert_problem(await client.delete(url), 428, "If-Match")
    response = await delete(client, url)
    assert response.status_code == 204
    assert_problem(await client.get(url), 404)
    assert_problem(await client.delete(url, headers=ANY_VERSION), 404)
    assert [p["id"] for p in (await list_page(client, PROJECTS))["items"]] == [keep["id"]]


async def test_list_filters_sorting_and_pages(client) -> None:  # type: ignore[no-untyped-def]
    office = await create_site(
        client, region_code="east-of-england", pdu_code="east-of-england--norfolk", site_type="probation_office"
    )
    upw = await create_site(client, region_code="east-of-england", site_type="unpaid_work")
    wales = await create_site(client, region_code="wales", site_type="unpaid_work")
    made = {
        "p1": await create_project(client, office["id"], planned_start=day(10), planned_end=day(100)),
        "p2": await create_project(
            client, upw["id"], kind="redecoration_or_refurnish", **completed_project(planned_start=day(-300))
        ),
        "p3": await create_project(
            client, wales["id"], kind="replacement_site", status="funded", planned_start=day(50)
        ),
        "p4": await create_project(client, wales["id"], kind="redecoration_or_refurnish", status="cancelled"),
    }
    ids = {p["id"]: name for name, p in made.items()}
    filters: list[tuple[dict[str, Any], list[str]]] = [
        ({}, ["p4", "p3", "p2", "p1"]),  # default: newest first
        ({"site_id": wales["id"]}, ["p4", "p3"]),
        ({"kind": "redecoration_or_refurnish"}, ["p4", "p2"]),
        ({"kind": ["replacement_site", "major_refurbishment"]}, ["p3", "p1"]),
        ({"status": "complete"}, ["p2"]),
        ({"status": ["funded", "cancelled"]}, ["p4", "p3"]),
        ({"area": "south-east-and-east"}, ["p2", "p1"]),
        ({"region": "wales"}, ["p4", "p3"]),
        ({"pdu": "east-of-england--norfolk"}, ["p1"]),
        ({"site_type": "unpaid_work"}, ["p4", "p3", "p2"]),
        ({"site_type": "unpaid_work", "region": "east-of-england"}, ["p2"]),
        ({"sort": "planned_start", "order": "asc", "status": ["complete", "proposed", "funded"]}, ["p2", "p1", "p3"]),
        ({"sort": "created_at", "order": "asc"}, ["p1", "p2", "p3", "p4"]),
    ]
    cases = Cases()
    for params, expected in filters:
        with cases.case(params):
            page = await list_page(client, PROJECTS, **params)
            assert [ids[p["id"]] for p in page["items"]] == expected
            assert page["total"] == len(expected)
    with cases.case("pages"):
        page = await list_page(client, PROJECTS, page=2, page_size=3)
        assert [ids[p["id"]] for p in page["items"]] == ["p1"]
        assert (page["total"], page["offset"]) == (4, 3)
    for params, field in [
        ({"kind": "demolition"}, "kind"),
        ({"status": "done"}, "status"),
        ({"sort": "budget"}, "sort"),
        ({"site_id": "nope"}, "site_id"),
        ({"page_size": 1000}, "page_size"),
    ]:
        with cases.case(params):
            assert_problem(await client.get(PROJECTS, params=params), 400, field)
    with cases.case("unknown region"):
        assert_problem(await client.get(PROJECTS, params={"region": "atlantis"}), 422, "region")
    cases.check()
