"""The spec check itself: each named deviation and refusal is real, checked against the spec (not
against a list written here), and excuses only what it names; answers and refusals it cannot
explain are problems."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pulumi_launchdarkly_links.emulator import (
    EmulatorServer,
    routes_catalog,
    routes_flag_links,
    routes_views,
)
from pulumi_launchdarkly_links.emulator.runtime import Exchange

from .conftest import BETA
from .emulator_spec_check import (
    METRICS,
    REFUSALS,
    UNDOCUMENTED_STATUSES,
    Refusal,
    UndocumentedStatus,
    check_exchange,
    examine,
    load_spec,
    request_errors,
    response_errors,
)

LINK_ROUTE = "/api/v2/projects/{projectKey}/views/{viewKey}/link/{resourceType}"
AUTH = {"authorization": "token", "ld-api-version": "beta", "content-type": "application/json"}


def record(emulator: EmulatorServer) -> list[Exchange]:
    seen: list[Exchange] = []
    emulator.runtime.exchange_hooks.append(seen.append)
    return seen


def recorded(seen: list[Exchange], count: int) -> list[Exchange]:
    """`seen` once it holds `count` exchanges: the hook runs just after each answer is sent."""
    deadline = time.monotonic() + 5
    while len(seen) < count:
        assert time.monotonic() < deadline, f"the emulator recorded {len(seen)} of {count}"
        time.sleep(0.01)
    return seen


def exchange_of(seen: list[Exchange], answer: httpx.Response) -> Exchange:
    """The recorded exchange that produced `answer`, once the hook has run."""
    request = answer.request
    wanted = (request.method, request.url.path, answer.status_code)
    deadline = time.monotonic() + 5
    while True:
        matching = [ex for ex in seen if (ex.method, ex.path, ex.status) == wanted]
        if matching:
            return matching[-1]
        assert time.monotonic() < deadline, f"the emulator recorded no {wanted}"
        time.sleep(0.01)


def exchange(
    method: str,
    path: str,
    status: int,
    answer: Any,
    *,
    body: Any = None,
    route: str | None = LINK_ROUTE,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Exchange:
    """An exchange as the emulator's hook records it, with the answer written by the test."""
    return Exchange(
        method=method,
        path=path,
        query="",
        headers=AUTH if headers is None else headers,
        body=b"" if body is None else json.dumps(body).encode(),
        route=route,
        status=status,
        response_headers={"content-type": content_type},
        response_body=answer if isinstance(answer, bytes) else json.dumps(answer).encode(),
    )


def kinds(ex: Exchange) -> list[str]:
    return [problem.kind for problem in examine(ex).problems]


# -- deviations are real, and excuse exactly what they name -------------------------------------
def test_metrics_resource_type_is_a_deviation(api: httpx.Client, emulator: EmulatorServer) -> None:
    seen = record(emulator)
    r = api.post(
        "/api/v2/projects/default/views/checkout/link/metrics",
        json={"keys": ["checkout-conversion", "nope"]},
        headers=BETA,
    )
    assert r.json()["successCount"] == 1
    assert r.json()["failedResources"][0]["resourceType"] == "metric"  # not in v23's enum
    items = api.get("/api/v2/projects/default/views/checkout/linked/metrics", headers=BETA).json()[
        "items"
    ]
    assert items[0]["resourceType"] == "metric"
    for ex in recorded(seen, 2):
        assert request_errors(ex), "metrics is outside the v23 resourceType enum"
        assert response_errors(ex), "metric is outside the v23 resourceType enum"
        assert check_exchange(ex) == ([], "metrics-resource-type")


def test_the_metrics_deviation_does_not_excuse_the_rest_of_the_answer() -> None:
    path = "/api/v2/projects/default/views/checkout/link/metrics"
    keys = {"keys": ["checkout-conversion"]}
    good = {"successCount": 1, "failureCount": 0}
    assert kinds(exchange("POST", path, 200, good, body=keys)) == []
    # A garbage 200, a wrong type, a missing required field: each is a problem.
    assert kinds(exchange("POST", path, 200, {"garbage": True}, body=keys)) == ["response"]
    assert kinds(exchange("POST", path, 200, {**good, "failureCount": "0"}, body=keys)) == [
        "response"
    ]
    failed = {
        "successCount": 0,
        "failureCount": 1,
        "failedResources": [{"resourceKey": "x", "resourceType": "metric"}],  # no errorMessage
    }
    assert kinds(exchange("POST", path, 200, failed, body=keys)) == ["response"]
    # The request is checked too: only the path's `metrics` is excused, not the body.
    assert kinds(exchange("POST", path, 200, good, body={"keys": "checkout-conversion"})) == [
        "request"
    ]
    linked = "/api/v2/projects/default/views/checkout/linked/metrics"
    href = {"href": "/api/v2/metrics/default/m", "type": "application/json"}
    links = {"self": href, "parent": href}
    item = {"resourceKey": "m", "resourceType": "metric", "linkedAt": 1, "_links": links}
    page = {"items": [item], "totalCount": 1}
    route = "/api/v2/projects/{projectKey}/views/{viewKey}/linked/{resourceType}"
    assert kinds(exchange("GET", linked, 200, page, route=route)) == []
    page = {"items": [{**item, "resourceType": "metrik"}], "totalCount": 1}
    assert kinds(exchange("GET", linked, 200, page, route=route)) == ["response"]


