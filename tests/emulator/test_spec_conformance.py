"""The spec check itself: each named deviation is real and excuses only what it names; answers and
refusals it cannot explain are problems."""

from __future__ import annotations

import json
from typing import Any

import httpx

from pulumi_launchdarkly_links.emulator import EmulatorServer
from pulumi_launchdarkly_links.emulator.runtime import Exchange

from .conftest import BETA
from .emulator_spec_check import check_exchange, examine, request_errors, response_errors

LINK_ROUTE = "/api/v2/projects/{projectKey}/views/{viewKey}/link/{resourceType}"
AUTH = {"authorization": "token", "ld-api-version": "beta", "content-type": "application/json"}


def record(emulator: EmulatorServer) -> list[Exchange]:
    seen: list[Exchange] = []
    emulator.runtime.exchange_hooks.append(seen.append)
    return seen


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
    assert len(seen) == 2
    for ex in seen:
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
    assert [ex.status for ex in seen] == [401, 409, 404]
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
    assert len(seen) == 2
    assert all(check_exchange(ex) == ([], None) for ex in seen)
    assert all(not request_errors(ex) and not response_errors(ex) for ex in seen)
