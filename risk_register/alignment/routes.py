"""The alignment domain's route handlers, registered by core/plugin.py."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from risk_register.alignment.controllers import AlignmentController

ROUTES: list[ControllerRouterHandler] = [AlignmentController]
