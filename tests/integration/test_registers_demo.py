"""The demo registers load into a database the service then serves: history, changes and alignment claims."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from risk_register.demo.registers import load_register_demo
from risk_register.organisation.reference import load_organisation
from risk_register.registers.models import Risk, RiskVersion
from risk_register.settings import PROJECT_ROOT
from tests.conftest import TODAY


async def test_the_demo_registers_load_once_and_are_served(client, db) -> None:
    organisation = load_organisation(PROJECT_ROOT / "config")
    loaded = await load_register_demo(db, organisation, today=TODAY)
    await db.commit()
    assert loaded > 80
    assert await load_register_demo(db, organisation, today=TODAY) == 0  # registers already hold risks
    assert await db.scalar(select(func.count()).select_from(Risk)) == loaded
    assert await db.scalar(select(func.count()).select_from(RiskVersion)) > loaded

    registers = (await client.get("/api/registers", params={"level": "area", "area": "london"})).json()["items"]
    london = registers[0]["id"]
    risks = (await client.get(f"/api/registers/{london}/risks")).json()
    assert risks["total"] >= 10
    aligned = (await client.get("/api/risks", params={"area": "london", "has_national_reference": "true"})).json()
    assert 0 < aligned["total"] < risks["total"]
    quarter = (TODAY - timedelta(days=91)).isoformat()
    changes = (await client.get(f"/api/registers/{london}/changes", params={"from": quarter})).json()
    assert changes["total"] >= 1
    half_year_ago = (await client.get(f"/api/registers/{london}/as-at", params={"date": quarter})).json()
    assert half_year_ago["total"] >= 1
    exported = await client.get(f"/api/registers/{london}/export")
    assert exported.status_code == 200
    back = await client.post(
        f"/api/registers/{london}/import",
        content=exported.content,
        headers={"Content-Type": exported.headers["content-type"]},
        params={"dry_run": "true"},
    )
    assert back.status_code == 200, back.text
    assert back.json()["counts"]["unchanged"] == risks["total"]
