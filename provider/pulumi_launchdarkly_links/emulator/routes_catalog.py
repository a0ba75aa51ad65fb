"""Catalog routes (not beta): projects, environments, flags, segments, metrics and AI configs.

Only the fields a client of views/flag links needs are modelled, but every schema-required field
of the spec's representation is present. The flag and segment lists honour `filter` (see
flag_filters.py and segment_filters.py). Deleting a flag, segment, metric or AI config also drops
its view links (and a flag's flag links); `removal.py` says how.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import entities, flag_filters, removal, reps, segment_filters
from .errors import (
    bad_request,
    optional_str,
    optional_str_list,
    query_int,
    query_list,
    read_object,
    required_str,
)
from .runtime import Runtime
from .store import (
    conflict_if,
    get_ai_config,
    get_environment,
    get_flag,
    get_metric,
    get_project,
    get_segment,
)

FLAG = "/api/v2/flags/{projectKey}/{featureFlagKey}"
SEGMENT = "/api/v2/segments/{projectKey}/{environmentKey}/{segmentKey}"
METRIC = "/api/v2/metrics/{projectKey}/{metricKey}"
AI_CONFIG = "/api/v2/projects/{projectKey}/ai-configs/{configKey}"

DEFAULT_LIMIT = 20
METRIC_KINDS = ("pageview", "click", "custom", "trace")


def _rt(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def _p(request: Request, name: str) -> str:
    return str(request.path_params[name])


def _page(request: Request, items: list[Any]) -> tuple[list[Any], int]:
    limit = query_int(request, "limit", DEFAULT_LIMIT)
    offset = query_int(request, "offset", 0)
    return items[offset : offset + limit], len(items)


def _self_links(request: Request) -> dict[str, Any]:
    return {"self": reps.link(request.url.path)}


# -- projects and environments ------------------------------------------------------------------
async def list_projects(request: Request) -> Response:
    with_envs = "environments" in query_list(request, "expand")
    with _rt(request).store.read() as state:
        projects = sorted(state["projects"].values(), key=lambda p: p["key"])
        page, total = _page(request, projects)
        items = [reps.project_rep(p, with_envs) for p in page]
    return JSONResponse({"items": items, "totalCount": total, "_links": _self_links(request)})


async def create_project(request: Request) -> Response:
    rt = _rt(request)
    body = await read_object(request)
    key, name = required_str(body, "key"), required_str(body, "name")
    tags = optional_str_list(body, "tags")
    envs = body.get("environments")
    if envs is not None and not isinstance(envs, list):
        raise bad_request("environments must be an array")
    with rt.store.write() as state:
        conflict_if(key in state["projects"], f"project '{key}' already exists")
        project = entities.new_project(key, name, rt.store.now_ms(), tags)
        # Like LaunchDarkly, a project without explicit environments gets Production and Test.
        for env in envs or [
            {"key": "production", "name": "Production"},
            {"key": "test", "name": "Test"},
        ]:
            if not isinstance(env, dict):
                raise bad_request("each environment needs key and name")
            entities.new_environment(
                project,
                required_str(env, "key"),
                required_str(env, "name"),
                color=optional_str(env, "color"),
            )
        state["projects"][key] = project
        rep = reps.project_rep(project, with_environments=True)
    return JSONResponse(rep, status_code=201)


async def get_project_route(request: Request) -> Response:
    with_envs = "environments" in query_list(request, "expand")
    with _rt(request).store.read() as state:
        project = get_project(state, _p(request, "projectKey"))
        return JSONResponse(reps.project_rep(project, with_envs))


async def list_environments(request: Request) -> Response:
    with _rt(request).store.read() as state:
        project = get_project(state, _p(request, "projectKey"))
        page, total = _page(request, list(project["environments"].values()))
        items = [reps.environment_rep(project["key"], e) for e in page]
    return JSONResponse({"items": items, "totalCount": total, "_links": _self_links(request)})


async def get_environment_route(request: Request) -> Response:
    with _rt(request).store.read() as state:
        project = get_project(state, _p(request, "projectKey"))
        env = get_environment(project, _p(request, "environmentKey"))
        return JSONResponse(reps.environment_rep(project["key"], env))


# -- flags and segments -------------------------------------------------------------------------
def _flag_list_filter(request: Request) -> flag_filters.FlagFilter:
    """`filter`, plus the older `tag` and (deprecated) `archived` parameters as filter clauses."""
    params = request.query_params
    clauses = [params["filter"]] if params.get("filter", "").strip() else []
    if params.get("tag"):
        clauses.append(f"tags:{params['tag']}")
    if params.get("archived") is not None:
        if params["archived"] not in ("true", "false"):
            raise bad_request("query parameter archived must be true or false")
        clauses.append(f"archived:{params['archived']}")
    return flag_filters.parse_flag_filter(",".join(clauses) or None, "list")


async def list_flags(request: Request) -> Response:
    wanted = _flag_list_filter(request)
    with _rt(request).store.read() as state:
        project = get_project(state, _p(request, "projectKey"))
        page, total = _page(request, wanted.select(project, list(project["flags"].values())))
        items = [reps.flag_rep(project["key"], f) for f in page]
    return JSONResponse({"items": items, "totalCount": total, "_links": _self_links(request)})


_FLAG_POST_FIELDS = ("description", "tags", "temporary", "maintainerId", "maintainerTeamKey")


async def create_flag(request: Request) -> Response:
    rt = _rt(request)
    body = await read_object(request)
    key, name = required_str(body, "key"), required_str(body, "name")
    for field in ("description", "maintainerId", "maintainerTeamKey"):
        optional_str(body, field)
    optional_str_list(body, "tags")
    # Only FeatureFlagBody fields: a client cannot create an archived flag or backdate one.
    fields = {k: body[k] for k in _FLAG_POST_FIELDS if body.get(k) is not None}
    with rt.store.write() as state:
        project = get_project(state, _p(request, "projectKey"))
        conflict_if(key in project["flags"], f"flag '{key}' already exists")
        flag = entities.new_flag(key, name, rt.store.now_ms(), **fields)
        project["flags"][key] = flag
        rep = reps.flag_rep(project["key"], flag)
    return JSONResponse(rep, status_code=201)


async def get_flag_route(request: Request) -> Response:
    with _rt(request).store.read() as state:
        project = get_project(state, _p(request, "projectKey"))
        flag = get_flag(project, _p(request, "featureFlagKey"))
        return JSONResponse(reps.flag_rep(project["key"], flag))


async def delete_flag(request: Request) -> Response:
    with _rt(request).store.write() as state:
        project = get_project(state, _p(request, "projectKey"))
        flag = get_flag(project, _p(request, "featureFlagKey"))
        removal.remove_flag(project, flag["key"])
    return Response(status_code=204)


async def list_segments(request: Request) -> Response:
    wanted = segment_filters.parse_segment_filter(request.query_params.get("filter"))
    with _rt(request).store.read() as state:
        project = get_project(state, _p(request, "projectKey"))
        env = get_environment(project, _p(request, "environmentKey"))
        segs = list(project["segments"].get(env["key"], {}).values())
        page, total = _page(request, segment_filters.select_segments(wanted, project, env, segs))
        items = [reps.segment_rep(project["key"], env, s) for s in page]
    return JSONResponse({"items": items, "totalCount": total, "_links": _self_links(request)})


async def create_segment(request: Request) -> Response:
    rt = _rt(request)
    body = await read_object(request)
    key, name = required_str(body, "key"), required_str(body, "name")
    optional_str(body, "description")
    optional_str_list(body, "tags")
    with rt.store.write() as state:
        project = get_project(state, _p(request, "projectKey"))
        env = get_environment(project, _p(request, "environmentKey"))
        bucket = project["segments"].setdefault(env["key"], {})
        conflict_if(key in bucket, f"segment '{key}' already exists in '{env['key']}'")
        seg = entities.new_segment(key, name, rt.store.now_ms(), **body)
        bucket[key] = seg
        rep = reps.segment_rep(project["key"], env, seg)
    return JSONResponse(rep, status_code=201)


async def get_segment_route(request: Request) -> Response:
    with _rt(request).store.read() as state:
        project = get_project(state, _p(request, "projectKey"))
        env = get_environment(project, _p(request, "environmentKey"))
        seg = get_segment(project, env, _p(request, "segmentKey"))
        return JSONResponse(reps.segment_rep(project["key"], env, seg))


async def delete_segment(request: Request) -> Response:
    with _rt(request).store.write() as state:
        project = get_project(state, _p(request, "projectKey"))
        env = get_environment(project, _p(request, "environmentKey"))
        seg = get_segment(project, env, _p(request, "segmentKey"))
        removal.remove_segment(project, env, seg["key"])
    return Response(status_code=204)


# -- metrics and AI configs ---------------------------------------------------------------------
async def list_metrics(request: Request) -> Response:
    with _rt(request).store.read() as state:
        project = get_project(state, _p(request, "projectKey"))
        page, total = _page(request, list(project["metrics"].values()))
        items = [reps.metric_rep(project["key"], m) for m in page]
    return JSONResponse({"items": items, "totalCount": total, "_links": _self_links(request)})


async def create_metric(request: Request) -> Response:
    rt = _rt(request)
    body = await read_object(request)
    key = required_str(body, "key")
    kind = required_str(body, "kind")
    if kind not in METRIC_KINDS:
        raise bad_request(f"kind must be one of {', '.join(METRIC_KINDS)}")
    name = optional_str(body, "name") or key
    optional_str(body, "eventKey")
    with rt.store.write() as state:
        project = get_project(state, _p(request, "projectKey"))
        conflict_if(key in project["metrics"], f"metric '{key}' already exists")
        metric = entities.new_metric(project["key"], key, name, rt.store.now_ms(), **body)
        project["metrics"][key] = metric
        rep = reps.metric_rep(project["key"], metric)
    return JSONResponse(rep, status_code=201)


async def delete_metric(request: Request) -> Response:
    with _rt(request).store.write() as state:
        project = get_project(state, _p(request, "projectKey"))
        metric = get_metric(project, _p(request, "metricKey"))
        removal.remove_metric(project, metric["key"])
    return Response(status_code=204)


async def list_ai_configs(request: Request) -> Response:
    with _rt(request).store.read() as state:
        project = get_project(state, _p(request, "projectKey"))
        page, total = _page(request, list(project["aiConfigs"].values()))
        items = [reps.ai_config_rep(project["key"], c) for c in page]
    return JSONResponse({"items": items, "totalCount": total, "_links": _self_links(request)})


async def create_ai_config(request: Request) -> Response:
    rt = _rt(request)
    body = await read_object(request)
    key, name = required_str(body, "key"), required_str(body, "name")
    optional_str(body, "description")
    optional_str_list(body, "tags")
    with rt.store.write() as state:
        project = get_project(state, _p(request, "projectKey"))
        conflict_if(key in project["aiConfigs"], f"AI config '{key}' already exists")
        cfg = entities.new_ai_config(project["key"], key, name, rt.store.now_ms(), **body)
        project["aiConfigs"][key] = cfg
        rep = reps.ai_config_rep(project["key"], cfg)
    return JSONResponse(rep, status_code=201)


async def delete_ai_config(request: Request) -> Response:
    # The spec documents no LD-API-Version header for AI configs, so (like list/create here)
    # this route is not beta-gated; clients that still send `beta` are served all the same.
    with _rt(request).store.write() as state:
        project = get_project(state, _p(request, "projectKey"))
        config = get_ai_config(project, _p(request, "configKey"))
        removal.remove_ai_config(project, config["key"])
    return Response(status_code=204)


routes = [
    Route("/api/v2/projects", list_projects, methods=["GET"]),
    Route("/api/v2/projects", create_project, methods=["POST"]),
    Route("/api/v2/projects/{projectKey}", get_project_route, methods=["GET"]),
    Route("/api/v2/projects/{projectKey}/environments", list_environments, methods=["GET"]),
    Route(
        "/api/v2/projects/{projectKey}/environments/{environmentKey}",
        get_environment_route,
        methods=["GET"],
    ),
    Route("/api/v2/flags/{projectKey}", list_flags, methods=["GET"]),
    Route("/api/v2/flags/{projectKey}", create_flag, methods=["POST"]),
    Route(FLAG, get_flag_route, methods=["GET"]),
    Route(FLAG, delete_flag, methods=["DELETE"]),
    Route("/api/v2/segments/{projectKey}/{environmentKey}", list_segments, methods=["GET"]),
    Route("/api/v2/segments/{projectKey}/{environmentKey}", create_segment, methods=["POST"]),
    Route(SEGMENT, get_segment_route, methods=["GET"]),
    Route(SEGMENT, delete_segment, methods=["DELETE"]),
    Route("/api/v2/metrics/{projectKey}", list_metrics, methods=["GET"]),
    Route("/api/v2/metrics/{projectKey}", create_metric, methods=["POST"]),
    Route(METRIC, delete_metric, methods=["DELETE"]),
    Route("/api/v2/projects/{projectKey}/ai-configs", list_ai_configs, methods=["GET"]),
    Route("/api/v2/projects/{projectKey}/ai-configs", create_ai_config, methods=["POST"]),
    Route(AI_CONFIG, delete_ai_config, methods=["DELETE"]),
]
