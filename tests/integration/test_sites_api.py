"""Sites through HTTP: create, read, PATCH, list with filters, sort and pages, delete; every refusal a problem.

Refusals are tables of cases run in one test each (one app, one database), every case checking the status, the
RFC 9457 body naming the field, and that nothing was written.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from tests.helpers import (
    ANY_VERSION,
    SITES,
    Cases,
    assert_problem,
    create_action,
    create_finding,
    create_project,
    create_site,
    day,
    delete,
    get_json,
    list_codes,
    list_page,
    list_total,
    patch,
    site_payload,
)

BOLTON = "greater-manchester--bolton"
WIGAN = "greater-manchester--wigan"
BRENT = "london--brent"


# --- create and read ------------------------------------------------------------------------------------


async def test_create_then_read(client) -> None:  # type: ignore[no-untyped-def]
    payload = site_payload(
        code="BOL-01",
        pdu_code=BOLTON,
        tenure="leasehold",
        lease_end_date="2031-03-31",
        staff_headcount=42,
        postcode="bl1 1aa",
    )
    response = await client.post(SITES, json=payload)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["code"] == "BOL-01"
    assert created["region_code"] == "greater-manchester"
    assert created["area_code"] == "north-west"
    assert created["pdu_code"] == BOLTON
    assert created["tenure"] == "leasehold"
    assert created["lease_end_date"] == "2031-03-31"
    assert created["staff_headcount"] == 42
    assert created["postcode"] == "BL1 1AA"
    assert created["accessibility_status"] == "accessible"
    assert created["operational_status"] == "operational"
    assert created["version"] == 1
    assert await get_json(client, f"{SITES}/{created['id']}") == created

    # Defaults, and a postcode given without its space.
    minimal = site_payload(postcode="m11aa")
    del minimal["operational_status"], minimal["staff_headcount"]
    second = (await client.post(SITES, json=minimal)).json()
    assert second["postcode"] == "M1 1AA"
    assert (second["operational_status"], second["staff_headcount"]) == ("operational", 0)
    assert (second["pdu_code"], second["lease_end_date"]) == (None, None)
    assert await list_total(client, SITES) == 2


async def test_unknown_and_malformed_ids(client) -> None:  # type: ignore[no-untyped-def]
    missing = uuid4()
    assert_problem(await client.get(f"{SITES}/{missing}"), 404)
    assert_problem(await client.patch(f"{SITES}/{missing}", json={"name": "x"}, headers=ANY_VERSION), 404)
    assert_problem(await client.delete(f"{SITES}/{missing}", headers=ANY_VERSION), 404)
    # A malformed id does not match the {site_id:uuid} route: the app answers 404, as a problem body.
    for bad_id in ("not-a-uuid", "12345", "01a21e51-ae7a-7134-be44"):
        assert_problem(await client.get(f"{SITES}/{bad_id}"), 404)
        assert_problem(await client.patch(f"{SITES}/{bad_id}", json={"name": "x"}, headers=ANY_VERSION), 404)
        assert_problem(await client.delete(f"{SITES}/{bad_id}", headers=ANY_VERSION), 404)


# --- create refused -------------------------------------------------------------------------------------

CREATE_REFUSALS: list[tuple[str, int, str, dict[str, Any]]] = [
    ("unknown region", 422, "region_code", {"region_code": "atlantis"}),
    ("unknown pdu", 422, "pdu_code", {"pdu_code": "greater-manchester--nowhere"}),
    ("pdu in another region", 422, "pdu_code", {"region_code": "greater-manchester", "pdu_code": BRENT}),
    ("lease end on freehold", 422, "lease_end_date", {"tenure": "freehold", "lease_end_date": "2030-01-01"}),
    ("lease end on other tenure", 422, "lease_end_date", {"tenure": "other", "lease_end_date": "2030-01-01"}),
    *[
        (f"headcount {value!r}", 422, "staff_headcount", {"staff_headcount": value})
        for value in (True, False, "3", 3.5, 3.0, "", None, [3], {"n": 3}, -1, 100_001)
    ],
    *[
        (f"date {value!r}", 422, "lease_end_date", {"tenure": "leasehold", "lease_end_date": value})
        for value in (
            "01/02/2025",
            "2025/01/02",
            "2025-1-2",
            "20250101",
            20250101,
            "2025-02-30",
            "2025-01-01T00:00:00",
            True,
        )
    ],
    ("extra field", 422, "colour", {"colour": "blue"}),
    ("derived field", 422, "accessibility_status", {"accessibility_status": "inaccessible"}),
    ("read-only field", 422, "area_code", {"area_code": "north-west"}),
    ("id", 422, "id", {"id": "00000000-0000-0000-0000-000000000000"}),
    *[
        (f"enum {field}={value!r}", 422, field, {field: value})
        for field, value in (
            ("site_type", "castle"),
            ("site_type", "UNPAID_WORK"),
            ("tenure", "rented"),
            ("condition_grade", "E"),
            ("condition_grade", "a"),
            ("suitability", "fine"),
            ("operational_status", "open"),
        )
    ],
    *[
        (f"form {field}={value!r}", 422, field, {field: value})
        for field, value in (
            ("code", "lower-case"),
            ("code", "X"),
            ("code", "-LEADING"),
            ("code", 123),
            ("name", ""),
            ("name", 5),
            ("name", "x" * 201),
            ("address", ""),
            ("postcode", "NOT A POSTCODE"),
            ("postcode", "12345"),
            ("region_code", "Greater Manchester"),
            ("pdu_code", "Bolton"),
        )
    ],
]


async def test_create_refusals_write_nothing(client) -> None:  # type: ignore[no-untyped-def]
    await create_site(client, code="TAKEN-1")
    cases = Cases()
    for label, status, field, overrides in [
        ("duplicate code", 409, "code", {"code": "TAKEN-1", "name": "Another"}),
        *CREATE_REFUSALS,
    ]:
        with cases.case(label):
            assert_problem(await client.post(SITES, json=site_payload(**overrides)), status, field)
            assert await list_total(client, SITES) == 1, "a refused create wrote a site"
    for field in ("code", "name", "address", "postcode", "region_code", "site_type", "tenure", "condition_grade"):
        with cases.case(f"missing {field}"):
            payload = site_payload()
            del payload[field]
            assert_problem(await client.post(SITES, json=payload), 422, field)
            assert await list_total(client, SITES) == 1
    with cases.case("every problem reported at once"):
        response = await client.post(SITES, json=site_payload(staff_headcount="3", site_type="castle", colour="blue"))
        body = assert_problem(response, 422)
        assert {e["field"] for e in body["errors"]} >= {"staff_headcount", "site_type", "colour"}
    with cases.case("body not an object"):
        assert_problem(await client.post(SITES, json=[site_payload()]), 422)
    with cases.case("body not JSON"):
        bad_json = await client.post(SITES, content=b"{not json", headers={"content-type": "application/json"})
        assert_problem(bad_json, 400)
    cases.check()
    assert await list_codes(client) == ["TAKEN-1"]


# --- PATCH ----------------------------------------------------------------------------------------------


async def test_patch_changes_only_the_fields_given(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client, pdu_code=BOLTON, tenure="leasehold", lease_end_date="2030-01-01")
    url = f"{SITES}/{site['id']}"
    response = await patch(client, url, {"name": "Renamed", "condition_grade": "D"})
    assert response.status_code == 200, response.text
    updated = response.json()
    assert (updated["name"], updated["condition_grade"], updated["version"]) == ("Renamed", "D", 2)
    untouched = {k: v for k, v in site.items() if k not in {"name", "condition_grade", "version", "updated_at"}}
    assert {k: updated[k] for k in untouched} == untouched
    assert await get_json(client, url) == updated

    assert (await patch(client, url, {"postcode": "sw1a2aa"})).json()["postcode"] == "SW1A 2AA"
    same = await patch(client, url, {})
    assert same.status_code == 200
    assert same.json()["name"] == "Renamed"
    own_code = await patch(client, url, {"code": site["code"], "name": "Own code kept"})
    assert own_code.status_code == 200, own_code.text

    # null clears the fields that may be empty.
    cleared = (await patch(client, url, {"pdu_code": None, "lease_end_date": None})).json()
    assert (cleared["pdu_code"], cleared["lease_end_date"]) == (None, None)

    # A new region without a PDU drops the old region's PDU; region and PDU together move the site.
    await patch(client, url, {"pdu_code": WIGAN})
    moved = (await patch(client, url, {"region_code": "london"})).json()
    assert (moved["region_code"], moved["area_code"], moved["pdu_code"]) == ("london", "london", None)
    back = (await patch(client, url, {"region_code": "greater-manchester", "pdu_code": BOLTON})).json()
    assert (back["region_code"], back["area_code"], back["pdu_code"]) == ("greater-manchester", "north-west", BOLTON)

    # Leaving leasehold needs the lease end date cleared in the same change.
    await patch(client, url, {"tenure": "leasehold", "lease_end_date": "2029-12-31"})
    freehold = (await patch(client, url, {"tenure": "freehold", "lease_end_date": None})).json()
    assert (freehold["tenure"], freehold["lease_end_date"]) == ("freehold", None)


NOT_NULL = [
    "code",
    "name",
    "address",
    "postcode",
    "region_code",
    "site_type",
    "tenure",
    "condition_grade",
    "suitability",
    "operational_status",
    "staff_headcount",
]


async def test_patch_refusals_write_nothing(client) -> None:  # type: ignore[no-untyped-def]
    await create_site(client, code="OTHER-1")
    site = await create_site(client, code="MINE-1", pdu_code=BOLTON, tenure="leasehold", lease_end_date="2030-01-01")
    url = f"{SITES}/{site['id']}"
    refusals: list[tuple[str, int, str, dict[str, Any]]] = [
        *[(f"null {field}", 422, field, {field: None}) for field in NOT_NULL],
        ("another site's code", 409, "code", {"code": "OTHER-1", "name": "Changed too"}),
        ("unknown region", 422, "region_code", {"region_code": "atlantis"}),
        ("unknown pdu", 422, "pdu_code", {"pdu_code": "greater-manchester--nowhere"}),
        ("pdu in another region", 422, "pdu_code", {"pdu_code": BRENT}),
        ("new region, old pdu", 422, "pdu_code", {"region_code": "wales", "pdu_code": WIGAN}),
        ("freehold keeping lease end", 422, "lease_end_date", {"tenure": "freehold"}),
        ("other tenure keeping lease end", 422, "lease_end_date", {"tenure": "other", "name": "Also renamed"}),
        ("headcount true", 422, "staff_headcount", {"staff_headcount": True}),
        ("headcount '3'", 422, "staff_headcount", {"staff_headcount": "3"}),
        ("headcount 3.5", 422, "staff_headcount", {"staff_headcount": 3.5}),
        ("headcount -1", 422, "staff_headcount", {"staff_headcount": -1}),
        ("date dd/mm/yyyy", 422, "lease_end_date", {"lease_end_date": "01/02/2025"}),
        ("date as number", 422, "lease_end_date", {"lease_end_date": 20250101}),
        ("unknown enum", 422, "site_type", {"site_type": "castle"}),
        ("extra field", 422, "colour", {"colour": "blue"}),
        ("id", 422, "id", {"id": "00000000-0000-0000-0000-000000000000"}),
        ("derived field", 422, "accessibility_status", {"accessibility_status": "inaccessible"}),
        ("one good field, one bad", 422, "postcode", {"name": "Valid", "postcode": "nope"}),
    ]
    cases = Cases()
    for label, status, field, body in refusals:
        with cases.case(label):
            before = await get_json(client, url)
            assert_problem(await patch(client, url, body), status, field)
            assert await get_json(client, url) == before, "a refused PATCH changed the site"
    cases.check()
    assert (await get_json(client, url))["version"] == 1


async def test_patch_echoing_fields_named_like_handler_parameters_is_422(client) -> None:  # type: ignore[no-untyped-def]
    """A client that sends back what it read (``version``) or any other unknown field gets the same 422 as for
    ``colour``, whatever the handler happens to call its own parameters."""
    site = await create_site(client)
    url = f"{SITES}/{site['id']}"
    cases = Cases()
    for body in ({"version": 1}, {"context": 1}, {"sites": 1}, {"site_id": site["id"]}, {"data": 1}):
        with cases.case(body):
            assert_problem(await patch(client, url, body), 422, next(iter(body)))
            assert await get_json(client, url) == site
    for field in ("version", "organisation", "context"):
        with cases.case(f"create with {field}"):
            assert_problem(await client.post(SITES, json=site_payload(**{field: 1})), 422, field)
            assert await list_total(client, SITES) == 1
    cases.check()


# --- optimistic concurrency -----------------------------------------------------------------------------


async def test_patch_and_delete_need_a_current_if_match(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client)
    url = f"{SITES}/{site['id']}"
    assert_problem(await client.patch(url, json={"name": "No If-Match"}), 428, "If-Match")
    assert_problem(await client.delete(url), 428, "If-Match")
    first = await client.get(url)
    assert first.headers["etag"] == '"1"'
    assert (await patch(client, url, {"name": "First edit"})).status_code == 200
    stale = {"If-Match": first.headers["etag"]}
    assert_problem(await client.patch(url, json={"name": "Second edit"}, headers=stale), 412, "If-Match")
    assert_problem(await client.delete(url, headers=stale), 412, "If-Match")
    current = await get_json(client, url)
    assert (current["name"], current["version"]) == ("First edit", 2)


# --- list -----------------------------------------------------------------------------------------------

# code, region, pdu, type, tenure, grade, suitability, headcount, name
ESTATE = [
    ("A01", "greater-manchester", BOLTON, "probation_office", "leasehold", "A", "suitable", 30, "Zeta"),
    ("A02", "greater-manchester", WIGAN, "unpaid_work", "freehold", "D", "unsuitable_replacement_required", 5, "Eta"),
    ("A03", "north-west", None, "approved_premises", "freehold", "C", "needs_major_refurbishment", 12, "Theta"),
    ("A04", "london", BRENT, "probation_office", "leasehold", "B", "suitable", 80, "Iota"),
    ("A05", "london", BRENT, "unpaid_work", "other", "C", "suitable", 3, "Kappa"),
    ("A06", "wales", None, "probation_contact_centre", "freehold", "B", "suitable", 60, "Alpha"),
    ("A07", "east-midlands", None, "other", "leasehold", "A", "suitable", 0, "Beta"),
    ("A08", "west-midlands", None, "unpaid_work", "leasehold", "D", "needs_major_refurbishment", 8, "Gamma"),
]


@pytest.fixture
async def estate(client) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Eight sites in five Areas, with known types, tenures, grades, headcounts and names."""
    sites = {}
    for code, region, pdu, site_type, tenure, grade, suitability, headcount, name in ESTATE:
        sites[code] = await create_site(
            client,
            code=code,
            name=name,
            region_code=region,
            pdu_code=pdu,
            site_type=site_type,
            tenure=tenure,
            condition_grade=grade,
            suitability=suitability,
            staff_headcount=headcount,
            operational_status="closed" if code == "A07" else "operational",
        )
    return sites


