"""Service providers for the registers controllers (Litestar DI)."""

from __future__ import annotations

from advanced_alchemy.extensions.litestar.providers import create_service_provider
from litestar.di import NamedDependency, Provide

from risk_register.registers.services import ActionService, LinkService, RegisterService, RiskService

SERVICES = {
    "registers": Provide(create_service_provider(RegisterService)),
    "risks": Provide(create_service_provider(RiskService)),
    "links": Provide(create_service_provider(LinkService)),
    "risk_actions": Provide(create_service_provider(ActionService)),
}

Registers = NamedDependency[RegisterService]
Risks = NamedDependency[RiskService]
Links = NamedDependency[LinkService]
RiskActions = NamedDependency[ActionService]
