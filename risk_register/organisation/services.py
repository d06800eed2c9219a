"""Keep the organisation tables equal to config/organisation.toml."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from risk_register.organisation.models import AreaRecord, PduRecord, RegionRecord
from risk_register.organisation.reference import Organisation


async def sync_organisation(session: AsyncSession, organisation: Organisation) -> None:
    """Insert or rename units from config. Units that left the config stay: records may still refer to them."""
    existing_areas = {a.code: a for a in (await session.scalars(select(AreaRecord))).all()}
    for area in organisation.areas:
        record = existing_areas.get(area.code)
        if record is None:
            session.add(AreaRecord(code=area.code, name=area.name))
        else:
            record.name = area.name
    await session.flush()
    existing_regions = {r.code: r for r in (await session.scalars(select(RegionRecord))).all()}
    for region in organisation.regions:
        region_record = existing_regions.get(region.code)
        if region_record is None:
            session.add(RegionRecord(code=region.code, name=region.name, area_code=region.area_code))
        else:
            region_record.name, region_record.area_code = region.name, region.area_code
    await session.flush()
    existing_pdus = {p.code: p for p in (await session.scalars(select(PduRecord))).all()}
    for pdu in organisation.pdus:
        pdu_record = existing_pdus.get(pdu.code)
        if pdu_record is None:
            session.add(PduRecord(code=pdu.code, name=pdu.name, region_code=pdu.region_code))
        else:
            pdu_record.name, pdu_record.region_code = pdu.name, pdu.region_code
    await session.flush()