LIST_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({}, ["A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08"]),
    ({"area": "north-west"}, ["A01", "A02", "A03"]),
    ({"area": "midlands"}, ["A07", "A08"]),
    ({"area": "south-west-and-south-central"}, []),
    ({"region": "greater-manchester"}, ["A01", "A02"]),
    ({"region": "north-west"}, ["A03"]),
    ({"pdu": BRENT}, ["A04", "A05"]),
    ({"pdu": "north-west--cumbria"}, []),
    ({"site_type": "unpaid_work"}, ["A02", "A05", "A08"]),
    ({"site_type": ["unpaid_work", "approved_premises"]}, ["A02", "A03", "A05", "A08"]),
    ({"area": "north-west", "site_type": "unpaid_work"}, ["A02"]),
    ({"region": "london", "pdu": BRENT, "site_type": "probation_office"}, ["A04"]),
    ({"area": "london", "region": "wales"}, []),
    ({"tenure": "leasehold"}, ["A01", "A04", "A07", "A08"]),
    ({"tenure": ["freehold", "other"]}, ["A02", "A03", "A05", "A06"]),
    ({"condition_grade": "D"}, ["A02", "A08"]),
    ({"condition_grade": ["C", "D"], "site_type": "unpaid_work"}, ["A02", "A05", "A08"]),
    ({"suitability": "needs_major_refurbishment"}, ["A03", "A08"]),
    ({"accessibility_status": "accessible", "area": "london"}, ["A04", "A05"]),
    ({"accessibility_status": ["inaccessible", "partially_accessible"]}, []),
    ({"operational_status": "closed"}, ["A07"]),
    ({"operational_status": ["operational", "partially_closed"], "area": "midlands"}, ["A08"]),
]

