"""Validate recorded emulator exchanges against LaunchDarkly's official OpenAPI spec.

Policy:
* A request the spec calls invalid is fine only if the emulator rejected it (4xx); tests send
  such requests on purpose (missing beta header, bad token, malformed body, ...).
* Every response must match the spec, except for the named KNOWN_DEVIATIONS below, each of which
  is asserted to still be a deviation by test_spec_conformance.py.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from pulumi_launchdarkly_links.emulator.runtime import Exchange

SPEC_HOST = "https://app.launchdarkly.com"
VIEW_ROUTES = "/api/v2/projects/{projectKey}/view"
FLAG_LINK_ROUTES = "/api/v2/flag-links/"


def spec_path() -> Path:
    env = os.environ.get("LD_OPENAPI_SPEC")
    if env:
        return Path(env)
    return Path(__file__).parents[2] / ".." / "shared" / "launchdarkly" / "openapi.yaml"


@functools.lru_cache(maxsize=1)
def load_openapi() -> OpenAPI:
    """Parse the 3 MB spec once per session (C loader when available; skip meta-validation)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(spec_path(), encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=loader)  # noqa: S506 - safe loader
    return OpenAPI.from_dict(data, config=Config(spec_validator_cls=None))


@dataclass
class SpecRequest:
    """openapi-core Request protocol over a recorded exchange, rebased on the spec's server."""

    exchange: Exchange

    def __post_init__(self) -> None:
        ex = self.exchange
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(ex.query, keep_blank_values=True)),
            header=Headers(list(ex.headers.items())),
            cookie=ImmutableMultiDict(),
        )

    host_url = SPEC_HOST

    @property
    def path(self) -> str:
        return self.exchange.path

    @property
    def method(self) -> str:
        return self.exchange.method.lower()

    @property
    def body(self) -> bytes | None:
        return self.exchange.body or None

    @property
    def content_type(self) -> str:
        return self.exchange.headers.get("content-type", "application/json").lower()


@dataclass
class SpecResponse:
    exchange: Exchange

    @property
    def status_code(self) -> int:
        return self.exchange.status

    @property
    def content_type(self) -> str:
        return self.exchange.response_headers.get("content-type", "").lower()

    @property
    def headers(self) -> Headers:
        return Headers(list(self.exchange.response_headers.items()))

    @property
    def data(self) -> bytes | None:
        return self.exchange.response_body or None


def _errors(it: object) -> list[str]:
    out = []
    for err in it:  # type: ignore[attr-defined]
        detail = "; ".join(str(s) for s in getattr(err, "schema_errors", []) or [])
        cause = err.__cause__
        if not detail and cause is not None:
            detail = "; ".join(str(s) for s in getattr(cause, "schema_errors", []) or [cause])
        out.append(f"{type(err).__name__}: {err}" + (f" ({detail[:500]})" if detail else ""))
    return out


def request_errors(ex: Exchange) -> list[str]:
    return _errors(load_openapi().iter_request_errors(SpecRequest(ex)))


def response_errors(ex: Exchange) -> list[str]:
    return _errors(load_openapi().iter_response_errors(SpecRequest(ex), SpecResponse(ex)))


# -- known deviations: (name, does this exchange fall under it?) --------------------------------
def _undocumented_status(ex: Exchange) -> bool:
    # Auth and rate limiting apply to every route, but the Views operations document neither
    # 401 nor 429 (only 400/403/404/500), and flag-link GET documents no 404.
    return ex.status in (401, 429) or (
        ex.status == 404 and ex.method == "GET" and (ex.route or "").startswith(FLAG_LINK_ROUTES)
    )


KNOWN_DEVIATIONS: dict[str, Callable[[Exchange], bool]] = {
    # resourceType `metrics` is in specs v18-v21 and the docs page but not in v23.
    "metrics-resource-type": lambda ex: (
        "/link/metrics" in ex.path
        or "/linked/metrics" in ex.path
        or "/view-associations/metrics/" in ex.path
    ),
    # Creating a view or flag link whose key exists answers 409 (LaunchDarkly's own code expects
    # it for flag links); createView documents no 409, createFlagLink neither (PATCH does).
    "create-conflict-409": lambda ex: (
        ex.method == "POST"
        and ex.status == 409
        and (ex.route or "").startswith((FLAG_LINK_ROUTES, VIEW_ROUTES))
    ),
    "undocumented-status": _undocumented_status,
    # Injected 5xx / dropped connections are never in the spec.
    "injected-fault": lambda ex: ex.fault is not None,
}


@dataclass
class Problem:
    exchange: Exchange
    kind: str
    errors: list[str]

    def __str__(self) -> str:
        ex = self.exchange
        return f"{ex.method} {ex.path}?{ex.query} -> {ex.status} [{self.kind}]: {self.errors}"


def deviation_of(ex: Exchange) -> str | None:
    for name, matches in KNOWN_DEVIATIONS.items():
        if matches(ex):
            return name
    return None


def check_exchange(ex: Exchange) -> tuple[list[Problem], str | None]:
    """Return the unexplained problems and the deviation name that excused any others."""
    problems: list[Problem] = []
    req = request_errors(ex)
    if req and not 400 <= ex.status < 500:
        problems.append(Problem(ex, "request", req))
    if ex.fault is None and ex.status:
        resp = response_errors(ex)
        if resp:
            problems.append(Problem(ex, "response", resp))
    if not problems:
        return [], None
    name = deviation_of(ex)
    return ([], name) if name else (problems, None)
