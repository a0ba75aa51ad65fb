"""LaunchDarklyClient against `httpx.MockTransport`: requests sent, retries, pagination,
response validation and keeping the token secret. Waits are recorded, never slept."""

from __future__ import annotations

import json
import pickle
import threading
from email.utils import formatdate

import httpx
import pytest

from pulumi_launchdarkly_links.api import (
    USER_AGENT,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    FlagLinkPost,
    InternalServerError,
    JsonPatchOperation,
    LaunchDarklyClient,
    LaunchDarklyError,
    LinkRequest,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SegmentIdentifier,
    UnprocessableEntityError,
    is_safe_to_repeat,
    should_retry,
    should_retry_transport_error,
)
from pulumi_launchdarkly_links.api._constants import MAX_CONNECT_RETRIES, RATE_LIMIT_JITTER_SECONDS

from .ld_api_fakes import (
    BASE_URL,
    PROJECT_JSON,
    START,
    TOKEN,
    ClientFactory,
    FakeClock,
    Handler,
    RecordingSleep,
    error_body,
    scripted,
)

JITTER = RATE_LIMIT_JITTER_SECONDS / 2

# A regression in the retry loop must fail fast, not hang the suite.
pytestmark = pytest.mark.timeout(20)

OK_PROJECT = httpx.Response(200, json=PROJECT_JSON)


def flag_link_json(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "_id": "link-1",
        "_key": "runbook",
        "_deepLink": "https://wiki.example/runbook",
        "_createdAt": 1_700_000_000_000,
        "_timestamp": {"milliseconds": 1_700_000_000_000},
        "_links": {},
        "title": "Runbook",
    }
    body.update(overrides)
    return body


# -- what goes on the wire ------------------------------------------------------------------


def test_every_request_carries_raw_token_beta_header_once_json_and_user_agent(
    make_client: ClientFactory,
) -> None:
    handler, seen = scripted(OK_PROJECT)
    make_client(handler).get_project("default")

    request = seen[0]
    assert request.headers.get_list("Authorization") == [TOKEN]
    assert request.headers.get_list("LD-API-Version") == ["beta"]
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("pulumi-launchdarkly-links/")
    assert str(request.url) == f"{BASE_URL}/api/v2/projects/default"


def test_json_requests_still_send_the_beta_header_and_content_type_once(
    make_client: ClientFactory,
) -> None:
    handler, seen = scripted(httpx.Response(200, json={"key": "v", "name": "V"}))
    make_client(handler).create_view("default", "v", "V")
    assert seen[0].headers.get_list("LD-API-Version") == ["beta"]
    assert seen[0].headers.get_list("Content-Type") == ["application/json"]


def test_path_segments_are_url_quoted(make_client: ClientFactory) -> None:
    handler, seen = scripted(httpx.Response(200, json={"key": "k", "name": "n"}))
    make_client(handler).get_view("my project", "a/b?c")
    assert seen[0].url.raw_path == b"/api/v2/projects/my%20project/views/a%2Fb%3Fc"


def test_base_url_with_trailing_slash(make_client: ClientFactory) -> None:
    handler, seen = scripted(OK_PROJECT)
    client = make_client(handler, base_url="http://localhost:8080/")
    assert client.base_url == "http://localhost:8080"
    client.get_project("default")
    assert str(seen[0].url) == "http://localhost:8080/api/v2/projects/default"


def test_empty_key_is_refused_before_any_request(make_client: ClientFactory) -> None:
    handler, seen = scripted(OK_PROJECT)
    with pytest.raises(ValueError, match="view_key"):
        make_client(handler).get_view("default", "")
    assert seen == []


