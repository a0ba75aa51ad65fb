"""Every error the LaunchDarkly API client raises, and the one place that maps a status to a class.

    LaunchDarklyError
    ├── ConfigurationError            bad or missing access token or API host
    ├── APIConnectionError            the request never got an HTTP answer
    │   └── APITimeoutError
    ├── APIResponseValidationError    an answer we cannot use (not JSON, HTML, wrong shape)
    └── APIStatusError                LaunchDarkly answered with an error status
        ├── BadRequestError           400
        ├── AuthenticationError       401
        ├── PermissionDeniedError     403
        ├── NotFoundError             404
        ├── ConflictError             409
        ├── UnprocessableEntityError  422
        ├── RateLimitError            429
        └── InternalServerError       >= 500

`may_have_been_applied` tells a caller whether LaunchDarkly may have carried out the request
although it failed (a 5xx, a timeout after sending, a dropped or unreadable answer): a caller
that would write again looks first.

Messages never contain the access token: everything built from a server's answer goes through
`redact`. Exceptions keep plain strings and numbers only, never the httpx request (its headers
hold the token).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from ._constants import ACCESS_TOKEN_CONFIG_KEY, ACCESS_TOKEN_ENV_VAR, BODY_EXCERPT_CHARS

REDACTED = "[REDACTED]"


def redact(text: str, secret: str | None) -> str:
    """Return `text` with every occurrence of `secret` replaced by a placeholder."""
    if not secret:
        return text
    return text.replace(secret, REDACTED)


def body_excerpt(body: bytes | str, secret: str | None = None) -> str:
    """A short, single-line, redacted excerpt of a response body for error messages."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = redact(" ".join(text.split()), secret)
    if len(text) > BODY_EXCERPT_CHARS:
        text = text[:BODY_EXCERPT_CHARS] + "…"
    return text


class LaunchDarklyError(Exception):
    """Base class of every error raised by `pulumi_launchdarkly_links.api`."""

    @property
    def may_have_been_applied(self) -> bool:
        """Whether LaunchDarkly may have carried out the request despite this error."""
        return False


class ConfigurationError(LaunchDarklyError):
    """The access token or API host is missing or unusable."""


def _attempts_phrase(attempts: int) -> str:
    return f" after {attempts} attempts" if attempts > 1 else ""


