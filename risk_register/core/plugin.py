"""One plugin wires everything: database, problem details, logging, auth, OpenAPI, CORS, routes and the CLI."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from click import Group
from litestar import Litestar, Router
from litestar.config.app import AppConfig
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins import CLIPluginProtocol, InitPluginProtocol
from litestar.plugins.problem_details import ProblemDetailsPlugin
from litestar.plugins.pydantic import PydanticPlugin
from litestar.plugins.structlog import StructlogPlugin
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncEngine

from risk_register.accounts.controllers import AuthController, UserController
from risk_register.accounts.demo_users import ensure_demo_users
from risk_register.accounts.guards import authorize, refuse_unguarded_writes
from risk_register.accounts.middleware import PUBLIC_PATHS, BearerTokenMiddleware
from risk_register.accounts.token_cache import VerifiedTokens
from risk_register.alignment.routes import ROUTES as ALIGNMENT_ROUTES
from risk_register.alignment.settings import load_alignment_settings
from risk_register.audit.controllers import AuditController
from risk_register.core.concurrency import provide_expected_version
from risk_register.core.context import provide_context, provide_organisation
from risk_register.core.filters import provide_org_filter, provide_period
from risk_register.core.health import health
from risk_register.core.logging import RequestIdMiddleware, structlog_config
from risk_register.core.memory import freeze_startup_heap
from risk_register.core.openapi import InputModelSchemaPlugin
from risk_register.core.pagination import provide_page
from risk_register.core.problems import problem_details_config, register_parameter_names
from risk_register.core.security_headers import add_security_headers
from risk_register.db.config import sqlalchemy_config
from risk_register.estates.controllers import (
    EstateReportController,
    FindingController,
    ProjectController,
    RemediationController,
    SiteController,
)
from risk_register.estates.rules import load_estates_rules
from risk_register.hazards.config import load_hazard_rules
from risk_register.hazards.routes import ROUTES as HAZARD_ROUTES
from risk_register.organisation.controllers import OrganisationController
from risk_register.organisation.reference import load_organisation
from risk_register.organisation.services import sync_organisation
from risk_register.registers.routes import ROUTES as REGISTER_ROUTES
from risk_register.registers.rules import load_register_rules
from risk_register.registers.services import ensure_registers
from risk_register.settings import Settings

ROUTES: list[ControllerRouterHandler] = [
    health,
    UserController,
    AuditController,
    OrganisationController,
    SiteController,
    FindingController,
    ProjectController,
    RemediationController,
    EstateReportController,
    *HAZARD_ROUTES,
    *REGISTER_ROUTES,
    *ALIGNMENT_ROUTES,
]


class CorePlugin(InitPluginProtocol, CLIPluginProtocol):
    def __init__(self, settings: Settings, engine: AsyncEngine | None = None) -> None:
        """``engine``: use this engine instead of one made from ``settings`` (the contract tests pass a NullPool
        engine, since schemathesis serves the app from an event loop of its own)."""
        self.settings = settings
        self.db_config = sqlalchemy_config(settings, engine)

    def on_cli_init(self, cli: Group) -> None:
        from risk_register.cli import register_commands

        register_commands(cli)

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        settings = self.settings
        app_config.state.update(
            {
                "settings": settings,
                "db_config": self.db_config,
                "organisation": load_organisation(settings.config_dir),
                "estates_rules": load_estates_rules(settings.config_dir),
                "alignment_settings": load_alignment_settings(settings.config_dir),
                "hazard_rules": load_hazard_rules(settings.config_dir),
                "register_rules": load_register_rules(settings.config_dir),
                "verified_tokens": VerifiedTokens(settings.token_cache_seconds),
            }
        )
        app_config.plugins.extend(
            [
                SQLAlchemyPlugin(config=self.db_config),
                ProblemDetailsPlugin(problem_details_config()),
                StructlogPlugin(structlog_config(settings)),
                # Before PydanticPlugin: request bodies get pydantic's own JSON schema (see core/openapi.py).
                InputModelSchemaPlugin(),
                PydanticPlugin(prefer_alias=False),
            ]
        )
        app_config.route_handlers.extend(ROUTES)
        # Sign-in is rate limited per client address; the other /api/auth routes are not.
        login_limit = RateLimitConfig(
            rate_limit=("minute", settings.login_attempts_per_minute), exclude=[r"^/api/auth/(?!login$)"]
        )
        app_config.route_handlers.append(
            Router(path="/", route_handlers=[AuthController], middleware=[login_limit.middleware])
        )
        app_config.middleware[:0] = [
            RequestIdMiddleware(),
            DefineMiddleware(BearerTokenMiddleware, exclude=PUBLIC_PATHS),
        ]
        app_config.guards.append(authorize)
        app_config.before_send.append(add_security_headers)
        app_config.dependencies.update(
            {
                "context": Provide(provide_context, sync_to_thread=False),
                "organisation": Provide(provide_organisation, sync_to_thread=False),
                "version": Provide(provide_expected_version, sync_to_thread=False),
                "org": Provide(provide_org_filter, sync_to_thread=False),
                "period": Provide(provide_period, sync_to_thread=False),
                "page": Provide(provide_page, sync_to_thread=False),
            }
        )
        app_config.openapi_config = OpenAPIConfig(
            title="risk-register",
            version="0.1.0",
            description="Estates and health-and-safety risk register for the Probation Service.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="A token from POST /api/auth/login or /api/auth/tokens",
                    ),
                }
            ),
            security=[{"BearerToken": []}],
        )
        app_config.cors_config = (
            CORSConfig(allow_origins=settings.cors_allow_origins) if settings.cors_allow_origins else None
        )
        app_config.on_startup.extend([refuse_unguarded_writes, register_parameter_names])
        app_config.lifespan.append(self._prepare_database)
        return app_config

    @asynccontextmanager
    async def _prepare_database(self, app: Litestar) -> AsyncGenerator[None, None]:
        """Keep the organisation tables equal to config/ (the schema itself comes from migrations), and in demo
        mode make sure the demo users exist."""
        async with self.db_config.get_session() as session:
            await sync_organisation(session, app.state.organisation)
            await ensure_registers(session, app.state.organisation)
            if self.settings.demo_mode:
                await ensure_demo_users(session)
            await session.commit()
        freeze_startup_heap()
        try:
            yield
        finally:
            # Our engine was handed to the plugin ready-made, so closing its pool is ours to do.
            await self.db_config.get_engine().dispose()