def test_unlink_is_a_delete_with_a_json_body(make_client: ClientFactory) -> None:
    handler, seen = scripted(httpx.Response(200, json={"successCount": 2, "failureCount": 0}))
    request = LinkRequest(
        segment_identifiers=[
            SegmentIdentifier(environment_id="env1", segment_key="beta-users"),
            SegmentIdentifier.model_validate({"environmentId": "env2", "segmentKey": "vips"}),
        ]
    )
    result = make_client(handler).unlink_resources("default", "checkout", "segments", request)

    assert seen[0].method == "DELETE"
    assert seen[0].url.path == "/api/v2/projects/default/views/checkout/link/segments"
    assert json.loads(seen[0].content) == {
        "segmentIdentifiers": [
            {"environmentId": "env1", "segmentKey": "beta-users"},
            {"environmentId": "env2", "segmentKey": "vips"},
        ]
    }
    assert result.success_count == 2 and result.failed_resources == []


def test_link_reports_partial_failure_from_a_200(make_client: ClientFactory) -> None:
    handler, seen = scripted(
        httpx.Response(
            200,
            json={
                "successCount": 1,
                "failureCount": 1,
                "failedResources": [
                    {"resourceKey": "gone", "resourceType": "flag", "errorMessage": "not found"}
                ],
                "linkedResources": {"items": [], "totalCount": 1},
            },
        )
    )
    result = make_client(handler).link_resources(
        "default", "checkout", "flags", LinkRequest(keys=["a", "gone"], comment="by pulumi")
    )
    assert seen[0].method == "POST"
    assert json.loads(seen[0].content) == {"keys": ["a", "gone"], "comment": "by pulumi"}
    assert result.failure_count == 1
    assert result.failed_resources[0].resource_key == "gone"
    assert result.failed_resources[0].error_message == "not found"


def test_flag_link_create_update_delete(make_client: ClientFactory) -> None:
    handler, seen = scripted(
        httpx.Response(201, json=flag_link_json()),
        httpx.Response(200, json=flag_link_json(title="New title")),
        httpx.Response(204),
    )
    client = make_client(handler)
    created = client.create_flag_link(
        "default",
        "new-checkout",
        FlagLinkPost(key="runbook", deep_link="https://wiki.example/runbook"),
    )
    updated = client.update_flag_link(
        "default",
        "new-checkout",
        created.id,
        [
            JsonPatchOperation(op="replace", path="/title", value="New title"),
            JsonPatchOperation(op="remove", path="/description"),
        ],
    )
    client.delete_flag_link("default", "new-checkout", created.id)

    assert [r.method for r in seen] == ["POST", "PATCH", "DELETE"]
    base = "/api/v2/flag-links/projects/default/flags/new-checkout"
    assert [r.url.path for r in seen] == [base, f"{base}/link-1", f"{base}/link-1"]
    assert json.loads(seen[0].content) == {
        "key": "runbook",
        "deepLink": "https://wiki.example/runbook",
    }
    assert json.loads(seen[1].content) == [
        {"op": "replace", "path": "/title", "value": "New title"},
        {"op": "remove", "path": "/description"},
    ]
    assert created.key == "runbook" and created.timestamp is not None
    assert updated.title == "New title"


def test_list_flag_links_and_get_flag(make_client: ClientFactory) -> None:
    handler, seen = scripted(
        httpx.Response(200, json={"items": [flag_link_json()], "_links": {}}),
        httpx.Response(
            200, json={"key": "new-checkout", "name": "New checkout", "kind": "boolean"}
        ),
    )
    client = make_client(handler)
    links = client.list_flag_links("default", "new-checkout")
    flag = client.get_flag("default", "new-checkout")
    assert [link.deep_link for link in links] == ["https://wiki.example/runbook"]
    assert flag["kind"] == "boolean"
    assert seen[1].url.path == "/api/v2/flags/default/new-checkout"


def test_environment_and_view_lifecycle(make_client: ClientFactory) -> None:
    handler, seen = scripted(
        httpx.Response(200, json={"_id": "65abc", "key": "production", "name": "Production"}),
        httpx.Response(200, json={"key": "checkout", "name": "Checkout", "projectKey": "default"}),
        httpx.Response(204),
    )
    client = make_client(handler)
    environment = client.get_environment("default", "production")
    view = client.create_view("default", "checkout", "Checkout", description="Team view")
    client.delete_view("default", "checkout")

    assert environment.id == "65abc"
    assert view.project_key == "default"
    assert json.loads(seen[1].content) == {
        "key": "checkout",
        "name": "Checkout",
        "description": "Team view",
    }
    assert seen[2].method == "DELETE" and seen[2].content == b""


