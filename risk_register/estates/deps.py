"""Service providers for the estates controllers (Litestar DI)."""

from __future__ import annotations

from advanced_alchemy.extensions.litestar.providers import create_service_provider
from litestar.di import NamedDependency, Provide

from risk_register.estates.services import FindingService, ProjectService, RemediationService, SiteService

SERVICES = {
    "sites": Provide(create_service_provider(SiteService)),
    "findings": Provide(create_service_provider(FindingService)),
    "projects": Provide(create_service_provider(ProjectService)),
    "remediation": Provide(create_service_provider(RemediationService)),
}

Sites = NamedDependency[SiteService]
Findings = NamedDependency[FindingService]
Projects = NamedDependency[ProjectService]
Remediation = NamedDependency[RemediationService]
