"""ASGI middleware for every /api/ request: stats, latency, rate limits, auth, beta, faults.

Written as raw ASGI (not BaseHTTPMiddleware) because fault injection must control exactly what
reaches the socket: a 5xx instead of a processed answer, or a connection dropped mid-response.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .runtime import Exchange, Runtime

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
FAULT_KINDS = ["500", "502", "503", "504", "drop"]
# Faults that carry a JSON error body; 502/504 come back empty, as from a proxy.
FAULT_BODIES = {
    "500": {"code": "internal_server_error", "message": "Injected fault: internal error"},
    "503": {"code": "service_unavailable", "message": "Injected fault: service unavailable"},
}


class InjectedDisconnect(Exception):
    """Raised after the response started so the server closes the connection mid-response."""


class _QuietInjectedDisconnect(logging.Filter):
    """Drop uvicorn's traceback for deliberate disconnects; real errors still get logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, InjectedDisconnect)


def install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietInjectedDisconnect) for f in logger.filters):
        logger.addFilter(_QuietInjectedDisconnect())


def is_beta_route(template: str | None) -> bool:
    """Views and flag-links are beta resources and need `LD-API-Version: beta`."""
    if template is None:
        return False
    return (
        template.startswith("/api/v2/flag-links/")
        or "/views" in template
        or "/view-associations/" in template
    )


class ApiMiddleware:
    def __init__(self, app: ASGIApp, runtime: Runtime, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.runtime = runtime
        self.routes = routes

    def _template(self, scope: Scope) -> str | None:
        partial: str | None = None
        for route in self.routes:
            match, _ = route.matches(scope)
            path = getattr(route, "path", None)
            if match == Match.FULL:
                return path
            if match == Match.PARTIAL and partial is None:
                partial = path
        return partial

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        rt = self.runtime
        method = scope["method"]
        template = self._template(scope)
        route_key = f"{method} {template or '<unmatched>'}"
        rt.stats.request(route_key, method not in SAFE_METHODS)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        body, receive = await _buffer_body(receive)
        exchange = Exchange(
            method=method,
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=body,
            route=template,
        )
        send = _capturing(send, exchange)
        try:
            await self._handle(scope, receive, send, exchange, route_key, template, headers)
        finally:
            rt.stats.status(exchange.status)
            for hook in list(rt.exchange_hooks):
                hook(exchange)

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        exchange: Exchange,
        route_key: str,
        template: str | None,
        headers: dict[str, str],
    ) -> None:
        rt = self.runtime
        knobs = rt.settings
        if knobs.latency_ms > 0 or knobs.latency_jitter_ms > 0:
            # asyncio.sleep (not time.sleep) so concurrent requests overlap like on a real API.
            jitter = random.uniform(-knobs.latency_jitter_ms, knobs.latency_jitter_ms)
            await asyncio.sleep(max(0.0, knobs.latency_ms + jitter) / 1000)
        decision = rt.limiter.check(
            route_key,
            knobs.route_limit,
            knobs.global_limit,
            knobs.window_seconds,
            knobs.retry_after,
        )
        rl_headers = [
            (b"x-ratelimit-route-remaining", str(decision.route_remaining).encode()),
            (b"x-ratelimit-global-remaining", str(decision.global_remaining).encode()),
            (b"x-ratelimit-reset", str(decision.reset_ms).encode()),
        ]
        send = _with_headers(send, rl_headers)
        if not decision.allowed:
            rt.stats.bump("rate_limited")
            extra = []
            if decision.retry_after_s is not None:
                extra.append((b"retry-after", str(decision.retry_after_s).encode()))
            await _send_json(
                send,
                429,
                {"code": "rate_limited", "message": "Rate limit exceeded; slow down"},
                extra,
            )
            return
        # Compare the raw header with the token; never echo what the client sent.
        if headers.get("authorization") != knobs.token:
            rt.stats.bump("unauthorized")
            await _send_json(send, 401, {"code": "unauthorized", "message": "Invalid access token"})
            return
        if is_beta_route(template) and headers.get("ld-api-version") != "beta":
            await _send_json(
                send,
                403,
                {
                    "code": "forbidden",
                    "message": "This resource is in beta; set LD-API-Version: beta",
                },
            )
            return
        fault, phase = self._pick_fault()
        if fault is None:
            await self.app(scope, receive, send)
            return
        rt.stats.bump("faults")
        rt.stats.bump(f"faults_{phase}")
        exchange.fault = f"{fault}-{phase}"
        if phase == "after":
            # Process the request for real (the mutation happens), then lose the answer.
            async def discard(message: Message) -> None:
                return None

            await self.app(scope, receive, discard)
        await _send_fault(send, fault)

    def _pick_fault(self) -> tuple[str | None, str]:
        rate = self.runtime.settings.fault_rate
        if rate <= 0 or self.runtime.rng_random() >= rate:
            return None, ""
        kind = self.runtime.rng_choice(FAULT_KINDS)
        phase = self.runtime.rng_choice(["before", "after"])
        return kind, phase


async def _buffer_body(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole request body (they are small) and hand the app a replaying receive."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def _capturing(send: Send, exchange: Exchange) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            exchange.status = message["status"]
            exchange.response_headers = {
                k.decode("latin-1").lower(): v.decode("latin-1")
                for k, v in message.get("headers", [])
            }
        elif message["type"] == "http.response.body":
            exchange.response_body += message.get("body", b"")
        await send(message)

    return wrapped


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": list(message.get("headers", [])) + extra}
        await send(message)

    return wrapped


async def _send_json(
    send: Send, status: int, body: Any, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _send_fault(send: Send, fault: str) -> None:
    if fault == "drop":
        # Promise a body, send none, then blow up: the server closes the connection and the
        # client sees a truncated response (a "connection reset" style failure).
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        raise InjectedDisconnect("injected dropped connection")
    body = FAULT_BODIES.get(fault)
    if body is not None:
        await _send_json(send, int(fault), body)
        return
    await send(
        {
            "type": "http.response.start",
            "status": int(fault),
            "headers": [(b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})
