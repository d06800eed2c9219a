"""Bearer-token authentication for every route except the public ones."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import Receive, Scope, Send

from risk_register.accounts.services import principal_for_token
from risk_register.core.request_context import current_principal

PUBLIC_PATHS = ["^/health$", "^/schema", "^/api/auth/login$"]
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="risk-register"'}


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        reset = current_principal.set(None)
        try:
            await super().__call__(scope, receive, send)
        finally:
            current_principal.reset(reset)

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("Sign in: send Authorization: Bearer <token>", headers=_CHALLENGE)
        # The request's own session (the one its handler gets, committed or rolled back and closed by the
        # plugin's before-send handler, 401s included): one connection checkout per request, not two. On SQLite
        # a writing request so takes the write lock here rather than in its handler; that is the same request.
        db_config = connection.app.state.db_config
        session = db_config.provide_session(connection.app.state, connection.scope)
        principal = await principal_for_token(session, token.strip(), connection.app.state.verified_tokens)
        if principal is None:
            raise NotAuthorizedException("The token is unknown, expired or revoked", headers=_CHALLENGE)
        current_principal.set(principal)
        return AuthenticationResult(user=principal, auth=token)
