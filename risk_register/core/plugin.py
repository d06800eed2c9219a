"""One plugin wires everything: database, problem details, logging, OpenAPI, CORS, routes and the CLI."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from click import Group
from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.plugins import CLIPluginProtocol, InitPluginProtocol
from litestar.plugins.problem_details import ProblemDetailsPlugin
from litestar.plugins.pydantic import PydanticPlugin
from litestar.plugins.structlog import StructlogPlugin
from litestar.types import ControllerRouterHandler

from risk_register.core.context import provide_context, provide_organisation
from risk_register.core.health import health
from risk_register.core.logging import RequestIdMiddleware, structlog_config
from risk_register.core.problems import problem_details_config
from risk_register.db.config import sqlalchemy_config
from risk_register.estates.controllers import (
    EstateReportController,
    FindingController,
    ProjectController,
    RemediationController,
    SiteController,
)
from risk_register.estates.rules import load_estates_rules
from risk_register.organisation.controllers import OrganisationController
from risk_register.organisation.reference import load_organisation
from risk_register.organisation.services import sync_organisation
from risk_register.settings import Settings

ROUTES: list[ControllerRouterHandler] = [
    health,
    OrganisationController,
    SiteController,
    FindingController,
    ProjectController,
    RemediationController,
    EstateReportController,
]


class CorePlugin(InitPluginProtocol, CLIPluginProtocol):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db_config = sqlalchemy_config(settings)

    def on_cli_init(self, cli: Group) -> None:
        from risk_register.cli import register_commands

        register_commands(cli)

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        settings = self.settings
        organisation = load_organisation(settings.config_dir)
        app_config.state.update(
            {
                "settings": settings,
                "organisation": organisation,
                "estates_rules": load_estates_rules(settings.config_dir),
            }
        )
        app_config.plugins.extend(
            [
                SQLAlchemyPlugin(config=self.db_config),
                ProblemDetailsPlugin(problem_details_config()),
                StructlogPlugin(structlog_config(settings)),
                PydanticPlugin(prefer_alias=False),
            ]
        )
        app_config.route_handlers.extend(ROUTES)
        app_config.middleware.insert(0, RequestIdMiddleware())
        app_config.dependencies.update(
            {
                "context": Provide(provide_context, sync_to_thread=False),
                "organisation": Provide(provide_organisation, sync_to_thread=False),
            }
        )
        app_config.openapi_config = OpenAPIConfig(
            title="risk-register",
            version="0.1.0",
            description="Estates and health-and-safety risk register for the Probation Service.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
        )
        app_config.cors_config = (
            CORSConfig(allow_origins=settings.cors_allow_origins) if settings.cors_allow_origins else None
        )
        app_config.lifespan.append(self._sync_reference_data)
        return app_config

    @asynccontextmanager
    async def _sync_reference_data(self, app: Litestar) -> AsyncGenerator[None, None]:
        """Keep the organisation tables equal to config/ (the schema itself comes from migrations)."""
        async with self.db_config.get_session() as session:
            await sync_organisation(session, app.state.organisation)
            await session.commit()
        yield
