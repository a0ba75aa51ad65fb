"""A real HTTP proxy in front of the emulator that rewrites some answers, to stand for a
LaunchDarkly that uses the freedom its spec gives (an optional field left out, say).

`with RewritingProxy(emulator.url, rewrite) as proxy: proxy.url`, where
`rewrite(path, json_body) -> json_body` sees every JSON answer to a GET.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pulumi_launchdarkly_links.emulator.server import BackgroundServer

from .bad_server import ALL_METHODS

Rewrite = Callable[[str, Any], Any]


class RewritingProxy:
    def __init__(self, upstream: str, rewrite: Rewrite) -> None:
        self._upstream = httpx.AsyncClient(base_url=upstream, timeout=30)

        async def forward(request: Request) -> Response:
            answer = await self._upstream.request(
                request.method,
                request.url.path,
                params=request.query_params,
                content=await request.body(),
                headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
            )
            content_type = answer.headers.get("content-type", "")
            if request.method == "GET" and answer.is_success and "json" in content_type:
                return JSONResponse(rewrite(request.url.path, answer.json()), answer.status_code)
            return Response(answer.content, answer.status_code, media_type=content_type or None)

        app = Starlette(routes=[Route("/{path:path}", forward, methods=ALL_METHODS)])
        self._background = BackgroundServer(app)
        self.url = self._background.url

    def __enter__(self) -> RewritingProxy:
        self._background.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._background.stop()