SORTS: list[tuple[str, str, list[str]]] = [
    ("code", "asc", ["A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08"]),
    ("code", "desc", ["A08", "A07", "A06", "A05", "A04", "A03", "A02", "A01"]),
    ("name", "asc", ["A06", "A07", "A02", "A08", "A04", "A05", "A03", "A01"]),
    ("name", "desc", ["A01", "A03", "A05", "A04", "A08", "A02", "A07", "A06"]),
    ("staff_headcount", "asc", ["A07", "A05", "A02", "A08", "A03", "A01", "A06", "A04"]),
    ("staff_headcount", "desc", ["A04", "A06", "A01", "A03", "A08", "A02", "A05", "A07"]),
    # Ties are broken by id, i.e. creation order (UUIDv7), which here is code order.
    ("condition_grade", "asc", ["A01", "A07", "A04", "A06", "A03", "A05", "A02", "A08"]),
    ("region_code", "asc", ["A07", "A01", "A02", "A04", "A05", "A03", "A06", "A08"]),
    ("site_type", "desc", ["A02", "A05", "A08", "A01", "A04", "A06", "A07", "A03"]),
]


async def test_list_filters_and_sorting(client, estate) -> None:  # type: ignore[no-untyped-def]
    first = await list_page(client, SITES)
    assert (first["total"], first["limit"], first["offset"]) == (8, 50, 0)
    assert first["items"][0] == estate["A01"]
    cases = Cases()
    for params, expected in LIST_FILTERS:
        with cases.case(params):
            page = await list_page(client, SITES, **params)
            assert [s["code"] for s in page["items"]] == expected
            assert page["total"] == len(expected)
    for sort, order, expected in SORTS:
        with cases.case(f"sort={sort} order={order}"):
            assert await list_codes(client, sort=sort, order=order) == expected
    with cases.case("sort with a filter"):
        assert await list_codes(client, sort="staff_headcount", order="desc", site_type="unpaid_work") == [
            "A08",
            "A02",
            "A05",
        ]
    cases.check()


