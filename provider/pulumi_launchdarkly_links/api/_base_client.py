"""`BaseClient`: the one request loop every LaunchDarkly call goes through, and its retry rules.

The loop (`BaseClient._request`) paces each request through the rate-limit gate, counts it,
turns a failure into the error hierarchy of `_exceptions` and retries it by this table
(`should_retry` and `should_retry_transport_error` are the table in code). A request is
repeated only when repeating it cannot do anything twice:

    failure                                      safe to repeat (1)   not idempotent (2)
    429 rate limited                             retry                retry
    connection never established (3)             retry                retry
    500, 502, 503, 504                           retry                no
    timeout after sending, dropped connection    retry                no
    anything else (400-499, 501, ...)            no                   no

    (1) GET, HEAD, OPTIONS, PUT and DELETE, and calls marked idempotent: view link/unlink,
        which are set operations, and a view's PATCH, whose plain-object body sets fields to
        values (not JSON Patch).
    (2) PATCH and POST (creates): a 5xx or a lost answer does not say whether LaunchDarkly
        applied the request, and a replayed JSON Patch `remove` fails with 400 or a replayed
        create makes a duplicate. The error's `may_have_been_applied` says so, and the caller
        looks before it writes again (the FlagLink provider lists the flag's links).
    (3) httpx.ConnectError, ConnectTimeout or PoolTimeout: nothing was sent. A refused or
        unresolvable connection is retried only MAX_CONNECT_RETRIES times (usually a wrong
        apiHost).

- Waits come from `compute_retry_delay` (Retry-After, then X-Ratelimit-Reset, then full-jitter
  backoff); retrying stops after `max_retries` retries, or when the next wait would pass
  `max_total_retry_seconds` since the first attempt. The last error is raised.
- A retried DELETE whose first attempt did reach LaunchDarkly can answer 404 (already
  deleted); callers confirm with a read before they take that as done.

The access token lives only in the httpx client's default headers: it is not an attribute,
`repr` omits it, pickling is refused and every error text is passed through `redact`.

What each endpoint sends and expects back is `_client.LaunchDarklyClient`'s job, not this
module's.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, NoReturn, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from ._config import normalize_base_url, validate_access_token
from ._constants import (
    API_VERSION,
    API_VERSION_HEADER,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_CONNECT_RETRIES,
    MAX_CONNECTIONS,
    MAX_TOTAL_RETRY_SECONDS,
    USER_AGENT,
)
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    body_excerpt,
    redact,
    status_error_from_response,
)
from ._rate_limit import Clock, RateLimitGate, Sleep
from ._retry_delay import RandomSource, compute_retry_delay

logger = logging.getLogger("pulumi_launchdarkly_links.api")

ModelT = TypeVar("ModelT", bound=BaseModel)
# `with SomeClient(...) as client` gives back the subclass, not BaseClient.
ClientT = TypeVar("ClientT", bound="BaseClient")

SAFE_TO_REPEAT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})
# The request surely was not applied: any request may go again.
RETRY_ANY_REQUEST_STATUSES = frozenset({429})
# The request may have been applied: only a request that is safe to repeat goes again.
RETRY_SAFE_REQUEST_STATUSES = frozenset({500, 502, 503, 504})
# Transport failures before anything was sent (ConnectTimeout is also a TimeoutException).
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Transport failures after the request may have been sent; others (e.g. an unsupported URL
# scheme) will not heal and are never retried.
_MAYBE_SENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.ProtocolError)


def build_path(template: str, **segments: str) -> str:
    """Fill a path template with URL-quoted segments; empty segments are a caller bug."""
    for name, value in segments.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return template.format(**{name: quote(value, safe="") for name, value in segments.items()})


def _retry_headers(response: httpx.Response) -> Mapping[str, str]:
    """Headers that may set the wait before a retry. Rate-limit reset times only matter for a
    429: every answer carries them, and waiting for the window to reset after a 502 would turn
    a momentary fault into a stall of up to 10 s."""
    if response.status_code == 429:
        return response.headers
    retry_after = response.headers.get("retry-after")
    return {"retry-after": retry_after} if retry_after is not None else {}


def is_safe_to_repeat(method: str, *, idempotent: bool = False) -> bool:
    """Whether sending the request twice has the same effect as sending it once."""
    return idempotent or method.upper() in SAFE_TO_REPEAT_METHODS


def should_retry(method: str, status_code: int, *, idempotent: bool = False) -> bool:
    """Whether an error status is worth retrying for `method` (the module docstring's table).

    `idempotent` marks a call that is safe to repeat whatever its method (view link/unlink).
    """
    if status_code in RETRY_ANY_REQUEST_STATUSES:
        return True
    return status_code in RETRY_SAFE_REQUEST_STATUSES and is_safe_to_repeat(
        method, idempotent=idempotent
    )


def was_not_sent(error: httpx.HTTPError) -> bool:
    """True when the transport failed before any byte of the request left this process."""
    return isinstance(error, _NOT_SENT_ERRORS)


def should_retry_transport_error(
    method: str, error: httpx.HTTPError, *, idempotent: bool = False
) -> bool:
    """Whether a request that got no HTTP answer is worth retrying (the docstring's table)."""
    if was_not_sent(error):
        return True
    return isinstance(error, _MAYBE_SENT_ERRORS) and is_safe_to_repeat(
        method, idempotent=idempotent
    )


class BaseClient:
    """One `httpx.Client` (a pool of up to 16 connections), one `RateLimitGate` and the request
    loop that uses both; thread-safe. `LaunchDarklyClient` adds the endpoints.

    `sleep`, `clock` and `rng` are injectable so tests can record waits instead of sleeping.
    """

    def __init__(
        self,
        *,
        access_token: str,
        base_url: str = DEFAULT_BASE_URL,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_total_retry_seconds: float = MAX_TOTAL_RETRY_SECONDS,
        transport: httpx.BaseTransport | None = None,
        sleep: Sleep = time.sleep,
        clock: Clock = time.time,
        rng: RandomSource | None = None,
    ) -> None:
        token = validate_access_token(access_token)
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}")
        self.base_url = normalize_base_url(base_url)
        self.max_retries = max_retries
        self.max_total_retry_seconds = max_total_retry_seconds
        self._sleep = sleep
        self._clock = clock
        self._rng: RandomSource = rng if rng is not None else random.Random()
        self._gate = RateLimitGate(clock=clock, sleep=sleep, rng=self._rng)
        self._count_lock = threading.Lock()
        self._request_count = 0
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={
                "Authorization": token,
                API_VERSION_HEADER: API_VERSION,
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            },
            timeout=timeout,
            limits=httpx.Limits(max_connections=MAX_CONNECTIONS),
            transport=transport,
            follow_redirects=False,
        )

    # -- lifecycle and safety -------------------------------------------------------------

    def __repr__(self) -> str:
        # The token is left out on purpose: reprs end up in logs and tracebacks.
        return f"{type(self).__name__}(base_url={self.base_url!r}, max_retries={self.max_retries})"

    def __getstate__(self) -> NoReturn:
        # A pickled client would carry the token in its headers to wherever the bytes go.
        raise TypeError(f"{type(self).__name__} must not be pickled")

    def close(self) -> None:
        self._http.close()

    def __enter__(self: ClientT) -> ClientT:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far, retries included."""
        with self._count_lock:
            return self._request_count

    @property
    def rate_limit_gate(self) -> RateLimitGate:
        return self._gate

    def _secret(self) -> str:
        return self._http.headers.get("Authorization", "")

    # -- the request loop -------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        expected: Iterable[int] = (200,),
        route: str | None = None,
        not_found_hint: str | None = None,
        idempotent: bool = False,
    ) -> httpx.Response:
        """Send one API call, retrying as the module docstring says; return a 2xx response.

        `route` is the path template (LaunchDarkly's rate-limit bucket); `expected` are the
        documented success statuses. Another 2xx is accepted too (logged), since refusing a
        create that succeeded would leak the resource.
        """
        route_key = f"{method} {route or path}"
        documented = tuple(expected)
        started = self._clock()
        attempt = 0
        connect_failures = 0
        while True:
            ticket = self._gate.acquire(route_key)
            with self._count_lock:
                self._request_count += 1
            error: APIStatusError | APIConnectionError
            try:
                response = self._http.request(method, path, json=json, params=params)
            except httpx.HTTPError as exc:
                self._gate.release(ticket)
                error = self._transport_error(method, path, exc, attempts=attempt + 1)
                if not should_retry_transport_error(method, exc, idempotent=idempotent):
                    raise error from None
                if isinstance(exc, httpx.ConnectError):
                    connect_failures += 1
                    # Refused or unresolvable: a wrong apiHost far more often than a blip, so
                    # say so in seconds rather than after the whole retry budget.
                    if connect_failures > MAX_CONNECT_RETRIES:
                        raise error from None
                delay = compute_retry_delay({}, attempt, self._clock(), self._rng)
            else:
                self._gate.observe(route_key, response.status_code, response.headers, ticket)
                if response.is_success:
                    if response.status_code not in documented:
                        logger.debug(
                            "%s %s answered %s (documented: %s)",
                            method,
                            path,
                            response.status_code,
                            documented,
                        )
                    return response
                error = status_error_from_response(
                    method,
                    path,
                    response.status_code,
                    response.content,
                    content_type=response.headers.get("content-type", ""),
                    hint=not_found_hint if response.status_code == 404 else None,
                    secret=self._secret(),
                    attempts=attempt + 1,
                )
                if not should_retry(method, response.status_code, idempotent=idempotent):
                    raise error from None
                delay = compute_retry_delay(
                    _retry_headers(response), attempt, self._clock(), self._rng
                )
            elapsed = self._clock() - started
            if attempt >= self.max_retries or elapsed + delay > self.max_total_retry_seconds:
                raise error from None
            logger.info(
                "LaunchDarkly %s %s: %s; retry %d of %d in %.1f s",
                method,
                path,
                _short_reason(error),
                attempt + 1,
                self.max_retries,
                delay,
            )
            self._sleep(delay)
            attempt += 1

    def _transport_error(
        self, method: str, path: str, exc: httpx.HTTPError, *, attempts: int
    ) -> APIConnectionError:
        detail = redact(f"{type(exc).__name__}: {exc}".rstrip(": "), self._secret())
        may_have_been_applied = isinstance(exc, _MAYBE_SENT_ERRORS) and not was_not_sent(exc)
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(
                method,
                path,
                f"timed out ({detail})",
                attempts=attempts,
                may_have_been_applied=may_have_been_applied,
            )
        return APIConnectionError(
            method,
            path,
            f"could not reach {self.base_url} ({detail})",
            attempts=attempts,
            may_have_been_applied=may_have_been_applied,
        )

    def _invalid(
        self, method: str, path: str, response: httpx.Response, problem: str
    ) -> APIResponseValidationError:
        return APIResponseValidationError(
            method,
            path,
            response.status_code,
            redact(problem, self._secret()),
            body_excerpt(response.content, self._secret()),
        )

    def _json(self, method: str, path: str, response: httpx.Response) -> Any:
        if not response.content.strip():
            raise self._invalid(method, path, response, "expected a JSON body, got none")
        try:
            return response.json()
        except ValueError:
            content_type = response.headers.get("content-type", "").split(";")[0].strip()
            kind = f" ({content_type})" if content_type else ""
            raise self._invalid(
                method, path, response, f"the body is not valid JSON{kind}"
            ) from None

    def _parse(
        self, method: str, path: str, response: httpx.Response, model: type[ModelT]
    ) -> ModelT:
        data = self._json(method, path, response)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise self._invalid(
                method, path, response, f"not a {model.__name__}: {_describe(exc)}"
            ) from None

    def _call(
        self,
        method: str,
        template: str,
        model: type[ModelT],
        *,
        segments: Mapping[str, str],
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        expected: Iterable[int] = (200,),
        not_found_hint: str | None = None,
        idempotent: bool = False,
    ) -> ModelT:
        path = build_path(template, **segments)
        response = self._request(
            method,
            path,
            json=json,
            params=params,
            expected=expected,
            route=template,
            not_found_hint=not_found_hint,
            idempotent=idempotent,
        )
        return self._parse(method, path, response, model)

    def _call_no_content(
        self,
        method: str,
        template: str,
        *,
        segments: Mapping[str, str],
        expected: Iterable[int] = (204,),
        not_found_hint: str | None = None,
    ) -> None:
        path = build_path(template, **segments)
        self._request(
            method, path, expected=expected, route=template, not_found_hint=not_found_hint
        )


def _describe(exc: ValidationError, limit: int = 3) -> str:
    """A one-line summary of the first few pydantic errors, e.g. `items.0.linkedAt: Field
    required`."""
    parts = []
    for error in exc.errors()[:limit]:
        location = ".".join(str(part) for part in error["loc"]) or "(root)"
        parts.append(f"{location}: {error['msg']}")
    more = exc.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def _short_reason(error: Exception) -> str:
    if isinstance(error, APIStatusError):
        return f"{error.status_code} {error.code or ''}".strip()
    return type(error).__name__
