"""The hazards domain's route handlers, registered by core/plugin.py."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from risk_register.hazards.controllers import (
    AssessmentController,
    ControlController,
    HazardController,
    LegionellaController,
    StressController,
    TeamController,
)

ROUTES: list[ControllerRouterHandler] = [
    HazardController,
    TeamController,
    ControlController,
    AssessmentController,
    LegionellaController,
    StressController,
]