async def test_list_pages(client, estate) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    for number in (1, 2, 3):
        page = await list_page(client, SITES, page=number, page_size=3)
        assert (page["total"], page["limit"], page["offset"]) == (8, 3, (number - 1) * 3)
        seen += [s["code"] for s in page["items"]]
    assert seen == sorted(estate)
    beyond = await list_page(client, SITES, page=4, page_size=3)
    assert (beyond["items"], beyond["total"]) == ([], 8)
    filtered = await list_page(client, SITES, page=2, page_size=2, site_type="unpaid_work")
    assert [s["code"] for s in filtered["items"]] == ["A08"]
    assert filtered["total"] == 3
    descending = await list_page(client, SITES, page=1, page_size=2, sort="code", order="desc")
    assert [s["code"] for s in descending["items"]] == ["A08", "A07"]
    assert len((await list_page(client, SITES, page_size=500))["items"]) == 8


async def test_list_refuses_bad_query_parameters(client) -> None:  # type: ignore[no-untyped-def]
    cases = Cases()
    malformed: list[tuple[dict[str, Any], str]] = [
        ({"page_size": 501}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"sort": "postcode"}, "sort"),
        ({"order": "up"}, "order"),
        ({"site_type": "castle"}, "site_type"),
        ({"tenure": "rented"}, "tenure"),
        ({"condition_grade": "E"}, "condition_grade"),
        ({"suitability": "fine"}, "suitability"),
        ({"accessibility_status": "sometimes"}, "accessibility_status"),
        ({"operational_status": "open"}, "operational_status"),
        ({"area": "North West"}, "area"),
    ]
    for params, field in malformed:
        with cases.case(params):
            assert_problem(await client.get(SITES, params=params), 400, field)
    unknown: list[tuple[dict[str, Any], str]] = [
        ({"area": "atlantis"}, "area"),
        ({"region": "atlantis"}, "region"),
        ({"pdu": "atlantis--nowhere"}, "pdu"),
        ({"area": "greater-manchester"}, "area"),  # a region code is not an Area code
    ]
    for params, field in unknown:
        with cases.case(params):
            assert_problem(await client.get(SITES, params=params), 422, field)
    cases.check()


