"""Views (beta): view CRUD, link/unlink, linked resources and view-associations.

Link and unlink take explicit keys, a filter, or both (a union); `/linked` takes a filter too.
The filter syntaxes live in flag_filters.py and segment_filters.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import entities, flag_filters, reps, segment_filters
from .errors import (
    bad_request,
    filter_syntax_error,
    not_found,
    optional_str,
    optional_str_list,
    query_int,
    query_list,
    read_object,
    required_str,
)
from .runtime import Runtime
from .settings import RESOURCE_TYPES
from .store import conflict_if, environment_by_id, get_project, get_view

VIEWS = "/api/v2/projects/{projectKey}/views"
DEFAULT_LINKED_LIMIT = 20
DEFAULT_VIEWS_LIMIT = 20

_VIEW_POST_FIELDS = {"key", "name", "description", "maintainerId", "maintainerTeamKey", "tags"}
_VIEW_PATCH_FIELDS = {"name", "description", "maintainerId", "maintainerTeamKey", "tags"}


def _rt(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def _path(request: Request, name: str) -> str:
    return str(request.path_params[name])


def _resource_type(runtime: Runtime, value: str) -> str:
    if value not in RESOURCE_TYPES or value in runtime.settings.reject_resource_types:
        raise bad_request(f"resourceType {value} is not supported")
    return value


def _validate_view_fields(body: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    """Type-check a ViewPost / ViewPatch body and return the fields to apply.

    A null field counts as absent (Go's JSON decoding), so it is neither checked nor applied.
    Both maintainer fields present is refused even when one is "": LaunchDarkly's Terraform
    provider notes that sending the cleared side as "" trips the same 400 ("Team maintainer key
    and member maintainer ID cannot both be set").
    """
    for name in ("name", "description", "maintainerId", "maintainerTeamKey"):
        optional_str(body, name)
    optional_str_list(body, "tags")
    if body.get("archived") is not None and not isinstance(body["archived"], bool):
        raise bad_request("archived must be a boolean")
    if body.get("maintainerId") is not None and body.get("maintainerTeamKey") is not None:
        raise bad_request("only one of maintainerId and maintainerTeamKey may be set")
    # The real API ignores unknown fields; so do we, but only known ones are applied. `archived`
    # (ViewPatch in the v23 spec) is accepted and ignored: LaunchDarkly removed view archival
    # (api-client v24), and no View answer carries an archived view any more.
    return {k: v for k, v in body.items() if k in allowed and v is not None}


# -- view CRUD ----------------------------------------------------------------------------------
async def list_views(request: Request) -> Response:
    rt = _rt(request)
    pkey = _path(request, "projectKey")
    limit = query_int(request, "limit", DEFAULT_VIEWS_LIMIT)
    offset = query_int(request, "offset", 0)
    expand = query_list(request, "expand")
    sort = request.query_params.get("sort", "key")
    with rt.store.read() as state:
        project = get_project(state, pkey)
        views = list(project["views"].values())
        if sort in ("key", "name", "updatedAt"):
            views.sort(key=lambda v: v[sort])
        page = views[offset : offset + limit] if limit else []
        items = [reps.view_rep(project, v, expand) for v in page]
    return JSONResponse(
        {
            "items": items,
            "totalCount": len(views),
            "_links": reps.page_links(
                VIEWS.replace("{projectKey}", pkey), offset, limit, len(views)
            ),
        }
    )


async def create_view(request: Request) -> Response:
    rt = _rt(request)
    pkey = _path(request, "projectKey")
    body = await read_object(request)
    key = required_str(body, "key").lower()
    name = required_str(body, "name")
    fields = _validate_view_fields(body, _VIEW_POST_FIELDS)
    fields.pop("key", None)
    fields.pop("name", None)
    with rt.store.write() as state:
        project = get_project(state, pkey)
        conflict_if(key in project["views"], f"view '{key}' already exists in project '{pkey}'")
        view = entities.new_view(pkey, key, name, rt.store.now_ms(), **fields)
        project["views"][key] = view
        rep = reps.view_rep(project, view, [])
    # The spec says 200 (not 201) for createView.
    return JSONResponse(rep, status_code=200)


async def get_view_route(request: Request) -> Response:
    rt = _rt(request)
    expand = query_list(request, "expand")
    with rt.store.read() as state:
        project = get_project(state, _path(request, "projectKey"))
        view = get_view(project, _path(request, "viewKey"))
        return JSONResponse(reps.view_rep(project, view, expand))


async def patch_view(request: Request) -> Response:
    rt = _rt(request)
    body = await read_object(request)
    fields = _validate_view_fields(body, _VIEW_PATCH_FIELDS)
    if "name" in fields and not fields["name"]:
        raise bad_request("name must not be empty")
    with rt.store.write() as state:
        project = get_project(state, _path(request, "projectKey"))
        view = get_view(project, _path(request, "viewKey"))
        # One maintainer at a time: setting either side replaces the other.
        if "maintainerId" in fields:
            fields["maintainerTeamKey"] = None
        elif "maintainerTeamKey" in fields:
            fields["maintainerId"] = None
        if any(view.get(name) != value for name, value in fields.items()):
            view.update(fields)
            view["version"] += 1
            view["updatedAt"] = rt.store.now_ms()
        return JSONResponse(reps.view_rep(project, view, []))


async def delete_view(request: Request) -> Response:
    rt = _rt(request)
    with rt.store.write() as state:
        project = get_project(state, _path(request, "projectKey"))
        view = get_view(project, _path(request, "viewKey"))
        # Links live inside the view record, so deleting the view drops them too.
        del project["views"][view["key"]]
    return Response(status_code=204)


# -- link / unlink ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinkRequest:
    """A parsed ViewLinkRequest: explicit items, and an optional filter whose matches join them
    (the spec's union). `environment_id` says where a segment filter looks."""

    items: list[Any]
    filter: str | None
    environment_id: str | None


_FILTERABLE = ("flags", "segments")


def _parse_link_body(body: dict[str, Any], resource_type: str, batch_max: int) -> LinkRequest:
    """Check a body against the ViewLinkRequest variants the resource type can use.

    Keys (`keys`, optional `filter`), SegmentIdentifiers (`segmentIdentifiers`, optional
    `filter` + `environmentId`) or Filter (`filter`, `environmentId` for segments). Each variant
    has additionalProperties false, so `environmentId` beside `keys` is refused.
    """
    filter_text = body.get("filter")
    if filter_text is not None and not isinstance(filter_text, str):
        raise bad_request("filter must be a string")
    environment_id = optional_str(body, "environmentId")
    if resource_type == "segments":
        what = "segmentIdentifiers"
        allowed = {"segmentIdentifiers", "filter", "environmentId", "comment"}
    else:
        what = "keys"
        allowed = {"keys", "filter", "comment"} | ({"environmentId"} if what not in body else set())
    unknown = set(body) - allowed
    if unknown:
        raise bad_request(f"unknown fields for {resource_type}: {', '.join(sorted(unknown))}")
    if not isinstance(body.get("comment", ""), str):
        raise bad_request("comment must be a string")
    if what not in body and filter_text is None:
        raise bad_request(
            "segmentIdentifiers is required and must be an array"
            if what == "segmentIdentifiers"
            else "keys is required and must be an array of strings"
        )
    items = _explicit_items(body, what) if what in body else []
    if filter_text is not None:
        if resource_type not in _FILTERABLE:
            raise filter_syntax_error(
                filter_text, f"filters select flags and segments only, not {resource_type}"
            )
        if what not in body and not filter_text.strip():
            raise filter_syntax_error(filter_text, "the filter is empty")
        if resource_type == "segments" and not environment_id:
            raise bad_request(SEGMENT_FILTER_NEEDS_ENVIRONMENT)
    if len(items) > batch_max:
        raise bad_request(f"too many {what}: at most {batch_max} per request, got {len(items)}")
    return LinkRequest(items, filter_text, environment_id)


SEGMENT_FILTER_NEEDS_ENVIRONMENT = "environmentId is required when filter is used for segments"


def _explicit_items(body: dict[str, Any], what: str) -> list[Any]:
    if what == "keys":
        keys = body.get("keys")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise bad_request("keys is required and must be an array of strings")
        return keys
    idents = body.get("segmentIdentifiers")
    if not isinstance(idents, list):
        raise bad_request("segmentIdentifiers is required and must be an array")
    for ident in idents:
        if (
            not isinstance(ident, dict)
            or not isinstance(ident.get("environmentId"), str)
            or not isinstance(ident.get("segmentKey"), str)
            or set(ident) - {"environmentId", "segmentKey"}
        ):
            raise bad_request(
                "each segmentIdentifiers item needs string environmentId and segmentKey"
            )
    return idents


@dataclass(frozen=True)
class ResourceFilter:
    """A parsed flag or segment filter, ready to pick link keys out of a project."""

    flags: flag_filters.FlagFilter | None
    segments: segment_filters.SegmentTest | None
    environment_id: str | None

    @classmethod
    def parse(cls, resource_type: str, text: str, environment_id: str | None) -> ResourceFilter:
        if resource_type == "flags":
            return cls(flag_filters.parse_flag_filter(text, "views"), None, None)
        return cls(None, segment_filters.parse_segment_filter(text), environment_id)

    def link_keys(self, project: dict[str, Any]) -> list[str]:
        """The link keys (flag keys, or environmentId/segmentKey) of every matching resource."""
        if self.flags is not None:
            return [f["key"] for f in self.flags.select(project, list(project["flags"].values()))]
        env = environment_by_id(project, self.environment_id or "")
        if env is None:
            raise not_found(
                f"environment '{self.environment_id}' not found in project '{project['key']}'"
            )
        segments = list(project["segments"].get(env["key"], {}).values())
        return [
            entities.segment_link_key(env["_id"], s["key"])
            for s in segment_filters.select_segments(self.segments, project, env, segments)
        ]


def _resolve(project: dict[str, Any], resource_type: str, item: Any) -> tuple[str, dict[str, Any]]:
    """Return (link key, failure entry or {}) for one requested item."""
    singular = reps.SINGULAR[resource_type]
    if resource_type == "segments":
        env_id, seg_key = item["environmentId"], item["segmentKey"]
        failure = {"resourceKey": seg_key, "resourceType": singular, "environmentId": env_id}
        env = environment_by_id(project, env_id)
        if env is None:
            return "", {**failure, "errorMessage": f"environment '{env_id}' not found"}
        if seg_key not in project["segments"].get(env["key"], {}):
            return "", {
                **failure,
                "errorMessage": f"segment '{seg_key}' not found in environment '{env['key']}'",
            }
        return entities.segment_link_key(env_id, seg_key), {}
    store_name = {"flags": "flags", "aiConfigs": "aiConfigs", "metrics": "metrics"}[resource_type]
    if item not in project[store_name]:
        return "", {
            "resourceKey": item,
            "resourceType": singular,
            "errorMessage": f"{singular} '{item}' not found",
        }
    return str(item), {}


async def _link_or_unlink(request: Request, linking: bool) -> Response:
    rt = _rt(request)
    resource_type = _resource_type(rt, _path(request, "resourceType"))
    pkey, vkey = _path(request, "projectKey"), _path(request, "viewKey")
    with rt.store.read() as state:  # 404s outrank body errors, as on the real API
        get_view(get_project(state, pkey), vkey)
    body = await read_object(request)
    wanted = _parse_link_body(body, resource_type, rt.settings.link_batch_max)
    selector = (
        ResourceFilter.parse(resource_type, wanted.filter, wanted.environment_id)
        if wanted.filter is not None and wanted.filter.strip()
        else None
    )
    failures: list[dict[str, Any]] = []
    success = 0
    with rt.store.write() as state:
        project = get_project(state, pkey)
        view = get_view(project, vkey)
        links = view["links"].setdefault(resource_type, {})
        touched: list[str] = []
        for item in wanted.items:
            link_key, failure = _resolve(project, resource_type, item)
            if failure:
                failures.append(failure)
                continue
            success += 1
            touched.append(link_key)
        # The filter's matches join the explicit keys (a union); each counts once.
        if selector is not None:
            explicit = set(touched)
            matched = [key for key in selector.link_keys(project) if key not in explicit]
            success += len(matched)
            touched.extend(matched)
        for link_key in touched:
            # Idempotent both ways: re-linking keeps the first linkedAt; unlinking a resource
            # that exists but is not linked is still a success.
            if linking:
                links.setdefault(link_key, rt.store.now_ms())
            else:
                links.pop(link_key, None)
        result: dict[str, Any] = {"successCount": success, "failureCount": len(failures)}
        if linking:
            result["linkedResources"] = _linked_by_this_request(
                project, view, resource_type, touched
            )
    if failures:
        result["failedResources"] = failures
    return JSONResponse(result)


def _linked_by_this_request(
    project: dict[str, Any], view: dict[str, Any], resource_type: str, link_keys: list[str]
) -> dict[str, Any]:
    """The `linkedResources` of a link answer: the resources this request linked.

    The docs only say it is a `ViewLinkedResources` page. We answer with what the request itself
    linked (including resources that were already linked and keep their first `linkedAt`), once
    each and in request order, because that is what a caller can use without a second request:
    it confirms each success. The view's full membership stays behind `/linked/{resourceType}`,
    which is why there are no `_links`: no URL pages through this list. A request that linked
    nothing answers `{"items": [], "totalCount": 0}`.
    """
    unique = list(dict.fromkeys(link_keys))
    links = view["links"][resource_type]
    items = [
        reps.linked_resource_rep(project, view["key"], resource_type, key, links[key])
        for key in unique
    ]
    return {"items": items, "totalCount": len(items)}


async def link_resources(request: Request) -> Response:
    return await _link_or_unlink(request, linking=True)


async def unlink_resources(request: Request) -> Response:
    return await _link_or_unlink(request, linking=False)


async def linked_resources(request: Request) -> Response:
    rt = _rt(request)
    resource_type = _resource_type(rt, _path(request, "resourceType"))
    pkey, vkey = _path(request, "projectKey"), _path(request, "viewKey")
    limit = min(query_int(request, "limit", DEFAULT_LINKED_LIMIT), rt.settings.linked_page_max)
    offset = query_int(request, "offset", 0)
    query = request.query_params.get("query", "").lower()
    selector = _linked_filter(request, resource_type)
    with rt.store.read() as state:
        project = get_project(state, pkey)
        view = get_view(project, vkey)
        entries = sorted(view["links"].get(resource_type, {}).items(), key=lambda kv: kv[1])
        if query:
            entries = [e for e in entries if query in e[0].rsplit("/", 1)[-1].lower()]
        if selector is not None:
            matching = set(selector.link_keys(project))
            entries = [e for e in entries if e[0] in matching]
        page = entries[offset : offset + limit] if limit else []
        items = [
            reps.linked_resource_rep(project, view["key"], resource_type, k, at) for k, at in page
        ]
    base = f"{VIEWS.replace('{projectKey}', pkey)}/{view['key']}/linked/{resource_type}"
    return JSONResponse(
        {
            "items": items,
            "totalCount": len(entries),
            "_links": reps.page_links(base, offset, limit, len(entries)),
        }
    )


def _linked_filter(request: Request, resource_type: str) -> ResourceFilter | None:
    """`filter` on /linked: flags and segments only; segments also need `environmentId`."""
    text = request.query_params.get("filter", "")
    if not text.strip():
        return None
    if resource_type not in _FILTERABLE:
        raise filter_syntax_error(
            text, f"filters select flags and segments only, not {resource_type}"
        )
    environment_id = request.query_params.get("environmentId")
    if resource_type == "segments" and not environment_id:
        raise bad_request(SEGMENT_FILTER_NEEDS_ENVIRONMENT)
    return ResourceFilter.parse(resource_type, text, environment_id)


async def view_associations(request: Request) -> Response:
    rt = _rt(request)
    resource_type = _resource_type(rt, _path(request, "resourceType"))
    pkey, rkey = _path(request, "projectKey"), _path(request, "resourceKey")
    limit = query_int(request, "limit", DEFAULT_VIEWS_LIMIT)
    offset = query_int(request, "offset", 0)
    env_id = request.query_params.get("environmentId")
    link_key = rkey
    if resource_type == "segments":
        if not env_id:
            raise bad_request("environmentId is required when resourceType is segments")
        link_key = entities.segment_link_key(env_id, rkey)
    with rt.store.read() as state:
        project = get_project(state, pkey)
        views = sorted(
            (v for v in project["views"].values() if link_key in v["links"].get(resource_type, {})),
            key=lambda v: v["key"],
        )
        items = [reps.view_rep(project, v, []) for v in views[offset : offset + limit]]
    base = f"/api/v2/projects/{pkey}/view-associations/{resource_type}/{rkey}"
    extra = {"environmentId": env_id} if env_id else {}
    return JSONResponse(
        {
            "items": items,
            "totalCount": len(views),
            "_links": reps.page_links(base, offset, limit, len(views), **extra),
        }
    )


routes = [
    Route(VIEWS, list_views, methods=["GET"]),
    Route(VIEWS, create_view, methods=["POST"]),
    Route(VIEWS + "/{viewKey}", get_view_route, methods=["GET"]),
    Route(VIEWS + "/{viewKey}", patch_view, methods=["PATCH"]),
    Route(VIEWS + "/{viewKey}", delete_view, methods=["DELETE"]),
    Route(VIEWS + "/{viewKey}/link/{resourceType}", link_resources, methods=["POST"]),
    Route(VIEWS + "/{viewKey}/link/{resourceType}", unlink_resources, methods=["DELETE"]),
    Route(VIEWS + "/{viewKey}/linked/{resourceType}", linked_resources, methods=["GET"]),
    Route(
        "/api/v2/projects/{projectKey}/view-associations/{resourceType}/{resourceKey}",
        view_associations,
        methods=["GET"],
    ),
]
