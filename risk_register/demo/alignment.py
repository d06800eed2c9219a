"""Demo alignment: the national references the demo Area registers carry become confirmed links (as
POST /api/alignment/registers/{id}/reconcile-references would make them), and the national health and
safety and estates risks are marked as ones every Area must recognise."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.alignment.models import AlignmentLink, LinkSource, LinkStatus, NationalCoverage
from risk_register.registers.enums import RegisterLevel
from risk_register.registers.models import Register, Risk

EVERY_AREA_CATEGORIES = frozenset({"health-and-safety", "estates"})
BATCH = 2000


async def load_alignment_demo(session: AsyncSession) -> int:
    now = datetime.now(UTC)
    national = dict(
        (
            await session.execute(
                select(Risk.reference, Risk.id)
                .join(Register, Register.id == Risk.register_id)
                .where(Register.level == RegisterLevel.NATIONAL)
            )
        )
        .tuples()
        .all()
    )
    claims = (
        await session.execute(
            select(Risk.id, Risk.national_reference)
            .join(Register, Register.id == Risk.register_id)
            .where(Register.level != RegisterLevel.NATIONAL, Risk.national_reference.is_not(None))
        )
    ).all()

    def audit() -> dict[str, Any]:
        return {"id": uuid7(), "version": 1, "created_at": now, "updated_at": now}

    links = [
        {
            **audit(),
            "area_risk_id": risk_id,
            "national_risk_id": national[reference],
            "status": LinkStatus.CONFIRMED,
            "source": LinkSource.IMPORT,
            "rationale": "national reference in the Area register",
            "score": None,
            "decided_by": "system",
            "decided_at": now,
        }
        for risk_id, reference in claims
        if reference in national
    ]
    for start in range(0, len(links), BATCH):
        await session.execute(insert(AlignmentLink), links[start : start + BATCH])
    every_area = (
        (
            await session.execute(
                select(Risk.id)
                .join(Register, Register.id == Risk.register_id)
                .where(Register.level == RegisterLevel.NATIONAL, Risk.category.in_(EVERY_AREA_CATEGORIES))
            )
        )
        .scalars()
        .all()
    )
    if every_area:
        await session.execute(
            insert(NationalCoverage),
            [
                {
                    **audit(),
                    "national_risk_id": risk_id,
                    "applies_to_every_area": True,
                    "rationale": "a national health and safety or estates risk every Area must recognise",
                }
                for risk_id in every_area
            ],
        )
    return len(links)
