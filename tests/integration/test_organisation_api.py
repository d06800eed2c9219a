"""The organisation as the API and the database see it: 7 Areas, 12 regions, names from config."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.organisation.models import AreaRecord, PduRecord, RegionRecord
from risk_register.organisation.reference import Organisation

AREAS = {
    "north-west": ("North West", ["north-west", "greater-manchester"]),
    "north-east": ("North East", ["north-east", "yorkshire-and-the-humber"]),
    "midlands": ("Midlands", ["west-midlands", "east-midlands"]),
    "wales": ("Wales", ["wales"]),
    "london": ("London", ["london"]),
    "south-east-and-east": ("South East and East", ["kent-surrey-and-sussex", "east-of-england"]),
    "south-west-and-south-central": ("South West and South Central", ["south-west", "south-central"]),
}


async def test_hierarchy(client, organisation: Organisation) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/api/organisation")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "HM Prison and Probation Service"
    areas = body["areas"]
    assert len(areas) == 7
    assert {a["code"]: (a["name"], [r["code"] for r in a["regions"]]) for a in areas} == AREAS
    regions = [r for a in areas for r in a["regions"]]
    assert len(regions) == 12
    assert len({r["code"] for r in regions}) == 12
    for area in areas:
        for region in area["regions"]:
            assert region["area_code"] == area["code"]
            assert region["pdus"], region["code"]
            assert all(p["code"].startswith(f"{region['code']}--") for p in region["pdus"])

    # Names and PDUs are the config's.
    configured = {r.code: r for r in organisation.regions}
    for region in regions:
        expected = configured[region["code"]]
        assert region["name"] == expected.name
        assert [(p["code"], p["name"]) for p in region["pdus"]] == [(p.code, p.name) for p in expected.pdus]
    assert {r["code"]: r["name"] for r in regions}["kent-surrey-and-sussex"] == "Kent, Surrey and Sussex"
    assert sum(len(r["pdus"]) for r in regions) == len(organisation.pdus)


async def test_signed_out_is_refused_as_a_problem(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/api/organisation", headers={"Authorization": ""})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401


async def test_tables_match_config(db: AsyncSession, organisation: Organisation) -> None:
    areas = {a.code: a.name for a in (await db.scalars(select(AreaRecord))).all()}
    assert areas == {code: name for code, (name, _) in AREAS.items()}
    regions = {r.code: (r.name, r.area_code) for r in (await db.scalars(select(RegionRecord))).all()}
    assert regions == {r.code: (r.name, r.area_code) for r in organisation.regions}
    assert len(regions) == 12
    assert await db.scalar(select(func.count()).select_from(PduRecord)) == len(organisation.pdus)