class APIConnectionError(LaunchDarklyError):
    """No HTTP response arrived: DNS, connect, TLS or read failure."""

    default_hint: ClassVar[str] = (
        "Check network access to LaunchDarkly and the API host "
        "(launchdarkly:apiHost / LAUNCHDARKLY_API_HOST)."
    )

    def __init__(
        self,
        method: str,
        path: str,
        detail: str,
        *,
        attempts: int = 1,
        may_have_been_applied: bool = True,
    ) -> None:
        self.method = method
        self.path = path
        self.detail = detail
        self.attempts = attempts
        self._may_have_been_applied = may_have_been_applied
        super().__init__(
            f"LaunchDarkly API {method} {path} failed{_attempts_phrase(attempts)}: {detail}. "
            f"Hint: {self.default_hint}"
        )

    @property
    def may_have_been_applied(self) -> bool:
        """False only when the connection was never established (nothing was sent)."""
        return self._may_have_been_applied


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or pool)."""


class APIResponseValidationError(LaunchDarklyError):
    """LaunchDarkly answered, but not with something this client can use."""

    def __init__(
        self, method: str, path: str, status_code: int, problem: str, excerpt: str
    ) -> None:
        self.method = method
        self.path = path
        self.status_code = status_code
        self.problem = problem
        self.excerpt = excerpt
        shown = f"'{excerpt}'" if excerpt else "(empty body)"
        super().__init__(
            f"LaunchDarkly API {method} {path} returned {status_code} with an unusable "
            f"response: {problem}. Response body: {shown}"
        )

    @property
    def may_have_been_applied(self) -> bool:
        """A success status with an unusable body: the request was most likely carried out."""
        return 200 <= self.status_code < 300


class APIStatusError(LaunchDarklyError):
    """LaunchDarkly answered with an error status; carries its `code` and `message`."""

    status: ClassVar[int | None] = None
    default_hint: ClassVar[str | None] = None

    def __init__(
        self,
        method: str,
        path: str,
        status_code: int,
        code: str | None,
        message: str,
        hint: str | None = None,
        *,
        request_id: str | None = None,
        attempts: int = 1,
    ) -> None:
        self.method = method
        self.path = path
        self.status_code = status_code
        self.code = code
        self.message = message
        self.hint = hint if hint is not None else self.default_hint
        self.request_id = request_id
        self.attempts = attempts
        status = f"{status_code} {code}" if code else str(status_code)
        text = (
            f"LaunchDarkly API {method} {path} failed{_attempts_phrase(attempts)}: "
            f"{status}: {message}"
        )
        if self.hint:
            text += f" Hint: {self.hint}"
        if request_id:
            text += f" (LaunchDarkly request ID: {request_id})"
        super().__init__(text)

    @property
    def may_have_been_applied(self) -> bool:
        """A 5xx (often a proxy's 502/504) does not say whether the request was carried out."""
        return self.status_code >= 500


class BadRequestError(APIStatusError):
    status = 400
    default_hint = "LaunchDarkly rejected the request; check the keys and values sent."


class AuthenticationError(APIStatusError):
    status = 401
    default_hint = (
        f"Check that {ACCESS_TOKEN_CONFIG_KEY} (or {ACCESS_TOKEN_ENV_VAR}) is a valid "
        "LaunchDarkly API access token, not an SDK key, mobile key or client-side ID."
    )


class PermissionDeniedError(APIStatusError):
    status = 403
    default_hint = (
        "The access token's role lacks permission for this action in this project, "
        "or the request lost its 'LD-API-Version: beta' header (e.g. to a proxy)."
    )


class NotFoundError(APIStatusError):
    status = 404
    default_hint = "Check that the project, environment, view and flag keys in the path exist."


class ConflictError(APIStatusError):
    status = 409
    default_hint = "The resource already exists or was changed concurrently; refresh and retry."


class UnprocessableEntityError(APIStatusError):
    status = 422
    default_hint = "LaunchDarkly could not apply the request; check the values sent."


class RateLimitError(APIStatusError):
    status = 429
    default_hint = (
        "LaunchDarkly's rate limit is shared by every token on the account; "
        "try again later or run fewer updates in parallel (pulumi up --parallel)."
    )


class InternalServerError(APIStatusError):
    default_hint = "LaunchDarkly had a server-side problem; try again later."


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    cls.status: cls
    for cls in (
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        UnprocessableEntityError,
        RateLimitError,
    )
    if cls.status is not None
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status_code, APIStatusError)


def _describe_error_body(
    body: bytes, content_type: str, secret: str | None
) -> tuple[str | None, str, str | None]:
    """(code, message, request_id) from a LaunchDarkly `{code, message, id}` error body."""
    if not body.strip():
        return None, "(empty response body)", None
    try:
        parsed: Any = json.loads(body)
    except ValueError:
        kind = content_type.split(";")[0].strip() or "unknown content type"
        return None, f"non-JSON response ({kind}): '{body_excerpt(body, secret)}'", None
    if not isinstance(parsed, dict):
        return None, f"unexpected error body: '{body_excerpt(body, secret)}'", None
    code = parsed.get("code")
    message = parsed.get("message")
    request_id = parsed.get("id")
    return (
        redact(str(code), secret) if code else None,
        redact(str(message), secret) if message else f"'{body_excerpt(body, secret)}'",
        redact(str(request_id), secret) if request_id else None,
    )


def status_error_from_response(
    method: str,
    path: str,
    status_code: int,
    body: bytes,
    *,
    content_type: str = "",
    hint: str | None = None,
    secret: str | None = None,
    attempts: int = 1,
) -> APIStatusError:
    """Build the exception for an error answer; `hint` overrides the class's default hint."""
    code, message, request_id = _describe_error_body(body, content_type, secret)
    error_class = status_error_class(status_code)
    if hint is None and error_class is APIStatusError and 300 <= status_code < 400:
        hint = "LaunchDarkly does not redirect API calls; check launchdarkly:apiHost."
    if status_code == 404 and code is None:
        # Every LaunchDarkly error carries `{code, message}`; a bare 404 comes from some other
        # server. Reporting it as "not found" would make refresh drop resources that exist.
        error_class = APIStatusError
        hint = (
            "This 404 is not a LaunchDarkly API answer (no error code in the body); "
            "check launchdarkly:apiHost."
        )
    return error_class(
        method,
        path,
        status_code,
        code,
        message,
        hint,
        request_id=request_id,
        attempts=attempts,
    )
