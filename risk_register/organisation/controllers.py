from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from risk_register.core import problems
from risk_register.organisation.reference import Organisation
from risk_register.organisation.schemas import AreaOut, OrganisationOut, PduOut, RegionOut


def organisation_out(organisation: NamedDependency[Organisation]) -> OrganisationOut:
    def region_out(code: str) -> RegionOut:
        region = organisation.region(code)
        assert region is not None  # load_organisation refuses Areas naming unknown regions
        return RegionOut(
            code=region.code,
            name=region.name,
            area_code=region.area_code,
            pdus=[PduOut(code=p.code, name=p.name) for p in region.pdus],
        )

    return OrganisationOut(
        areas=[
            AreaOut(code=a.code, name=a.name, regions=[region_out(c) for c in a.region_codes])
            for a in organisation.areas
        ]
    )


class OrganisationController(Controller):
    path = "/api/organisation"
    tags = ["Organisation"]

    @get("/", responses=problems.problem_responses(401), summary="National -> Areas -> regions -> PDUs")
    async def hierarchy(self, organisation: NamedDependency[Organisation]) -> OrganisationOut:
        return organisation_out(organisation)
