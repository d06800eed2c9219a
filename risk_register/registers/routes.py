"""The registers domain's route handlers, registered by core/plugin.py."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

ROUTES: list[ControllerRouterHandler] = []