# -- retries --------------------------------------------------------------------------------


def test_429_then_200_is_retried_after_retry_after(
    make_client: ClientFactory, sleep: RecordingSleep
) -> None:
    handler, seen = scripted(
        httpx.Response(429, headers={"Retry-After": "2"}, json=error_body("rate_limited", "slow")),
        OK_PROJECT,
    )
    client = make_client(handler)
    assert client.get_project("default").key == "default"
    assert len(seen) == 2
    assert client.request_count == 2
    # The retry waits once: the gate is already open when the retry's own wait ends.
    assert sleep.seconds == [pytest.approx(2 + JITTER)]


# The retry table of `api/_base_client.py`'s docstring, one row per failure, for every kind of
# call. Each call is answered with the failure and then with success; `seen` counts what reached
# the server.
SAFE_CALLS = ["get", "delete", "link", "unlink"]
UNSAFE_CALLS = ["create_view", "create_flag_link", "patch_flag_link"]
OK_ANSWERS = {
    "get": (200, PROJECT_JSON),
    "delete": (204, None),
    "link": (200, {"successCount": 1, "failureCount": 0}),
    "unlink": (200, {"successCount": 1, "failureCount": 0}),
    "create_view": (200, {"key": "v", "name": "V"}),
    "create_flag_link": (201, flag_link_json()),
    "patch_flag_link": (200, flag_link_json()),
}


def call(client: LaunchDarklyClient, kind: str) -> object:
    if kind == "get":
        return client.get_project("default")
    if kind == "delete":
        client.delete_flag_link("p", "f", "link-1")
        return None
    if kind in ("link", "unlink"):
        send = client.link_resources if kind == "link" else client.unlink_resources
        return send("p", "v", "flags", LinkRequest(keys=["a"]))
    if kind == "create_view":
        return client.create_view("p", "v", "V")
    if kind == "create_flag_link":
        return client.create_flag_link("p", "f", FlagLinkPost(key="runbook", deep_link="https://x"))
    assert kind == "patch_flag_link"
    operation = JsonPatchOperation(op="remove", path="/description")
    return client.update_flag_link("p", "f", "link-1", [operation])


Failure = int | type[httpx.RequestError]


def fail_then_succeed(kind: str, failure: Failure) -> tuple[Handler, list[httpx.Request]]:
    status, body = OK_ANSWERS[kind]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) > 1:
            return httpx.Response(status, json=body) if body is not None else httpx.Response(status)
        if isinstance(failure, int):
            return httpx.Response(failure, json=error_body("failure", "injected"))
        raise failure("injected", request=request)

    return handler, seen


RETRY_TABLE = [
    # failure, retried when safe to repeat, retried when not idempotent
    (429, True, True),
    (httpx.ConnectError, True, True),
    (httpx.ConnectTimeout, True, True),
    (httpx.PoolTimeout, True, True),
    (500, True, False),
    (502, True, False),
    (503, True, False),
    (504, True, False),
    (httpx.ReadTimeout, True, False),
    (httpx.WriteTimeout, True, False),
    (httpx.RemoteProtocolError, True, False),
    (httpx.ReadError, True, False),
    (501, False, False),
    (400, False, False),
    (404, False, False),
    (409, False, False),
    (httpx.UnsupportedProtocol, False, False),
]


@pytest.mark.parametrize(("failure", "safe_retried", "unsafe_retried"), RETRY_TABLE)
@pytest.mark.parametrize("kind", SAFE_CALLS + UNSAFE_CALLS)
def test_retry_table(
    make_client: ClientFactory,
    kind: str,
    failure: Failure,
    safe_retried: bool,
    unsafe_retried: bool,
) -> None:
    retried = safe_retried if kind in SAFE_CALLS else unsafe_retried
    handler, seen = fail_then_succeed(kind, failure)
    client = make_client(handler)
    if retried:
        call(client, kind)
        assert len(seen) == 2
    else:
        with pytest.raises(LaunchDarklyError):
            call(client, kind)
        assert len(seen) == 1


