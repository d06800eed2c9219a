"""Organisation units as tables, so sites and registers can refer to them with foreign keys."""

from __future__ import annotations

from advanced_alchemy.base import DefaultBase
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column


class AreaRecord(DefaultBase):
    __tablename__ = "area"
    __audit_exclude__ = True  # reference data, kept equal to config/organisation.toml

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class RegionRecord(DefaultBase):
    __tablename__ = "region"
    __audit_exclude__ = True  # reference data, kept equal to config/organisation.toml

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"), index=True)


class PduRecord(DefaultBase):
    __tablename__ = "pdu"
    __audit_exclude__ = True  # reference data, kept equal to config/organisation.toml

    code: Mapped[str] = mapped_column(String(160), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
