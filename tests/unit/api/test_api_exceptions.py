"""Status → exception mapping, message contents and redaction."""

from __future__ import annotations

import json

import pytest

from pulumi_launchdarkly_links.api import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    LaunchDarklyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    redact,
    status_error_from_response,
)

PATH = "/api/v2/projects/default/views/checkout/link/flags"


def body(code: str, message: str) -> bytes:
    return json.dumps({"code": code, "message": message}).encode()


@pytest.mark.parametrize(
    ("status", "error_class", "code", "hint_fragment"),
    [
        (400, BadRequestError, "invalid_request", "check the keys"),
        (401, AuthenticationError, "unauthorized", "launchdarkly:accessToken"),
        (403, PermissionDeniedError, "forbidden", "LD-API-Version: beta"),
        (404, NotFoundError, "not_found", "exist"),
        (409, ConflictError, "conflict", "already exists"),
        (422, UnprocessableEntityError, "unprocessable", "could not apply"),
        (429, RateLimitError, "rate_limited", "try again later"),
        (500, InternalServerError, "internal_server_error", "server-side"),
        (503, InternalServerError, "service_unavailable", "server-side"),
        (405, APIStatusError, "method_not_allowed", None),
    ],
)
def test_status_maps_to_one_exception_class_with_a_full_message(
    status: int, error_class: type[APIStatusError], code: str, hint_fragment: str | None
) -> None:
    error = status_error_from_response("POST", PATH, status, body(code, "Something went wrong"))

    assert type(error) is error_class
    assert isinstance(error, LaunchDarklyError)
    assert (error.method, error.path, error.status_code, error.code) == ("POST", PATH, status, code)
    assert error.message == "Something went wrong"
    text = str(error)
    assert text.startswith(f"LaunchDarkly API POST {PATH} failed: {status} {code}: ")
    assert "Something went wrong" in text
    if hint_fragment is None:
        assert "Hint:" not in text
    else:
        assert "Hint: " in text and hint_fragment in text


def test_caller_hint_replaces_the_default_and_reads_like_the_spec() -> None:
    error = status_error_from_response(
        "POST", PATH, 404, body("not_found", "Unknown view."), hint="Create view 'checkout' first."
    )
    assert str(error) == (
        f"LaunchDarkly API POST {PATH} failed: 404 not_found: Unknown view. "
        "Hint: Create view 'checkout' first."
    )


def test_authentication_hint_mentions_both_settings_and_sdk_keys() -> None:
    error = status_error_from_response("GET", "/api/v2/projects/x", 401, b"{}")
    assert error.hint is not None
    assert "LAUNCHDARKLY_ACCESS_TOKEN" in error.hint and "SDK key" in error.hint


def test_request_id_and_attempts_are_reported() -> None:
    raw = json.dumps({"code": "rate_limited", "message": "Slow down", "id": "req-42"}).encode()
    error = status_error_from_response("GET", "/x", 429, raw, attempts=9)
    assert "failed after 9 attempts: 429 rate_limited" in str(error)
    assert error.request_id == "req-42" and "req-42" in str(error)


@pytest.mark.parametrize(
    ("raw", "content_type", "expected_fragment"),
    [
        (b"", "", "(empty response body)"),
        (
            b"<html><title>502 Bad Gateway</title></html>",
            "text/html",
            "non-JSON response (text/html)",
        ),
        (b"[1, 2]", "application/json", "unexpected error body"),
        (b'{"unexpected": true}', "application/json", '"unexpected": true'),
    ],
)
def test_error_bodies_that_are_not_launchdarkly_errors_still_explain_themselves(
    raw: bytes, content_type: str, expected_fragment: str
) -> None:
    error = status_error_from_response("GET", "/x", 502, raw, content_type=content_type)
    assert isinstance(error, InternalServerError)
    assert error.code is None
    assert expected_fragment in str(error)
    assert "failed: 502: " in str(error)


def test_long_html_bodies_are_cut_to_an_excerpt() -> None:
    raw = b"<html>" + b"x" * 5000 + b"</html>"
    error = status_error_from_response("GET", "/x", 500, raw, content_type="text/html")
    assert len(str(error)) < 600


def test_secret_is_redacted_from_server_messages() -> None:
    raw = body("unauthorized", "Token api-secret-1 is not valid")
    error = status_error_from_response("GET", "/x", 401, raw, secret="api-secret-1")
    assert "api-secret-1" not in str(error)
    assert "[REDACTED]" in error.message


def test_redact() -> None:
    assert redact("a tok b tok", "tok") == "a [REDACTED] b [REDACTED]"
    assert redact("nothing", "") == "nothing"
    assert redact("nothing", None) == "nothing"


def test_connection_errors_are_siblings_of_status_errors() -> None:
    timeout = APITimeoutError("GET", "/x", "timed out (ReadTimeout)", attempts=3)
    assert isinstance(timeout, APIConnectionError)
    assert not isinstance(timeout, APIStatusError)
    assert str(timeout).startswith("LaunchDarkly API GET /x failed after 3 attempts: timed out")
    assert "launchdarkly:apiHost" in str(timeout)


def test_validation_error_names_call_problem_and_excerpt() -> None:
    error = APIResponseValidationError("GET", "/x", 200, "the body is not valid JSON", "<html>")
    assert str(error) == (
        "LaunchDarkly API GET /x returned 200 with an unusable response: "
        "the body is not valid JSON. Response body: '<html>'"
    )
    assert issubclass(ConfigurationError, LaunchDarklyError)


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [(b"", ""), (b"<html>404 page not found</html>", "text/html"), (b'{"error": "x"}', "")],
)
def test_a_404_without_launchdarkly_error_code_is_not_taken_for_not_found(
    raw: bytes, content_type: str
) -> None:
    # Refresh drops resources on NotFoundError; a web server's own 404 must not do that.
    error = status_error_from_response("GET", PATH, 404, raw, content_type=content_type)
    assert type(error) is APIStatusError
    assert error.hint is not None and "launchdarkly:apiHost" in error.hint