def test_retry_rules_by_method() -> None:
    for method in ("GET", "HEAD", "OPTIONS", "DELETE", "PUT"):
        assert is_safe_to_repeat(method) and should_retry(method, 502)
    for method in ("POST", "PATCH"):
        assert not is_safe_to_repeat(method)
        assert should_retry(method, 429) and not should_retry(method, 500)
        assert should_retry(method, 503, idempotent=True)
    request = httpx.Request("PATCH", BASE_URL)
    assert should_retry_transport_error("PATCH", httpx.ConnectTimeout("x", request=request))
    assert not should_retry_transport_error("PATCH", httpx.ReadTimeout("x", request=request))
    assert should_retry_transport_error("DELETE", httpx.ReadTimeout("x", request=request))


def test_a_patch_answered_502_is_sent_exactly_once_and_may_have_been_applied(
    make_client: ClientFactory, sleep: RecordingSleep
) -> None:
    handler, seen = fail_then_succeed("patch_flag_link", 502)
    with pytest.raises(InternalServerError) as caught:
        call(make_client(handler), "patch_flag_link")
    assert [request.method for request in seen] == ["PATCH"]
    assert sleep.calls == []
    assert caught.value.may_have_been_applied


@pytest.mark.parametrize(
    ("failure", "applied"),
    [
        (httpx.ReadTimeout, True),
        (httpx.RemoteProtocolError, True),
        (httpx.ConnectTimeout, False),
        (httpx.ConnectError, False),
        (httpx.UnsupportedProtocol, False),
    ],
)
def test_a_create_without_an_answer_says_whether_it_may_have_been_applied(
    make_client: ClientFactory, failure: type[httpx.RequestError], applied: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure("injected", request=request)

    with pytest.raises(APIConnectionError) as caught:
        call(make_client(handler, max_retries=0), "create_flag_link")
    assert caught.value.may_have_been_applied is applied


@pytest.mark.parametrize(("status", "applied"), [(429, False), (404, False), (500, True)])
def test_status_errors_say_whether_the_request_may_have_been_applied(
    make_client: ClientFactory, status: int, applied: bool
) -> None:
    handler, _ = scripted(httpx.Response(status, json=error_body("x", "y")))
    with pytest.raises(APIStatusError) as caught:
        call(make_client(handler, max_retries=0), "create_flag_link")
    assert caught.value.may_have_been_applied is applied


def test_a_create_answered_201_with_an_unreadable_body_may_have_been_applied(
    make_client: ClientFactory,
) -> None:
    handler, _ = scripted(httpx.Response(201, text="<html>created</html>"))
    with pytest.raises(APIResponseValidationError) as caught:
        call(make_client(handler), "create_flag_link")
    assert caught.value.may_have_been_applied


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
    ],
)
def test_client_errors_are_not_retried(
    make_client: ClientFactory,
    sleep: RecordingSleep,
    status: int,
    error_class: type[APIStatusError],
) -> None:
    handler, seen = scripted(httpx.Response(status, json=error_body("nope", "Not allowed")))
    with pytest.raises(error_class) as caught:
        make_client(handler).get_view("default", "checkout")
    assert len(seen) == 1
    assert sleep.calls == []
    assert caught.value.path == "/api/v2/projects/default/views/checkout"
    assert "failed after" not in str(caught.value)


def test_not_found_hint_names_the_view(make_client: ClientFactory) -> None:
    handler, _ = scripted(httpx.Response(404, json=error_body("not_found", "Unknown view.")))
    with pytest.raises(NotFoundError) as caught:
        make_client(handler).link_resources("default", "checkout", "flags", LinkRequest(keys=["a"]))
    assert str(caught.value).startswith(
        "LaunchDarkly API POST /api/v2/projects/default/views/checkout/link/flags failed: "
        "404 not_found: Unknown view. Hint: Check that view 'checkout' exists in project 'default'"
    )


