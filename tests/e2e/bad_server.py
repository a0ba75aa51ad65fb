"""A real HTTP server that answers every /api/ request badly, in one chosen way.

It stands where LaunchDarkly should be (`launchdarkly:apiHost`), as a misconfigured proxy, a
wrong host or a broken deployment would: `with BadServer("malformed_json") as bad: bad.url`.
Every request is recorded as "METHOD /path" in `bad.requests`.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from types import TracebackType

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from pulumi_launchdarkly_links.emulator.server import BackgroundServer

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

NOT_FOUND_PAGE = """<!DOCTYPE html>
<html><head><title>404 Not Found</title></head>
<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p>
<hr><address>nginx</address></body></html>
"""


async def malformed_json(_request: Request) -> Response:
    """200, says JSON, but the body is cut off mid-document."""
    return Response('{"items": [{"resourceKey": "new-che', media_type="application/json")


async def html_error_page(_request: Request) -> Response:
    """404 with a web server's HTML page: what any host that is not the LaunchDarkly API says."""
    return HTMLResponse(NOT_FOUND_PAGE, status_code=404)


async def coded_not_found(_request: Request) -> Response:
    """404 with LaunchDarkly's own `{code, message}` body for every path: an API of the right
    kind that knows none of these routes, so its 404 says nothing about the link."""
    return JSONResponse({"code": "not_found", "message": "Unknown route"}, status_code=404)


async def unexpected_shape(_request: Request) -> Response:
    """200 with valid JSON that is nothing LaunchDarkly would send."""
    return JSONResponse({"foo": 1})


async def empty_500(_request: Request) -> Response:
    """500 with no body at all."""
    return Response(b"", status_code=500)


BEHAVIOURS: dict[str, Callable[[Request], Awaitable[Response]]] = {
    handler.__name__: handler
    for handler in (malformed_json, html_error_page, coded_not_found, unexpected_shape, empty_500)
}


class BadServer:
    """The bad answers on a background thread, on a free port of 127.0.0.1."""

    def __init__(self, behaviour: str) -> None:
        handler = BEHAVIOURS[behaviour]
        self.behaviour = behaviour
        self.requests: list[str] = []
        self._lock = threading.Lock()

        async def answer(request: Request) -> Response:
            with self._lock:
                self.requests.append(f"{request.method} {request.url.path}")
            await request.body()
            return await handler(request)

        app = Starlette(routes=[Route("/{path:path}", answer, methods=ALL_METHODS)])
        self._background = BackgroundServer(app)
        self.url = self._background.url

    def __enter__(self) -> BadServer:
        self._background.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._background.stop()
