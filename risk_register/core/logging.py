"""Structured JSON logs with a request id on every line, and no bodies or credentials in them."""

from __future__ import annotations

import uuid

import structlog
from litestar.enums import ScopeType
from litestar.logging.config import StructLoggingConfig, default_structlog_processors
from litestar.middleware import ASGIMiddleware
from litestar.middleware.logging import LoggingMiddlewareConfig
from litestar.plugins.structlog import StructlogConfig
from litestar.types import ASGIApp, Receive, Scope, Send

from risk_register.core.request_context import current_request_id, current_request_writes
from risk_register.settings import Settings

REQUEST_ID_HEADER = "x-request-id"


class RequestIdMiddleware(ASGIMiddleware):
    """Give each request an id (the caller's X-Request-ID if it is sane), bind it to every log line of the
    request, and echo it in the response."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if 8 <= len(incoming) <= 64 and incoming.replace("-", "").isalnum() else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        request_token = current_request_id.set(request_id)
        writes_token = current_request_writes.set(scope.get("method", "GET") not in {"GET", "HEAD", "OPTIONS"})

        try:
            await next_app(scope, receive, send)  # core/security_headers.py echoes the id
        finally:
            current_request_id.reset(request_token)
            current_request_writes.reset(writes_token)
            structlog.contextvars.clear_contextvars()


def structlog_config(settings: Settings) -> StructlogConfig:
    import logging

    level = getattr(logging, settings.log_level)
    return StructlogConfig(
        structlog_logging_config=StructLoggingConfig(
            processors=default_structlog_processors(as_json=settings.log_json),
            wrapper_class=structlog.make_filtering_bound_logger(level),
            log_exceptions="never",  # 4xx are answers, not faults; 5xx are logged in core.problems,
        ),
        # Its request and response lines are at INFO: above that level they would be dropped after the work of
        # reading the request for them was done, on every request.
        enable_middleware_logging=level <= logging.INFO,
        middleware_logging_config=LoggingMiddlewareConfig(
            # Bodies can carry personal data and passwords; headers carry tokens. Log neither.
            request_log_fields=["method", "path", "query"],
            response_log_fields=["status_code"],
            request_headers_to_obfuscate={"Authorization", "Cookie", "X-API-KEY"},
            exclude=["^/health$"],
        ),
    )
