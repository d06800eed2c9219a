"""The organisation as configured in config/organisation.toml: Areas, regions and PDUs, as plain data."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@dataclass(frozen=True)
class Pdu:
    code: str
    name: str
    region_code: str


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    area_code: str
    pdus: tuple[Pdu, ...]


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    region_codes: tuple[str, ...]


@dataclass(frozen=True)
class Organisation:
    areas: tuple[Area, ...]
    regions: tuple[Region, ...]
    _regions_by_code: dict[str, Region] = field(init=False, repr=False, compare=False)
    _pdus_by_code: dict[str, Pdu] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regions_by_code", {r.code: r for r in self.regions})
        object.__setattr__(self, "_pdus_by_code", {p.code: p for r in self.regions for p in r.pdus})

    @property
    def pdus(self) -> tuple[Pdu, ...]:
        return tuple(self._pdus_by_code.values())

    def has_area(self, code: str) -> bool:
        return any(a.code == code for a in self.areas)

    def region(self, code: str) -> Region | None:
        return self._regions_by_code.get(code)

    def pdu(self, code: str) -> Pdu | None:
        return self._pdus_by_code.get(code)

    def area_of_region(self, region_code: str) -> str | None:
        region = self.region(region_code)
        return region.area_code if region else None


def load_organisation(config_dir: Path) -> Organisation:
    with (config_dir / "organisation.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    area_of: dict[str, str] = {}
    areas = []
    for area in raw["areas"]:
        areas.append(Area(code=area["code"], name=area["name"], region_codes=tuple(area["regions"])))
        for region_code in area["regions"]:
            if region_code in area_of:
                raise ValueError(f"region {region_code!r} is in two Areas")
            area_of[region_code] = area["code"]
    regions = []
    for region in raw["regions"]:
        code = region["code"]
        if code not in area_of:
            raise ValueError(f"region {code!r} belongs to no Area")
        pdus = tuple(Pdu(code=f"{code}--{slugify(name)}", name=name, region_code=code) for name in region["pdus"])
        regions.append(Region(code=code, name=region["name"], area_code=area_of[code], pdus=pdus))
    missing = set(area_of) - {r.code for r in regions}
    if missing:
        raise ValueError(f"Areas name regions that are not defined: {sorted(missing)}")
    return Organisation(areas=tuple(areas), regions=tuple(regions))