def test_connection_error_is_retried(make_client: ClientFactory) -> None:
    calls = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return OK_PROJECT

    assert make_client(flaky).get_project("default").name == "Default"
    assert len(calls) == 2


def test_a_refused_connection_is_retried_only_a_few_times(make_client: ClientFactory) -> None:
    calls = []

    def refused(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(APIConnectionError, match="could not reach"):
        make_client(refused, max_retries=8).get_project("default")
    assert len(calls) == 1 + MAX_CONNECT_RETRIES


def test_persistent_timeout_gives_up_with_timeout_error(
    make_client: ClientFactory, sleep: RecordingSleep
) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    client = make_client(slow, max_retries=2)
    with pytest.raises(APITimeoutError) as caught:
        client.get_project("default")
    assert client.request_count == 3
    assert len(sleep.calls) == 2
    assert "failed after 3 attempts: timed out" in str(caught.value)


def test_unrecoverable_transport_error_is_not_retried(make_client: ClientFactory) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.UnsupportedProtocol("no", request=request)

    client = make_client(broken)
    with pytest.raises(APIConnectionError, match="UnsupportedProtocol"):
        client.get_project("default")
    assert client.request_count == 1


def test_gives_up_after_max_retries_with_the_last_error(
    make_client: ClientFactory, sleep: RecordingSleep
) -> None:
    handler, seen = scripted(
        httpx.Response(429, json=error_body("rate_limited", "slow down")),
        httpx.Response(503, json=error_body("unavailable", "down for maintenance")),
    )
    with pytest.raises(InternalServerError) as caught:
        make_client(handler, max_retries=3).get_project("default")
    assert len(seen) == 4
    assert len(sleep.calls) == 3
    assert caught.value.status_code == 503
    assert "failed after 4 attempts: 503 unavailable: down for maintenance" in str(caught.value)


def test_backoff_grows_between_retries(make_client: ClientFactory, sleep: RecordingSleep) -> None:
    handler, _ = scripted(httpx.Response(503))
    with pytest.raises(InternalServerError):
        make_client(handler, max_retries=4).get_project("default")
    # FixedRandom picks the middle of [0, 0.5 * 2**attempt].
    assert sleep.seconds == [pytest.approx(s) for s in (0.25, 0.5, 1.0, 2.0)]


def test_total_retry_time_is_bounded(make_client: ClientFactory, sleep: RecordingSleep) -> None:
    handler, seen = scripted(httpx.Response(429, headers={"Retry-After": "100"}))
    with pytest.raises(RateLimitError):
        make_client(handler, max_retries=50, max_total_retry_seconds=250).get_project("default")
    assert len(seen) == 3
    assert sum(sleep.seconds) <= 250


def test_retry_after_beyond_the_budget_fails_at_once(
    make_client: ClientFactory, sleep: RecordingSleep
) -> None:
    handler, seen = scripted(httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimitError, match="429"):
        make_client(handler).get_project("default")
    assert len(seen) == 1
    assert sleep.calls == []


def test_retry_after_http_date_is_honoured(
    make_client: ClientFactory, sleep: RecordingSleep
) -> None:
    handler, _ = scripted(
        httpx.Response(429, headers={"Retry-After": formatdate(START + 12, usegmt=True)}),
        OK_PROJECT,
    )
    make_client(handler).get_project("default")
    assert sleep.seconds == [pytest.approx(12 + JITTER)]


# -- the shared rate-limit gate across threads ---------------------------------------------


def test_a_429_on_one_thread_holds_back_the_other_threads(
    make_client: ClientFactory, clock: FakeClock, sleep: RecordingSleep
) -> None:
    reset_at = START + 5
    sent: list[tuple[str, float]] = []
    answered_429 = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((threading.current_thread().name, clock()))
        if not answered_429.is_set():
            answered_429.set()
            return httpx.Response(
                429,
                headers={
                    "X-Ratelimit-Route-Remaining": "0",
                    "X-Ratelimit-Reset": str(int(reset_at * 1000)),
                },
                json=error_body("rate_limited", "slow down"),
            )
        return OK_PROJECT

    client = make_client(handler)
    second = threading.Thread(target=client.get_project, args=("other",), name="second")

    def while_first_thread_sleeps(_: float) -> None:
        # The first thread is backing off; the second thread now tries the same route.
        if threading.current_thread().name == "first" and not second.is_alive():
            second.start()
            second.join(timeout=5)

    sleep.before_sleep = while_first_thread_sleeps
    first = threading.Thread(target=client.get_project, args=("default",), name="first")
    first.start()
    first.join(timeout=5)

    assert not first.is_alive() and not second.is_alive()
    second_waits = [seconds for name, seconds in sleep.calls if name == "second"]
    assert second_waits == [pytest.approx(5 + JITTER)]
    second_sent_at = [at for name, at in sent if name == "second"]
    assert second_sent_at and second_sent_at[0] >= reset_at
    assert [name for name, _ in sent] == ["first", "second", "first"]


def test_request_count_is_exact_under_concurrency(make_client: ClientFactory) -> None:
    handler, _ = scripted(OK_PROJECT)
    client = make_client(handler)

    def work() -> None:
        for _ in range(25):
            client.get_project("default")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert client.request_count == 100


# -- pagination -----------------------------------------------------------------------------


def linked(key: str, linked_at: int = 1) -> dict[str, object]:
    return {"resourceKey": key, "resourceType": "flag", "linkedAt": linked_at, "_links": {}}


def paged_server(
    keys: list[str], *, honour_limit: bool = True, server_page: int = 3
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        offset = int(request.url.params["offset"])
        size = int(request.url.params["limit"]) if honour_limit else server_page
        items = [linked(key) for key in keys[offset : offset + size]]
        return httpx.Response(200, json={"items": items, "totalCount": len(keys)})

    return httpx.MockTransport(handler), seen


def test_pagination_across_three_pages(make_client: ClientFactory) -> None:
    keys = [f"flag-{n}" for n in range(5)]
    transport, seen = paged_server(keys)
    client = make_client(lambda r: httpx.Response(500), transport=transport)

    resources = client.list_linked_resources("default", "checkout", "flags", page_size=2)

    assert [r.resource_key for r in resources] == keys
    # The first page comes first; the others, known from its totalCount, in any order.
    assert (seen[0].url.params["limit"], seen[0].url.params["offset"]) == ("2", "0")
    assert sorted((r.url.params["limit"], r.url.params["offset"]) for r in seen[1:]) == [
        ("2", "2"),
        ("2", "4"),
    ]
    assert seen[0].url.path == "/api/v2/projects/default/views/checkout/linked/flags"


def test_pagination_when_the_server_ignores_limit(make_client: ClientFactory) -> None:
    keys = [f"flag-{n}" for n in range(7)]
    transport, seen = paged_server(keys, honour_limit=False, server_page=3)
    client = make_client(lambda r: httpx.Response(500), transport=transport)

    resources = client.list_linked_resources("default", "checkout", "flags", page_size=100)

    assert [r.resource_key for r in resources] == keys
    assert sorted(int(r.url.params["offset"]) for r in seen) == [0, 3, 6]


def test_pages_after_the_first_are_read_in_parallel(make_client: ClientFactory) -> None:
    keys = [f"flag-{n:02d}" for n in range(40)]
    transport, seen = paged_server(keys)
    # Three later pages must be in flight together, or the barrier breaks after 5 s.
    together = threading.Barrier(3, timeout=5)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["offset"] != "0":
            together.wait()
        return transport.handle_request(request)

    resources = make_client(handler).list_linked_resources("p", "v", "flags", page_size=10)
    assert [r.resource_key for r in resources] == keys
    assert sorted(int(r.url.params["offset"]) for r in seen) == [0, 10, 20, 30]


def test_pagination_stops_at_an_empty_page(make_client: ClientFactory) -> None:
    handler, seen = scripted(
        httpx.Response(200, json={"items": [linked("a")], "totalCount": 10}),
        httpx.Response(200, json={"items": [], "totalCount": 10}),
    )
    resources = make_client(handler).list_linked_resources("p", "v", "flags")
    assert [r.resource_key for r in resources] == ["a"]
    # The nine later offsets are read at once; the empty ones end the list, none is repeated.
    offsets = [int(r.url.params["offset"]) for r in seen]
    assert sorted(offsets) == list(range(10))


def test_pagination_refuses_a_server_that_ignores_offset(make_client: ClientFactory) -> None:
    handler, seen = scripted(
        httpx.Response(200, json={"items": [linked("a"), linked("b")], "totalCount": 5})
    )
    with pytest.raises(APIResponseValidationError, match="offset"):
        make_client(handler).list_linked_resources("p", "v", "flags", page_size=2)
    assert len(seen) == 3  # offsets 0, then 2 and 4 together; both repeat page 0


def test_linked_segments_keep_their_environment(make_client: ClientFactory) -> None:
    item = linked("beta-users") | {
        "resourceType": "segment",
        "environmentId": "env1",
        "environmentKey": "production",
    }
    handler, _ = scripted(httpx.Response(200, json={"items": [item], "totalCount": 1}))
    [segment] = make_client(handler).list_linked_resources("p", "v", "segments")
    assert (segment.environment_id, segment.environment_key) == ("env1", "production")


# -- answers we cannot use ------------------------------------------------------------------


def test_malformed_json_is_a_validation_error(make_client: ClientFactory) -> None:
    handler, _ = scripted(
        httpx.Response(
            200, content=b'{"key": "default", ', headers={"Content-Type": "application/json"}
        )
    )
    with pytest.raises(APIResponseValidationError) as caught:
        make_client(handler).get_project("default")
    text = str(caught.value)
    assert "GET /api/v2/projects/default returned 200" in text
    assert "not valid JSON (application/json)" in text
    assert '{"key": "default",' in text
    assert "Traceback" not in text
    assert caught.value.__cause__ is None


def test_html_page_with_200_is_a_validation_error(make_client: ClientFactory) -> None:
    page = "<html><head><title>Sign in</title></head><body>" + "x" * 1000 + "</body></html>"
    handler, _ = scripted(httpx.Response(200, html=page))
    with pytest.raises(APIResponseValidationError) as caught:
        make_client(handler).get_view("default", "checkout")
    text = str(caught.value)
    assert "not valid JSON (text/html)" in text
    assert "<title>Sign in</title>" in text
    assert len(text) < 500


def test_200_with_the_wrong_shape_names_the_field(make_client: ClientFactory) -> None:
    handler, _ = scripted(
        httpx.Response(
            200, json={"items": [{"resourceKey": "a", "resourceType": "flag"}], "totalCount": 1}
        )
    )
    with pytest.raises(APIResponseValidationError) as caught:
        make_client(handler).list_linked_resources("p", "v", "flags")
    assert "not a LinkedPage: items.0.linkedAt: Field required" in str(caught.value)


def test_flag_that_is_not_an_object_is_a_validation_error(make_client: ClientFactory) -> None:
    handler, _ = scripted(httpx.Response(200, json=["not", "a", "flag"]))
    with pytest.raises(APIResponseValidationError, match="expected a JSON object"):
        make_client(handler).get_flag("p", "f")


def test_204_where_a_body_was_expected(make_client: ClientFactory) -> None:
    handler, _ = scripted(httpx.Response(204))
    with pytest.raises(APIResponseValidationError, match="expected a JSON body, got none"):
        make_client(handler).create_view("p", "v", "V")


def test_500_with_empty_body(make_client: ClientFactory) -> None:
    handler, _ = scripted(httpx.Response(500))
    with pytest.raises(InternalServerError) as caught:
        make_client(handler).create_view("p", "v", "V")
    assert str(caught.value).startswith(
        "LaunchDarkly API POST /api/v2/projects/p/views failed: 500: (empty response body)"
    )


def test_502_html_from_a_proxy_is_still_a_status_error(make_client: ClientFactory) -> None:
    handler, _ = scripted(httpx.Response(502, html="<html><h1>Bad Gateway</h1></html>"))
    with pytest.raises(InternalServerError, match=r"non-JSON response \(text/html\)"):
        make_client(handler, max_retries=0).get_project("p")


def test_new_fields_from_the_server_are_tolerated(make_client: ClientFactory) -> None:
    handler, _ = scripted(
        httpx.Response(200, json={"key": "v", "name": "V", "brandNewField": {"x": 1}})
    )
    view = make_client(handler).get_view("p", "v")
    assert view.model_extra == {"brandNewField": {"x": 1}}


# -- the token stays secret -----------------------------------------------------------------


def test_token_echoed_by_the_server_is_redacted(make_client: ClientFactory) -> None:
    handler, _ = scripted(
        httpx.Response(401, json=error_body("unauthorized", f"Invalid token {TOKEN}"))
    )
    with pytest.raises(AuthenticationError) as caught:
        make_client(handler).get_project("default")
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value)
    assert TOKEN not in caught.value.message
    assert "[REDACTED]" in str(caught.value)


def test_token_in_an_unusable_body_is_redacted(make_client: ClientFactory) -> None:
    handler, _ = scripted(httpx.Response(200, text=f"debug: Authorization={TOKEN}"))
    with pytest.raises(APIResponseValidationError) as caught:
        make_client(handler).get_project("default")
    assert TOKEN not in str(caught.value)
    assert TOKEN not in caught.value.excerpt


def test_token_in_a_transport_error_is_redacted(make_client: ClientFactory) -> None:
    def leaky(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"proxy said: bad credentials {TOKEN}", request=request)

    with pytest.raises(APIConnectionError) as caught:
        make_client(leaky, max_retries=0).get_project("default")
    assert TOKEN not in str(caught.value)


def test_repr_and_attributes_do_not_hold_the_token(make_client: ClientFactory) -> None:
    client = make_client(scripted(OK_PROJECT)[0])
    assert TOKEN not in repr(client)
    assert BASE_URL in repr(client)
    assert TOKEN not in [value for value in vars(client).values() if isinstance(value, str)]


def test_client_refuses_to_be_pickled(make_client: ClientFactory) -> None:
    client = make_client(scripted(OK_PROJECT)[0])
    with pytest.raises(TypeError, match="must not be pickled"):
        pickle.dumps(client)


# -- construction ---------------------------------------------------------------------------


@pytest.mark.parametrize("base_url", ["app.launchdarkly.com", "ftp://ld.test", "", "https://"])
def test_bad_base_url_is_a_configuration_error(base_url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        LaunchDarklyClient(access_token=TOKEN, base_url=base_url)
    assert repr(base_url) in str(caught.value)
    assert "https://app.launchdarkly.com" in str(caught.value)


@pytest.mark.parametrize("token", ["", "   "])
def test_missing_token_is_a_configuration_error(token: str) -> None:
    with pytest.raises(ConfigurationError, match="No LaunchDarkly access token"):
        LaunchDarklyClient(access_token=token)


def test_sdk_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigurationError, match="looks like an SDK key") as caught:
        LaunchDarklyClient(access_token="sdk-1234-5678")
    assert "sdk-1234-5678" not in str(caught.value)


def test_context_manager_closes_the_http_client(make_client: ClientFactory) -> None:
    handler, _ = scripted(OK_PROJECT)
    with make_client(handler) as client:
        client.get_project("default")
    with pytest.raises(RuntimeError):
        client.get_project("default")


def test_a_5xx_backs_off_instead_of_waiting_for_the_rate_limit_reset(
    make_client: ClientFactory, sleep: RecordingSleep
) -> None:
    far_reset = {"X-Ratelimit-Reset": str(int((START + 9) * 1000))}
    handler, seen = scripted(httpx.Response(502, headers=far_reset), OK_PROJECT)
    make_client(handler).get_project("default")
    assert len(seen) == 2
    assert sleep.calls and sleep.calls[0][1] <= 0.5  # full jitter on the first retry, not 9 s
