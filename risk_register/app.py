"""The application factory."""

from __future__ import annotations

from litestar import Litestar

from risk_register.core.plugin import CorePlugin
from risk_register.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> Litestar:
    return Litestar(plugins=[CorePlugin(settings or get_settings())])
