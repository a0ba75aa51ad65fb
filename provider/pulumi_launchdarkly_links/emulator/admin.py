"""The /_emulator/ admin API: stats, reset, seed, knobs and a state dump (no auth, not counted)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import bad_request, read_object
from .runtime import Runtime
from .seed import SeedError


def _rt(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


async def get_stats(request: Request) -> Response:
    return JSONResponse(_rt(request).stats.snapshot())


async def reset_stats(request: Request) -> Response:
    rt = _rt(request)
    rt.stats.reset()
    rt.limiter.reset()
    return JSONResponse(rt.stats.snapshot())


async def reset(request: Request) -> Response:
    """Body: none (use the startup seed), `{"seed": "demo"|dict|null}`, or a bare seed dict."""
    rt = _rt(request)
    raw = await request.body()
    seed: Any = rt.settings.seed
    if raw.strip():
        try:
            body = json.loads(raw)
        except ValueError:
            raise bad_request("malformed JSON body") from None
        if not isinstance(body, dict):
            raise bad_request("body must be a JSON object")
        seed = body.get("seed", body)
    if seed is not None and not isinstance(seed, (str, dict)):
        raise bad_request("seed must be 'demo', a file path, an object or null")
    try:
        rt.reset(seed)
    except SeedError as exc:
        raise bad_request(str(exc)) from None
    return JSONResponse({"ok": True})


async def merge_seed(request: Request) -> Response:
    body = await read_object(request)
    try:
        _rt(request).merge_seed(body)
    except SeedError as exc:
        raise bad_request(str(exc)) from None
    return JSONResponse({"ok": True})


async def get_knobs(request: Request) -> Response:
    return JSONResponse(_rt(request).settings.knobs())


async def patch_knobs(request: Request) -> Response:
    rt = _rt(request)
    body = await read_object(request)
    try:
        rt.settings.apply_knobs(body)
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    return JSONResponse(rt.settings.knobs())


async def get_state(request: Request) -> Response:
    return JSONResponse(_rt(request).store.snapshot())


routes = [
    Route("/_emulator/stats", get_stats, methods=["GET"]),
    Route("/_emulator/stats/reset", reset_stats, methods=["POST"]),
    Route("/_emulator/reset", reset, methods=["POST"]),
    Route("/_emulator/seed", merge_seed, methods=["POST"]),
    Route("/_emulator/knobs", get_knobs, methods=["GET"]),
    Route("/_emulator/knobs", patch_knobs, methods=["PATCH"]),
    Route("/_emulator/state", get_state, methods=["GET"]),
]
