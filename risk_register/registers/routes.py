"""The registers domain's route handlers, registered by core/plugin.py."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from risk_register.registers.controllers import (
    ActionController,
    LinkController,
    MatrixController,
    RegisterController,
    RiskController,
)

ROUTES: list[ControllerRouterHandler] = [
    MatrixController,
    RegisterController,
    RiskController,
    LinkController,
    ActionController,
]
