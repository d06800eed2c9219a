from __future__ import annotations


async def test_health_answers_with_the_engine_in_use(client, database) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": database.engine_name}