def test_undocumented_statuses_are_deviations(api: httpx.Client, emulator: EmulatorServer) -> None:
    seen = record(emulator)
    httpx.get(f"{emulator.url}/api/v2/projects/default/views", headers=BETA)  # 401
    api.post("/api/v2/projects/default/views", json={"key": "checkout", "name": "x"}, headers=BETA)
    api.get("/api/v2/flag-links/projects/default/flags/ghost", headers=BETA)
    assert [ex.status for ex in recorded(seen, 3)] == [401, 409, 404]
    names = []
    for ex in seen:
        assert any("Unknown response http status" in e for e in response_errors(ex))
        problems, name = check_exchange(ex)
        assert not problems
        names.append(name)
    assert names == ["undocumented-status", "create-conflict-409", "undocumented-status"]


def test_an_undocumented_status_still_needs_the_specs_error_body() -> None:
    views = "/api/v2/projects/default/views"
    route = "/api/v2/projects/{projectKey}/views"
    unauthorized = {"code": "unauthorized", "message": "Invalid access token"}
    wrong_token = {**AUTH, "authorization": "wrong"}

    def answered(status: int, answer: Any, **options: Any) -> list[str]:
        return kinds(exchange("GET", views, status, answer, route=route, **options))

    assert answered(401, unauthorized, headers=wrong_token) == []
    assert answered(401, {"code": "unauthorized"}, headers=wrong_token) == ["response"]
    # Without the code, the 401 is not even the named refusal of an unknown token.
    assert answered(401, {"error": "unauthorized"}, headers=wrong_token) == ["refused", "response"]
    assert "response" in answered(
        401, b"Unauthorized", headers=wrong_token, content_type="text/plain"
    )
    assert answered(429, {"code": "rate_limited", "message": "slow"}) == []
    assert answered(429, {"message": "slow"}) == ["refused", "response"]
    # Only the statuses named are excused: a 418 is a problem however well-formed.
    assert "response" in answered(418, {"code": "teapot", "message": "I'm a teapot"})


# -- a request the spec accepts must not be refused without a named reason ----------------------
def test_refusing_a_valid_request_is_a_problem() -> None:
    path = "/api/v2/projects/default/views/checkout/link/flags"
    keys = {"keys": ["dark-mode"], "comment": "why"}
    assert request_errors(exchange("POST", path, 200, {}, body=keys)) == []

    def refused(status: int, answer: Any, route: str | None = LINK_ROUTE) -> list[str]:
        return kinds(exchange("POST", path, status, answer, body=keys, route=route))

    assert refused(400, {"code": "invalid_request", "message": "comments are not allowed"}) == [
        "refused"
    ]
    # Named refusals: each for its own reason only.
    too_many = "too many keys: at most 3 per request, got 4"
    assert refused(400, {"code": "invalid_request", "message": too_many}) == []
    assert refused(404, {"code": "not_found", "message": "view 'checkout' not found"}) == []
    # A 404 from the router (no such route in the emulator) and a 405 are not "not found".
    assert refused(404, {"code": "not_found", "message": "x: not_found"}, route=None) == ["refused"]
    assert "refused" in refused(405, {"code": "method_not_allowed", "message": "x"})


def test_a_spec_invalid_request_must_be_refused() -> None:
    path = "/api/v2/projects/default/views/checkout/link/flags"
    answer = {"successCount": 0, "failureCount": 0}
    assert kinds(exchange("POST", path, 200, answer, body={"keys": "dark-mode"})) == ["request"]
    bad = {"code": "invalid_request", "message": "keys must be an array"}
    assert kinds(exchange("POST", path, 400, bad, body={"keys": "dark-mode"})) == []


