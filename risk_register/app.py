"""The application factory."""

from __future__ import annotations

from litestar import Litestar

from risk_register.core.plugin import CorePlugin
from risk_register.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    # Passed here, not set by the plugin: Litestar 2.25 reads the body limit from its constructor argument
    # and ignores the value an init plugin puts on the AppConfig.
    return Litestar(plugins=[CorePlugin(settings)], request_max_body_size=settings.max_request_body_bytes)
