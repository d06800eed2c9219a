"""Security headers and the request id on every response, including the ones no route answered (unknown
paths), which is why this is a ``before_send`` hook rather than middleware: route middleware never runs
for a request that matched no route."""

from __future__ import annotations

import uuid

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

_ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "geolocation=(), camera=(), microphone=()",
}
# The API serves data only; the interactive docs under /schema load their own scripts and styles.
_API_ONLY = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "cache-control": "no-store",
}


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    extra = _ALWAYS if scope["path"].startswith("/schema") else {**_ALWAYS, **_API_ONLY}
    for name, value in extra.items():
        headers.setdefault(name, value)
    if "x-request-id" not in headers:
        state = scope.get("state") or {}
        headers["x-request-id"] = str(state.get("request_id") or uuid.uuid4().hex)
