"""Remediation actions (repairs) through HTTP: default targets from config, overdue lists, refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from tests.conftest import TODAY
from tests.helpers import (
    ACTIONS,
    ANY_VERSION,
    Cases,
    action_payload,
    as_date,
    assert_problem,
    create_action,
    create_site,
    day,
    delete,
    get_json,
    list_page,
    list_total,
    patch,
)

BOLTON = "greater-manchester--bolton"


async def test_create_then_read(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client, code="REM-1", site_type="unpaid_work")
    response = await client.post(
        ACTIONS, json=action_payload(site["id"], system="gas", priority="P1", reported_on=day(-3), blocker="Parts")
    )
    assert response.status_code == 201, response.text
    action = response.json()
    assert action["site"]["code"] == "REM-1"
    assert action["site"]["site_type"] == "unpaid_work"
    assert (action["system"], action["priority"], action["status"]) == ("gas", "P1", "reported")
    assert (action["reported_on"], action["target_date"], action["completed_on"]) == (day(-3), day(-2), None)
    assert (action["overdue"], action["days_overdue"]) == (True, 2)
    assert action["blocker"] == "Parts"
    assert action["version"] == 1
    assert await get_json(client, f"{ACTIONS}/{action['id']}") == action


async def test_unknown_and_malformed_ids(client) -> None:  # type: ignore[no-untyped-def]
    missing = uuid4()
    assert_problem(await client.get(f"{ACTIONS}/{missing}"), 404)
    assert_problem(await client.patch(f"{ACTIONS}/{missing}", json={"priority": "P1"}, headers=ANY_VERSION), 404)
    assert_problem(await client.delete(f"{ACTIONS}/{missing}", headers=ANY_VERSION), 404)
    assert_problem(await client.get(f"{ACTIONS}/abc"), 404)


# --- target dates ---------------------------------------------------------------------------------------


async def test_default_target_per_priority_from_config(client, estates_rules) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client)
    reported = TODAY - timedelta(days=100)
    for priority, days in estates_rules.remediation_target_days.items():
        action = await create_action(client, site["id"], priority=priority.value, reported_on=reported.isoformat())
        assert as_date(action["target_date"]) == reported + timedelta(days=days), priority
    assert {p.value: d for p, d in estates_rules.remediation_target_days.items()} == {
        "P1": 1,
        "P2": 7,
        "P3": 28,
        "P4": 90,
    }
    explicit = await create_action(client, site["id"], priority="P4", reported_on=day(-5), target_date=day(-5))
    assert explicit["target_date"] == day(-5)


async def test_changing_priority_re_derives_a_default_target_but_keeps_a_hand_set_one(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client)
    defaulted = await create_action(client, site["id"], priority="P4", reported_on=day(-10))
    assert defaulted["target_date"] == day(80)
    url = f"{ACTIONS}/{defaulted['id']}"
    body = (await patch(client, url, {"priority": "P1"})).json()
    assert (body["priority"], body["target_date"], body["days_overdue"]) == ("P1", day(-9), 9)
    body = (await patch(client, url, {"priority": "P3"})).json()
    assert body["target_date"] == day(18)
    # Moving the reported date moves a default target too.
    body = (await patch(client, url, {"reported_on": day(-30)})).json()
    assert body["target_date"] == day(-2)
    # Priority and target together: the target given wins, and from then on it is hand-set.
    body = (await patch(client, url, {"priority": "P2", "target_date": day(40)})).json()
    assert (body["priority"], body["target_date"]) == ("P2", day(40))
    body = (await patch(client, url, {"priority": "P1"})).json()
    assert body["target_date"] == day(40)

    hand_set = await create_action(client, site["id"], priority="P3", reported_on=day(-10), target_date=day(3))
    url = f"{ACTIONS}/{hand_set['id']}"
    body = (await patch(client, url, {"priority": "P1"})).json()
    assert (body["priority"], body["target_date"]) == ("P1", day(3))
    body = (await patch(client, url, {"reported_on": day(-20)})).json()
    assert body["target_date"] == day(3)


async def test_a_target_given_by_hand_is_kept_even_when_it_equals_the_default(client) -> None:  # type: ignore[no-untyped-def]
    """The client chose this date (say a contractor's slot) and sent it; that it happens to fall on the P3 default
    does not make it a default to be re-derived when the priority changes."""
    site = await create_site(client)
    chosen = await create_action(client, site["id"], priority="P3", reported_on=day(-10), target_date=day(18))
    url = f"{ACTIONS}/{chosen['id']}"
    body = (await patch(client, url, {"priority": "P1"})).json()
    assert (body["priority"], body["target_date"]) == ("P1", day(18))


async def test_a_reported_date_far_in_the_future_is_422_not_500(client) -> None:  # type: ignore[no-untyped-def]
    """A default target past the last representable date must not crash: the date is refused as in the future."""
    site = await create_site(client)
    cases = Cases()
    for reported in ("9999-12-31", "9999-12-30"):
        with cases.case(f"create reported_on={reported}"):
            payload = action_payload(site["id"], priority="P4", reported_on=reported)
            assert_problem(await client.post(ACTIONS, json=payload), 422, "reported_on")
            assert await list_total(client, ACTIONS) == 0
    action = await create_action(client, site["id"], priority="P4", reported_on=day(-3))
    url = f"{ACTIONS}/{action['id']}"
    for reported in ("9999-12-31", "9999-12-01"):
        with cases.case(f"PATCH reported_on={reported}"):
            assert_problem(await patch(client, url, {"reported_on": reported}), 422, "reported_on")
            assert await get_json(client, url) == action
    cases.check()


# --- overdue --------------------------------------------------------------------------------------------


async def make_repairs(client) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    office = await create_site(
        client, code="OFF-1", region_code="greater-manchester", pdu_code=BOLTON, site_type="probation_office"
    )
    upw = await create_site(client, code="UPW-1", region_code="london", site_type="unpaid_work")
    ap = await create_site(client, code="AP-1", region_code="wales", site_type="approved_premises")

    async def repair(site: dict[str, Any], system: str, priority: str, target: int, **extra: Any) -> dict[str, Any]:
        reported = extra.pop("reported", min(target, 0) - 3)
        return await create_action(
            client,
            site["id"],
            system=system,
            priority=priority,
            reported_on=day(reported),
            target_date=day(target),
            **extra,
        )

    return {
        "a": await repair(office, "water", "P2", -10),
        "b": await repair(upw, "gas", "P1", -1),
        "c": await repair(upw, "electricity", "P3", 0),
        "d": await repair(office, "hot_water_heaters", "P4", -30, status="parts_awaited", blocker="Landlord"),
        "e": await repair(ap, "water", "P2", -5, status="in_progress"),
        "f": await repair(office, "water", "P2", -40, status="completed", completed_on=day(-2)),
        "g": await repair(upw, "water", "P1", -50, status="cancelled"),
        "h": await repair(upw, "heating", "P3", 20),
    }


async def test_overdue_list(client) -> None:  # type: ignore[no-untyped-def]
    repairs = await make_repairs(client)
    names = {r["id"]: name for name, r in repairs.items()}

    page = await list_page(client, ACTIONS, overdue="true")
    assert [(names[a["id"]], a["days_overdue"]) for a in page["items"]] == [("d", 30), ("a", 10), ("e", 5), ("b", 1)]
    assert all(a["overdue"] for a in page["items"])
    assert page["total"] == 4

    # Due today is not overdue; due yesterday is; closed repairs never are.
    cases = Cases()
    for name, overdue, days in [("c", False, 0), ("b", True, 1), ("f", False, 0), ("g", False, 0), ("h", False, 0)]:
        with cases.case(name):
            read = await get_json(client, f"{ACTIONS}/{repairs[name]['id']}")
            assert (read["overdue"], read["days_overdue"]) == (overdue, days)

    filters: list[tuple[dict[str, Any], list[str]]] = [
        ({"area": "north-west"}, ["d", "a"]),
        ({"region": "london"}, ["b"]),
        ({"region": "wales"}, ["e"]),
        ({"pdu": BOLTON}, ["d", "a"]),
        ({"pdu": "greater-manchester--wigan"}, []),
        ({"site_type": "unpaid_work"}, ["b"]),
        ({"site_type": ["approved_premises", "probation_office"]}, ["d", "a", "e"]),
        ({"system": "water"}, ["a", "e"]),
        ({"system": ["gas", "hot_water_heaters"]}, ["d", "b"]),
        ({"priority": "P1"}, ["b"]),
        ({"priority": ["P2", "P4"]}, ["d", "a", "e"]),
        ({"system": "water", "area": "wales"}, ["e"]),
        ({"status": "parts_awaited"}, ["d"]),
        ({"site_id": repairs["a"]["site"]["id"]}, ["d", "a"]),
        ({"sort": "priority", "order": "asc"}, ["b", "a", "e", "d"]),
        ({"site_type": "unpaid_work", "priority": "P2"}, []),
    ]
    for params, expected in filters:
        with cases.case(params):
            filtered = await list_page(client, ACTIONS, overdue="true", **params)
            assert [names[a["id"]] for a in filtered["items"]] == expected
            assert filtered["total"] == len(expected)
    with cases.case("pages of the overdue list"):
        second = await list_page(client, ACTIONS, overdue="true", page=2, page_size=3)
        assert [names[a["id"]] for a in second["items"]] == ["b"]
        assert second["total"] == 4
    with cases.case("not overdue"):
        rest = await list_page(client, ACTIONS, overdue="false")
        assert {names[a["id"]] for a in rest["items"]} == {"c", "f", "g", "h"}
        assert not any(a["overdue"] for a in rest["items"])
    with cases.case("everything, newest report first"):
        everything = await list_page(client, ACTIONS)
        assert everything["total"] == 8
        reported = [a["reported_on"] for a in everything["items"]]
        assert reported == sorted(reported, reverse=True)
    cases.check()

    # Completing an overdue repair takes it off the list.
    done = await patch(client, f"{ACTIONS}/{repairs['d']['id']}", {"status": "completed", "completed_on": day(0)})
    assert done.status_code == 200, done.text
    assert (done.json()["overdue"], done.json()["days_overdue"]) == (False, 0)
    after = await list_page(client, ACTIONS, overdue="true")
    assert [names[a["id"]] for a in after["items"]] == ["a", "e", "b"]


async def test_list_refuses_bad_query_parameters(client) -> None:  # type: ignore[no-untyped-def]
    cases = Cases()
    for params, field in [
        ({"overdue": "maybe"}, "overdue"),
        ({"priority": "P5"}, "priority"),
        ({"system": "plumbing"}, "system"),
        ({"status": "done"}, "status"),
        ({"sort": "system"}, "sort"),
        ({"order": "sideways"}, "order"),
        ({"site_type": "castle"}, "site_type"),
        ({"site_id": "abc"}, "site_id"),
        ({"page_size": 501}, "page_size"),
    ]:
        with cases.case(params):
            assert_problem(await client.get(ACTIONS, params=params), 400, field)
    for params, field in [({"area": "atlantis"}, "area"), ({"region": "atlantis"}, "region"), ({"pdu": "x"}, "pdu")]:
        with cases.case(params):
            assert_problem(await client.get(ACTIONS, params={"overdue": "true", **params}), 422, field)
    cases.check()


# --- refusals -------------------------------------------------------------------------------------------


async def test_create_refusals_write_nothing(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client)
    refusals: list[tuple[str, int, str, dict[str, Any]]] = [
        ("target before reported", 422, "target_date", {"reported_on": day(-5), "target_date": day(-6)}),
        ("reported in the future", 422, "reported_on", {"reported_on": day(1)}),
        ("completed before reported", 422, "completed_on", {"status": "completed", "completed_on": day(-6)}),
        ("completed in the future", 422, "completed_on", {"status": "completed", "completed_on": day(1)}),
        ("completed without date", 422, "completed_on", {"status": "completed"}),
        ("completed date while open", 422, "completed_on", {"status": "in_progress", "completed_on": day(-1)}),
        ("completed date on cancelled", 422, "completed_on", {"status": "cancelled", "completed_on": day(-1)}),
        ("unknown priority", 422, "priority", {"priority": "P5"}),
        ("priority as number", 422, "priority", {"priority": 1}),
        ("unknown system", 422, "system", {"system": "plumbing"}),
        ("unknown status", 422, "status", {"status": "done"}),
        ("date form", 422, "reported_on", {"reported_on": "25/06/2025"}),
        ("date as number", 422, "target_date", {"target_date": 20250701}),
        ("date not real", 422, "reported_on", {"reported_on": "2025-06-31"}),
        ("extra field", 422, "cost", {"cost": 100}),
        ("derived field", 422, "overdue", {"overdue": False}),
        ("unknown site", 422, "site_id", {"site_id": str(uuid4())}),
        ("missing reported_on", 422, "reported_on", {"reported_on": None}),
    ]
    cases = Cases()
    for label, status, field, overrides in refusals:
        with cases.case(label):
            payload = action_payload(site["id"], **{"reported_on": day(-5), **overrides})
            assert_problem(await client.post(ACTIONS, json=payload), status, field)
            assert await list_total(client, ACTIONS) == 0, "a refused create wrote an action"
    cases.check()
    # Allowed boundaries.
    same_day = await create_action(client, site["id"], reported_on=day(0), target_date=day(0))
    assert (same_day["target_date"], same_day["overdue"]) == (day(0), False)
    done = await create_action(client, site["id"], status="completed", reported_on=day(-5), completed_on=day(-5))
    assert done["completed_on"] == day(-5)


async def test_patch_refusals_write_nothing(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client)
    action = await create_action(client, site["id"], priority="P2", reported_on=day(-10))
    url = f"{ACTIONS}/{action['id']}"
    refusals: list[tuple[str, int, str, dict[str, Any]]] = [
        *[
            (f"null {f}", 422, f, {f: None})
            for f in ("system", "description", "priority", "status", "reported_on", "target_date")
        ],
        ("target before reported", 422, "target_date", {"target_date": day(-11)}),
        ("reported after target", 422, "target_date", {"reported_on": day(-2), "target_date": day(-3)}),
        ("reported in the future", 422, "reported_on", {"reported_on": day(1)}),
        ("completed without date", 422, "completed_on", {"status": "completed"}),
        ("completed before reported", 422, "completed_on", {"status": "completed", "completed_on": day(-11)}),
        ("completed in the future", 422, "completed_on", {"status": "completed", "completed_on": day(1)}),
        ("completed date while open", 422, "completed_on", {"completed_on": day(-1)}),
        ("new priority with a bad date", 422, "reported_on", {"priority": "P1", "reported_on": day(2)}),
        ("unknown priority", 422, "priority", {"priority": "P0"}),
        ("date form", 422, "target_date", {"target_date": "2025-07-1"}),
        ("extra field", 422, "cost", {"cost": 1}),
        ("site moved", 422, "site_id", {"site_id": site["id"]}),
    ]
    cases = Cases()
    for label, status, field, body in refusals:
        with cases.case(label):
            before = await get_json(client, url)
            assert_problem(await patch(client, url, body), status, field)
            assert await get_json(client, url) == before, "a refused PATCH changed the action"
    cases.check()

    # Complete, then reopen by clearing completed_on.
    done = await patch(client, url, {"status": "completed", "completed_on": day(-1)})
    assert done.status_code == 200, done.text
    reopened = await patch(client, url, {"status": "reported", "completed_on": None, "blocker": "Awaiting parts"})
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["status"], reopened.json()["completed_on"]) == ("reported", None)
    assert (await patch(client, url, {"blocker": None})).json()["blocker"] is None


async def test_delete(client) -> None:  # type: ignore[no-untyped-def]
    site = await create_site(client)
    action = await create_action(client, site["id"])
    url = f"{ACTIONS}/{action['id']}"
    assert_problem(await client.delete(url), 428, "If-Match")
    assert (await delete(client, url)).status_code == 204
    assert_problem(await client.get(url), 404)
    assert await list_total(client, ACTIONS) == 0