def test_an_injected_fault_excuses_the_answer_only() -> None:
    path = "/api/v2/projects/default/views/checkout/link/flags"
    faulted = exchange("POST", path, 502, b"", body={"keys": ["dark-mode"]})
    faulted.fault = "502-after"
    assert check_exchange(faulted) == ([], "injected-fault")
    faulted.status = 200
    assert kinds(faulted) == ["fault"]  # not the status the fault names
    invalid = exchange("POST", path, 500, b"", body={"keys": "dark-mode"})
    invalid.fault = "500-before"
    assert kinds(invalid) == ["request"]


def test_valid_traffic_has_no_deviation(api: httpx.Client, emulator: EmulatorServer) -> None:
    seen = record(emulator)
    api.get("/api/v2/projects/default/views/checkout", headers=BETA)
    api.get("/api/v2/projects/default/environments/test")
    assert len(recorded(seen, 2)) == 2
    assert all(check_exchange(ex) == ([], None) for ex in seen)
    assert all(not request_errors(ex) and not response_errors(ex) for ex in seen)


# -- each deviation and refusal, checked against the spec itself --------------------------------
def spec_operations() -> dict[tuple[str, str], dict[str, Any]]:
    """(METHOD, path template) -> operation, for every operation in the spec."""
    return {
        (method.upper(), path): operation
        for path, item in load_spec()["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    }


def served_operations() -> list[tuple[str, str]]:
    """(METHOD, path template) of every /api/ route the emulator serves."""
    routes = routes_views.routes + routes_flag_links.routes + routes_catalog.routes
    return [
        (method, route.path)
        for route in routes
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]


def test_every_route_the_emulator_serves_is_an_operation_of_the_spec() -> None:
    # Otherwise the spec check would have nothing to validate that route's exchanges against.
    missing = [op for op in served_operations() if op not in spec_operations()]
    assert missing == []
    assert len(served_operations()) >= 20


def resource_type_enums() -> dict[str, list[str]]:
    """The `resourceType` path parameter's enum, per Views path that has one."""
    found = {}
    for (_, path), operation in spec_operations().items():
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "path" and parameter["name"] == "resourceType":
                found[path] = parameter["schema"]["enum"]
    return found


def test_metrics_is_outside_the_spec_and_its_substitute_inside() -> None:
    (path_value, item_value), (path_substitute, item_substitute) = (
        METRICS.values,
        METRICS.substitutes,
    )
    enums = resource_type_enums()
    assert len(enums) == 3  # link (POST and DELETE), linked, view-associations
    for path, enum in enums.items():
        assert path_value not in enum, f"{path} takes {path_value!r} now: drop {METRICS.name}"
        assert path_substitute in enum, path
        # The rewrite reaches every such path.
        concrete = path.replace("{resourceType}", path_value)
        for name in ("projectKey", "viewKey", "resourceKey"):
            concrete = concrete.replace("{" + name + "}", "key")
        rewritten = METRICS.rewrite(exchange("GET", concrete, 200, {}))
        assert rewritten is not None and rewritten.path == concrete.replace(
            f"/{path_value}", f"/{path_substitute}"
        )
    for schema in ("ViewLinkedResource", "FailedResourceLink"):
        enum = load_spec()["components"]["schemas"][schema]["properties"]["resourceType"]["enum"]
        assert item_value not in enum, f"{schema} lists {item_value!r} now: drop {METRICS.name}"
        assert item_substitute in enum, schema


@pytest.mark.parametrize("entry", UNDOCUMENTED_STATUSES, ids=lambda e: f"{e.name}-{e.status}")
def test_undocumented_statuses_are_missing_from_the_spec(entry: UndocumentedStatus) -> None:
    operations = spec_operations()
    schema = load_spec()["components"]["schemas"][entry.component]
    assert {"code", "message"} <= set(schema["required"])
    assert entry.examples
    for method, path in entry.examples:
        responses = operations[(method.upper(), path)]["responses"]
        assert str(entry.status) not in responses, f"{method} {path} documents {entry.status}"
        assert entry.applies(exchange(method.upper(), path, entry.status, {}, route=path))
    # And the emulator serves operations that need the excuse (not only the examples).
    needing = [
        op
        for op in served_operations()
        if str(entry.status) not in operations[op]["responses"]
        and entry.applies(exchange(op[0], op[1], entry.status, {}, route=op[1]))
    ]
    assert set(entry.examples) <= {(method.lower(), path) for method, path in needing}


def test_prose_rules_behind_refusals_are_in_the_spec() -> None:
    schemas = load_spec()["components"]["schemas"]
    for schema in ("ViewPost", "ViewPatch"):
        maintainer = schemas[schema]["properties"]["maintainerId"]["description"]
        assert "Only one of `maintainerId` or `maintainerTeamKey`" in maintainer
    associations = spec_operations()[
        ("GET", "/api/v2/projects/{projectKey}/view-associations/{resourceType}/{resourceKey}")
    ]
    (environment,) = [p for p in associations["parameters"] if p["name"] == "environmentId"]
    assert not environment.get("required")  # so the spec accepts the request without it ...
    assert "Required when resourceType is 'segments'" in environment["description"]  # ... but
    # A flag link answer always has `_deepLink`; the post marks nothing required.
    assert "required" not in schemas["flagLinkPost"]
    assert "_deepLink" in schemas["FlagLinkRep"]["required"]


VIEWS = "/api/v2/projects/default/views"
FLAG_LINKS = "/api/v2/flag-links/projects/default/flags/dark-mode"


def patch_a_read_only_path(api: httpx.Client) -> httpx.Response:
    made = api.post(FLAG_LINKS, json={"key": "k", "deepLink": "https://example.com"}, headers=BETA)
    patch = [{"op": "replace", "path": "/_deepLink", "value": "https://example.com/2"}]
    return api.patch(f"{FLAG_LINKS}/{made.json()['_id']}", json=patch, headers=BETA)


# Refusal -> (emulator knobs, the request the spec accepts and the emulator refuses).
REFUSAL_EXAMPLES: dict[str, tuple[dict[str, Any], Callable[[httpx.Client], httpx.Response]]] = {
    "unknown-token": (
        {},
        lambda api: api.get(f"{VIEWS}/checkout", headers={**BETA, "Authorization": "wrong"}),
    ),
    "beta-header-missing": ({}, lambda api: api.get(FLAG_LINKS)),
    "not-found": ({}, lambda api: api.get(f"{VIEWS}/ghost", headers=BETA)),
    "conflict": (
        {},
        lambda api: api.post(VIEWS, json={"key": "checkout", "name": "Again"}, headers=BETA),
    ),
    "rate-limited": (
        {"route_limit": 1},
        lambda api: [api.get("/api/v2/projects"), api.get("/api/v2/projects")][-1],
    ),
    "link-batch-max": (
        {"link_batch_max": 1},
        lambda api: api.post(
            f"{VIEWS}/checkout/link/flags", json={"keys": ["dark-mode", "pay-later"]}, headers=BETA
        ),
    ),
    "rejected-resource-type": (
        {"reject_resource_types": ["aiConfigs"]},
        lambda api: api.get(f"{VIEWS}/checkout/linked/aiConfigs", headers=BETA),
    ),
    "members-of-another-type": (
        {},
        lambda api: api.post(
            f"{VIEWS}/checkout/link/flags", json={"segmentIdentifiers": []}, headers=BETA
        ),
    ),
    "filter-syntax": (
        {},
        lambda api: api.get("/api/v2/segments/default/production", params={"filter": "tags:beta"}),
    ),
    "filter-field": (
        {},
        lambda api: api.get("/api/v2/flags/default", params={"filter": "keys:dark-mode"}),
    ),
    "segment-filter-needs-environment": (
        {},
        lambda api: api.post(
            f"{VIEWS}/checkout/link/segments", json={"filter": 'tags anyOf ["beta"]'}, headers=BETA
        ),
    ),
    "one-maintainer": (
        {},
        lambda api: api.post(
            VIEWS,
            json={"key": "x", "name": "X", "maintainerId": "m", "maintainerTeamKey": "t"},
            headers=BETA,
        ),
    ),
    "segment-associations-need-environment": (
        {},
        lambda api: api.get(
            "/api/v2/projects/default/view-associations/segments/beta-users", headers=BETA
        ),
    ),
    "flag-link-needs-deep-link": (
        {},
        lambda api: api.post(FLAG_LINKS, json={"key": "k"}, headers=BETA),
    ),
    "flag-link-patch-paths": ({}, patch_a_read_only_path),
}


def test_every_refusal_has_an_example() -> None:
    assert sorted(REFUSAL_EXAMPLES) == sorted(refusal.name for refusal in REFUSALS)


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.name)
def test_each_refusal_refuses_a_request_the_spec_accepts(
    refusal: Refusal, emulator_factory: Callable[..., EmulatorServer]
) -> None:
    knobs, send = REFUSAL_EXAMPLES[refusal.name]
    emulator = emulator_factory(**knobs)
    seen = record(emulator)
    with httpx.Client(base_url=emulator.url, headers={"Authorization": emulator.token}) as api:
        answer = send(api)
    assert answer.status_code == refusal.status
    refused = exchange_of(seen, answer)
    assert request_errors(refused) == [], "the spec refuses this request itself: no excuse needed"
    verdict = examine(refused)
    assert (verdict.problems, verdict.refusal) == ([], refusal.name)
