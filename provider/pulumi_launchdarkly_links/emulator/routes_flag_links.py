"""Flag links (beta): list, create, JSON-Patch update and delete links of one flag."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import reps
from .errors import bad_request, conflict, not_found, optional_str, read_json, read_object
from .runtime import Runtime
from .store import get_flag, get_project

BASE = "/api/v2/flag-links/projects/{projectKey}/flags/{featureFlagKey}"

# Only these JSON-Patch paths/ops are accepted; `_`-prefixed fields are read-only by convention.
PATCHABLE_PATHS = {"/title": "title", "/description": "description"}
PATCH_OPS = {"replace", "add", "remove"}


def _rt(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def _links_of(request: Request, state: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]]]:
    pkey = str(request.path_params["projectKey"])
    fkey = str(request.path_params["featureFlagKey"])
    project = get_project(state, pkey)
    get_flag(project, fkey)
    return pkey, fkey, project["flagLinks"].setdefault(fkey, [])


async def list_flag_links(request: Request) -> Response:
    with _rt(request).store.read() as state:
        pkey, fkey, links = _links_of(request, state)
        items = [reps.flag_link_rep(pkey, fkey, fl) for fl in links]
    base = BASE.format(projectKey=pkey, featureFlagKey=fkey)
    return JSONResponse({"items": items, "_links": {"self": reps.link(base)}})


def _parse_post(body: dict[str, Any]) -> dict[str, Any]:
    for name in ("key", "title", "description", "integrationKey", "deepLink"):
        optional_str(body, name)
    deep_link = body.get("deepLink")
    integration_key = body.get("integrationKey")
    if not deep_link and not integration_key:
        # The spec makes deepLink optional: an integration link's URL comes from the
        # integration's manifest. A URL link without one is refused, as it most plausibly is.
        raise bad_request("deepLink is required for a URL flag link (no integrationKey)")
    if not deep_link:
        # The docs do not say what `_deepLink` (required in FlagLinkRep) holds then; the
        # integration's own page for the metadata is the most plausible answer.
        deep_link = f"https://integrations.example.invalid/{integration_key}"
    timestamp = body.get("timestamp")
    if timestamp is not None and (isinstance(timestamp, bool) or not isinstance(timestamp, int)):
        raise bad_request("timestamp must be an integer (Unix milliseconds)")
    metadata = body.get("metadata")
    if metadata is not None and (
        not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values())
    ):
        raise bad_request("metadata must be an object of strings")
    return {
        "key": body.get("key"),
        "deepLink": deep_link,
        "title": body.get("title"),
        "description": body.get("description"),
        "integrationKey": body.get("integrationKey"),
        "metadata": dict(metadata or {}),
        "timestamp": timestamp,
    }


async def create_flag_link(request: Request) -> Response:
    rt = _rt(request)
    with rt.store.read() as state:
        _links_of(request, state)  # 404 before body errors
    fields = _parse_post(await read_object(request))
    with rt.store.write() as state:
        pkey, fkey, links = _links_of(request, state)
        if fields["key"] is not None and any(fl.get("key") == fields["key"] for fl in links):
            raise conflict(f"flag link with key '{fields['key']}' already exists")
        used = {fl["_id"] for fl in links}
        link_id = secrets.token_hex(12)
        while link_id in used:
            link_id = secrets.token_hex(12)
        now = rt.store.now_ms()
        record = {**fields, "_id": link_id, "createdAt": now}
        if record["timestamp"] is None:
            record["timestamp"] = now
        links.append(record)
        rep = reps.flag_link_rep(pkey, fkey, record)
    return JSONResponse(rep, status_code=201)


def _parse_patch(body: Any) -> list[tuple[str, str, Any]]:
    if not isinstance(body, list) or not body:
        raise bad_request("request body must be a non-empty JSON Patch array")
    ops: list[tuple[str, str, Any]] = []
    for op in body:
        if not isinstance(op, dict) or not isinstance(op.get("op"), str):
            raise bad_request("each patch operation needs op and path")
        path = op.get("path")
        if not isinstance(path, str):
            raise bad_request("each patch operation needs op and path")
        if path not in PATCHABLE_PATHS:
            raise bad_request(f"path {path} cannot be patched; allowed: /title, /description")
        if op["op"] not in PATCH_OPS:
            raise bad_request(f"op {op['op']} is not supported for path {path}")
        value = op.get("value")
        if op["op"] != "remove" and not isinstance(value, str):
            raise bad_request(f"value for {path} must be a string")
        ops.append((op["op"], PATCHABLE_PATHS[path], value))
    return ops


async def update_flag_link(request: Request) -> Response:
    rt = _rt(request)
    link_id = str(request.path_params["id"])
    with rt.store.read() as state:
        _links_of(request, state)
    ops = _parse_patch(await read_json(request))
    with rt.store.write() as state:
        pkey, fkey, links = _links_of(request, state)
        # PATCH is documented with the link ID only, so keys are not accepted here.
        record = next((fl for fl in links if fl["_id"] == link_id), None)
        if record is None:
            raise not_found(f"flag link '{link_id}' not found on flag '{fkey}'")
        for op, field, value in ops:
            record[field] = None if op == "remove" else value
        return JSONResponse(reps.flag_link_rep(pkey, fkey, record))


async def delete_flag_link(request: Request) -> Response:
    rt = _rt(request)
    ident = str(request.path_params["id"])
    with rt.store.write() as state:
        _, fkey, links = _links_of(request, state)
        # DELETE takes the ID or the key (spec: "The flag link ID or Key").
        index = next(
            (i for i, fl in enumerate(links) if fl["_id"] == ident or fl.get("key") == ident),
            None,
        )
        if index is None:
            raise not_found(f"flag link '{ident}' not found on flag '{fkey}'")
        del links[index]
    return Response(status_code=204)


routes = [
    Route(BASE, list_flag_links, methods=["GET"]),
    Route(BASE, create_flag_link, methods=["POST"]),
    Route(BASE + "/{id}", update_flag_link, methods=["PATCH"]),
    Route(BASE + "/{id}", delete_flag_link, methods=["DELETE"]),
]
