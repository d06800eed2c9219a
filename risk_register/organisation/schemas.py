from __future__ import annotations

from pydantic import BaseModel


class PduOut(BaseModel):
    code: str
    name: str


class RegionOut(BaseModel):
    code: str
    name: str
    area_code: str
    pdus: list[PduOut]


class AreaOut(BaseModel):
    code: str
    name: str
    regions: list[RegionOut]


class OrganisationOut(BaseModel):
    name: str = "HM Prison and Probation Service"
    areas: list[AreaOut]
