"""`LaunchDarklyClient`: the one HTTP client the providers use, with its single retry loop.

Retry rules (one loop, `_request`; `should_retry` and `should_retry_transport_error` are this
table in code). A request is repeated only when repeating it cannot do anything twice:

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
from ._models import (
    Environment,
    EnvironmentPage,
    FlagLink,
    FlagLinkCollection,
    FlagLinkPost,
    JsonPatchOperation,
    KeyedPage,
    LinkedPage,
    LinkedResource,
    LinkRequest,
    LinkResult,
    Project,
    ResourceType,
    View,
    ViewPatch,
    ViewPost,
)
from ._pages import OffsetIgnored, Page, read_all_pages
from ._rate_limit import Clock, RandomSource, RateLimitGate, Sleep, compute_retry_delay

logger = logging.getLogger("pulumi_launchdarkly_links.api")

ModelT = TypeVar("ModelT", bound=BaseModel)

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

_PROJECTS = "/api/v2/projects/{project_key}"
_VIEWS = _PROJECTS + "/views"
_VIEW = _VIEWS + "/{view_key}"
_FLAG_LINKS = "/api/v2/flag-links/projects/{project_key}/flags/{flag_key}"


def _build_path(template: str, **segments: str) -> str:
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


class LaunchDarklyClient:
    """Thread-safe client for the LaunchDarkly Views and Flag links (beta) APIs.

    One instance holds one `httpx.Client` (a pool of up to 16 connections) and one
    `RateLimitGate`; share it between the threads of a provider. `sleep`, `clock` and `rng`
    are injectable so tests can record waits instead of sleeping.
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
        return f"LaunchDarklyClient(base_url={self.base_url!r}, max_retries={self.max_retries})"

    def __getstate__(self) -> NoReturn:
        raise TypeError("LaunchDarklyClient must not be pickled")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LaunchDarklyClient:
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
        path = _build_path(template, **segments)
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
        path = _build_path(template, **segments)
        self._request(
            method, path, expected=expected, route=template, not_found_hint=not_found_hint
        )

    # -- projects, environments, flags ----------------------------------------------------

    def get_project(self, project_key: str) -> Project:
        return self._call(
            "GET",
            _PROJECTS,
            Project,
            segments={"project_key": project_key},
            not_found_hint=f"Check that project '{project_key}' exists.",
        )

    def get_environment(self, project_key: str, environment_key: str) -> Environment:
        return self._call(
            "GET",
            _PROJECTS + "/environments/{environment_key}",
            Environment,
            segments={"project_key": project_key, "environment_key": environment_key},
            not_found_hint=(
                f"Check that environment '{environment_key}' exists in project '{project_key}'."
            ),
        )

    def get_flag(self, project_key: str, flag_key: str) -> dict[str, Any]:
        template = "/api/v2/flags/{project_key}/{flag_key}"
        path = _build_path(template, project_key=project_key, flag_key=flag_key)
        response = self._request(
            "GET",
            path,
            route=template,
            not_found_hint=f"Check that flag '{flag_key}' exists in project '{project_key}'.",
        )
        data = self._json("GET", path, response)
        if not isinstance(data, dict):
            raise self._invalid("GET", path, response, "expected a JSON object (a flag)")
        return data

    # -- views ------------------------------------------------------------------------------

    def get_view(self, project_key: str, view_key: str) -> View:
        return self._call(
            "GET",
            _VIEW,
            View,
            segments={"project_key": project_key, "view_key": view_key},
            not_found_hint=_view_hint(project_key, view_key),
        )

    def create_view(self, project_key: str, key: str, name: str, description: str = "") -> View:
        return self._call(
            "POST",
            _VIEWS,
            View,
            segments={"project_key": project_key},
            json={"key": key, "name": name, "description": description},
            not_found_hint=f"Check that project '{project_key}' exists.",
        )

    def delete_view(self, project_key: str, view_key: str) -> None:
        self._call_no_content(
            "DELETE",
            _VIEW,
            segments={"project_key": project_key, "view_key": view_key},
            not_found_hint=_view_hint(project_key, view_key),
        )

    def link_resources(
        self,
        project_key: str,
        view_key: str,
        resource_type: ResourceType,
        request: LinkRequest,
    ) -> LinkResult:
        """Link resources to a view. Check `failure_count`: partial failure is still a 200."""
        return self._link_call("POST", project_key, view_key, resource_type, request)

    def unlink_resources(
        self,
        project_key: str,
        view_key: str,
        resource_type: ResourceType,
        request: LinkRequest,
    ) -> LinkResult:
        """Unlink resources from a view (a DELETE with a JSON body). Check `failure_count`."""
        return self._link_call("DELETE", project_key, view_key, resource_type, request)

    def _link_call(
        self,
        method: str,
        project_key: str,
        view_key: str,
        resource_type: ResourceType,
        request: LinkRequest,
    ) -> LinkResult:
        return self._call(
            method,
            _VIEW + "/link/{resource_type}",
            LinkResult,
            segments={
                "project_key": project_key,
                "view_key": view_key,
                "resource_type": resource_type,
            },
            json=request.to_json_body(),
            not_found_hint=_view_hint(project_key, view_key),
            idempotent=True,
        )

    def list_linked_resources(
        self,
        project_key: str,
        view_key: str,
        resource_type: ResourceType,
        page_size: int = 100,
    ) -> list[LinkedResource]:
        """Every resource of one type linked to a view, across all pages.

        The first page gives the total and the page size the server allows (it may cap
        `limit`); the other pages are then read in parallel (`_pages.read_all_pages`). A full
        page that adds nothing new means the server ignores `offset`; that raises rather than
        loop or return a subset.
        """
        if page_size < 1:
            raise ValueError(f"page_size must be >= 1, got {page_size}")
        template = _VIEW + "/linked/{resource_type}"
        segments = {
            "project_key": project_key,
            "view_key": view_key,
            "resource_type": resource_type,
        }
        path = _build_path(template, **segments)
        last_response: dict[int, httpx.Response] = {}

        def fetch(offset: int) -> Page[LinkedResource]:
            response = self._request(
                "GET",
                path,
                params={"limit": page_size, "offset": offset},
                route=template,
                not_found_hint=_view_hint(project_key, view_key),
            )
            last_response[offset] = response
            page = self._parse("GET", path, response, LinkedPage)
            return Page(page.items, page.total_count)

        try:
            return read_all_pages(
                fetch, lambda item: (item.resource_type, item.resource_key, item.environment_id)
            )
        except OffsetIgnored as ignored:
            raise self._invalid("GET", path, last_response[ignored.offset], str(ignored)) from None

    # -- catalogue lists, for filters ---------------------------------------------------------

    def list_flag_keys(self, project_key: str, flag_filter: str) -> list[str]:
        """Keys of the flags matching LaunchDarkly's flag list `filter` (e.g. `tags:checkout`)."""
        return self._list_keys(
            "/api/v2/flags/{project_key}",
            {"project_key": project_key},
            {"filter": flag_filter, "summary": "true"},
            page_size=100,
            hint=f"Check that project '{project_key}' exists.",
        )

    def list_segment_keys(
        self, project_key: str, environment_key: str, segment_filter: str
    ) -> list[str]:
        """Keys of one environment's segments matching a segment query filter."""
        return self._list_keys(
            "/api/v2/segments/{project_key}/{environment_key}",
            {"project_key": project_key, "environment_key": environment_key},
            {"filter": segment_filter},
            page_size=50,
            hint=(f"Check that environment '{environment_key}' exists in project '{project_key}'."),
        )

    def list_environments(self, project_key: str) -> list[Environment]:
        template = _PROJECTS + "/environments"
        path = _build_path(template, project_key=project_key)

        def fetch(offset: int) -> Page[Environment]:
            response = self._request(
                "GET",
                path,
                params={"limit": 20, "offset": offset},
                route=template,
                not_found_hint=f"Check that project '{project_key}' exists.",
            )
            page = self._parse("GET", path, response, EnvironmentPage)
            return Page(page.items, page.total_count)

        return read_all_pages(fetch, lambda environment: environment.id)

    def _list_keys(
        self,
        template: str,
        segments: Mapping[str, str],
        params: Mapping[str, str],
        *,
        page_size: int,
        hint: str,
    ) -> list[str]:
        path = _build_path(template, **segments)

        def fetch(offset: int) -> Page[str]:
            response = self._request(
                "GET",
                path,
                params={**params, "limit": page_size, "offset": offset},
                route=template,
                not_found_hint=hint,
            )
            page = self._parse("GET", path, response, KeyedPage)
            return Page([item.key for item in page.items], page.total_count)

        return read_all_pages(fetch, lambda key: key)

    # -- flag links -------------------------------------------------------------------------

    def list_flag_links(self, project_key: str, flag_key: str) -> list[FlagLink]:
        collection = self._call(
            "GET",
            _FLAG_LINKS,
            FlagLinkCollection,
            segments={"project_key": project_key, "flag_key": flag_key},
            not_found_hint=_flag_hint(project_key, flag_key),
        )
        return collection.items

    def create_flag_link(self, project_key: str, flag_key: str, link: FlagLinkPost) -> FlagLink:
        return self._call(
            "POST",
            _FLAG_LINKS,
            FlagLink,
            segments={"project_key": project_key, "flag_key": flag_key},
            json=link.to_json_body(),
            expected=(201,),
            not_found_hint=_flag_hint(project_key, flag_key),
        )

    def update_flag_link(
        self,
        project_key: str,
        flag_key: str,
        link_id: str,
        operations: list[JsonPatchOperation],
    ) -> FlagLink:
        return self._call(
            "PATCH",
            _FLAG_LINKS + "/{link_id}",
            FlagLink,
            segments={"project_key": project_key, "flag_key": flag_key, "link_id": link_id},
            json=[operation.to_json_body() for operation in operations],
            not_found_hint=_flag_link_hint(project_key, flag_key, link_id),
        )

    def delete_flag_link(self, project_key: str, flag_key: str, link_id: str) -> None:
        self._call_no_content(
            "DELETE",
            _FLAG_LINKS + "/{link_id}",
            segments={"project_key": project_key, "flag_key": flag_key, "link_id": link_id},
            not_found_hint=_flag_link_hint(project_key, flag_key, link_id),
        )

    # -- views: the View resource's calls ---------------------------------------------------

    def post_view(self, project_key: str, view: ViewPost) -> View:
        """Create a view from a full `ViewPost`; a view with that key answers 409. Not repeated
        on a 5xx or a lost answer: the caller looks (GET) before it creates again."""
        return self._call(
            "POST",
            _VIEWS,
            View,
            segments={"project_key": project_key},
            json=view.to_json_body(),
            not_found_hint=f"Check that project '{project_key}' exists.",
        )

    def update_view(self, project_key: str, view_key: str, patch: ViewPatch) -> View:
        """Replace the fields set in `patch` (a plain JSON object, not JSON Patch). Repeating it
        sets the same values again, so it is retried like a GET."""
        return self._call(
            "PATCH",
            _VIEW,
            View,
            segments={"project_key": project_key, "view_key": view_key},
            json=patch.to_json_body(),
            not_found_hint=_view_hint(project_key, view_key),
            idempotent=True,
        )

    def get_view_expanded(self, project_key: str, view_key: str, expand: Iterable[str]) -> View:
        """GET a view with `expand` (e.g. `flagsSummary`), sent comma-separated as documented."""
        return self._call(
            "GET",
            _VIEW,
            View,
            segments={"project_key": project_key, "view_key": view_key},
            params={"expand": ",".join(expand)},
            not_found_hint=_view_hint(project_key, view_key),
        )


def _view_hint(project_key: str, view_key: str) -> str:
    return (
        f"Check that view '{view_key}' exists in project '{project_key}' "
        "(LaunchDarkly stores view keys in lowercase)."
    )


def _flag_hint(project_key: str, flag_key: str) -> str:
    return f"Check that flag '{flag_key}' exists in project '{project_key}'."


def _flag_link_hint(project_key: str, flag_key: str, link_id: str) -> str:
    return (
        f"Check that flag '{flag_key}' in project '{project_key}' still has a link "
        f"with ID '{link_id}'."
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