async def test_bad_page_number_names_the_page_parameter(client) -> None:  # type: ignore[no-untyped-def]
    # The query parameter is ``page``: the problem must name what the client sent, not the handler's kwarg.
    for value in (0, "first"):
        assert_problem(await client.get(SITES, params={"page": value}), 400, "page")


# --- delete ---------------------------------------------------------------------------------------------


async def test_delete_a_site_without_records(client) -> None:  # type: ignore[no-untyped-def]
    keep = await create_site(client)
    site = await create_site(client)
    url = f"{SITES}/{site['id']}"
    response = await delete(client, url)
    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await client.get(url), 404)
    assert_problem(await client.delete(url, headers=ANY_VERSION), 404)
    assert await list_codes(client) == [keep["code"]]


async def test_delete_a_site_with_records_is_409(client) -> None:  # type: ignore[no-untyped-def]
    with_finding = await create_site(client)
    await create_finding(client, with_finding["id"])
    with_project = await create_site(client)
    await create_project(client, with_project["id"])
    with_action = await create_site(client)
    await create_action(client, with_action["id"], reported_on=day(-1))
    cases = Cases()
    for site in (with_finding, with_project, with_action):
        with cases.case(site["code"]):
            url = f"{SITES}/{site['id']}"
            before = await get_json(client, url)
            assert_problem(await delete(client, url), 409)
            assert await get_json(client, url) == before
    cases.check()
    assert await list_total(client, SITES) == 3
