"""`create_app(settings)`: the Starlette application with API, admin routes and middleware."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from . import admin, routes_catalog, routes_flag_links, routes_views
from .errors import ApiError, error_response
from .middleware import ApiMiddleware, install_log_filter
from .runtime import Runtime
from .settings import EmulatorSettings
from .store import Store

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "invalid_request"}


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    # Router-level misses (unknown path, wrong method) also get the {code, message} shape.
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    return error_response(exc.status_code, code, f"{request.method} {request.url.path}: {code}")


def create_app(settings: EmulatorSettings | None = None, store: Store | None = None) -> Starlette:
    settings = settings or EmulatorSettings()
    runtime = Runtime(settings, store)
    api_routes = routes_views.routes + routes_flag_links.routes + routes_catalog.routes
    install_log_filter()
    app = Starlette(
        routes=[*api_routes, *admin.routes],
        middleware=[Middleware(ApiMiddleware, runtime=runtime, routes=api_routes)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    app.state.runtime = runtime
    return app
