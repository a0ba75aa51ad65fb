"""Validate recorded emulator exchanges against LaunchDarkly's official OpenAPI spec.

Policy, for each exchange:
* A request the spec calls invalid must be refused (4xx); tests send such requests on purpose
  (missing beta header, bad token, malformed body, ...).
* A request the spec accepts must not be refused, unless the refusal is one of the named
  REFUSALS below: a reason the spec cannot see (an unknown token, a missing resource, a rate
  limit, a rule stated only in the spec's prose, a limit the emulator simulates).
* Every answer must match the spec. A named deviation excuses exactly one thing and nothing
  else: DEVIATING_FIELDS rewrite the deviating value to one the spec knows and the rewritten
  exchange is validated in full; UNDOCUMENTED_STATUSES accept a status the operation does not
  document, and its body is then validated against the spec's own error schema for that status.
* An injected fault replaces the answer, so the answer is not checked, but it must be the
  status the fault names; the request is checked all the same.

test_spec_conformance.py checks each deviation and refusal against the spec itself.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_schema_validator import OAS30Validator
from werkzeug.datastructures import Headers, ImmutableMultiDict

from pulumi_launchdarkly_links.emulator.runtime import Exchange

SPEC_HOST = "https://app.launchdarkly.com"
VIEW_ROUTES = "/api/v2/projects/{projectKey}/view"
FLAG_LINK_ROUTES = "/api/v2/flag-links/"
UNKNOWN_STATUS = "Unknown response http status"


def spec_path() -> Path:
    env = os.environ.get("LD_OPENAPI_SPEC")
    if env:
        return Path(env)
    return Path(__file__).with_name("launchdarkly-openapi-subset.yaml")  # scripts/spec-subset


@functools.lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    """The spec as a plain dict, parsed once per session (C loader when available)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(spec_path(), encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)  # type: ignore[no-any-return]  # noqa: S506 - safe


@functools.lru_cache(maxsize=1)
def load_openapi() -> OpenAPI:
    """The spec for openapi-core (meta-validation of the 3 MB document skipped)."""
    return OpenAPI.from_dict(load_spec(), config=Config(spec_validator_cls=None))


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


def json_body(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def error_code(ex: Exchange) -> str | None:
    body = json_body(ex.response_body)
    return body.get("code") if isinstance(body, dict) else None


def error_message(ex: Exchange) -> str:
    body = json_body(ex.response_body)
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) else ""


def schema_errors(component: str, raw: bytes, content_type: str) -> list[str]:
    """Errors of a body against `#/components/schemas/<component>` (a flat schema, no refs)."""
    if not content_type.startswith("application/json"):
        return [f"content-type {content_type!r} is not application/json ({component})"]
    body = json_body(raw)
    if body is None:
        return [f"body is not JSON ({component}): {raw[:200]!r}"]
    schema = load_spec()["components"]["schemas"][component]
    return [f"{component}: {error.message}" for error in OAS30Validator(schema).iter_errors(body)]


# -- deviating fields: a value the spec does not know, rewritten to one it does ------------------
@dataclass(frozen=True)
class DeviatingField:
    """One value the emulator uses that the spec lacks. `rewrite` swaps exactly that value for
    `substitute` (a value the spec lists in the same place) and leaves the rest to validation;
    it returns None where the deviation does not apply."""

    name: str
    why: str
    rewrite: Callable[[Exchange], Exchange | None]
    # (path-parameter value, response `resourceType` value) and what replaces each.
    values: tuple[str, str]
    substitutes: tuple[str, str]


_METRICS_PATH = re.compile(r"(/(?:link|linked|view-associations)/)metrics(/|$)")


def _replace_resource_type(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {
            key: new
            if key == "resourceType" and item == old
            else _replace_resource_type(item, old, new)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_replace_resource_type(item, old, new) for item in value]
    return value


def _metrics_as_ai_configs(ex: Exchange) -> Exchange | None:
    if not ex.path.startswith("/api/v2/projects/") or not _METRICS_PATH.search(ex.path):
        return None
    path = _METRICS_PATH.sub(r"\1aiConfigs\2", ex.path)
    body = json_body(ex.response_body)
    response_body = ex.response_body
    if body is not None:
        response_body = json.dumps(_replace_resource_type(body, "metric", "aiConfig")).encode()
    return dataclasses.replace(ex, path=path, response_body=response_body)


METRICS = DeviatingField(
    name="metrics-resource-type",
    why=(
        "resourceType `metrics` (items `metric`) is in specs v18-v21 and the docs page but not "
        "in v23; checked as `aiConfigs` / `aiConfig`, which take the same `keys` body"
    ),
    rewrite=_metrics_as_ai_configs,
    values=("metrics", "metric"),
    substitutes=("aiConfigs", "aiConfig"),
)
DEVIATING_FIELDS: tuple[DeviatingField, ...] = (METRICS,)


# -- undocumented statuses: the body must still be the spec's error schema for the status ------
@dataclass(frozen=True)
class UndocumentedStatus:
    """A status the emulator answers where the operation's responses do not list it."""

    name: str
    why: str
    status: int
    component: str  # the spec's schema for this status's body
    applies: Callable[[Exchange], bool] = field(default=lambda ex: True)
    # (method, spec path) pairs known to miss the status; test_spec_conformance checks them.
    examples: tuple[tuple[str, str], ...] = ()


UNDOCUMENTED_STATUSES: tuple[UndocumentedStatus, ...] = (
    UndocumentedStatus(
        "undocumented-status",
        "auth applies to every route; the Views and AI Config operations document no 401",
        401,
        "UnauthorizedErrorRep",
        examples=(
            ("post", "/api/v2/projects/{projectKey}/views/{viewKey}/link/{resourceType}"),
            ("get", "/api/v2/projects/{projectKey}/ai-configs"),
        ),
    ),
    UndocumentedStatus(
        "undocumented-status",
        "rate limits apply to every route; the Views, AI Config, getSegments and getMetrics "
        "operations document no 429",
        429,
        "RateLimitedErrorRep",
        examples=(
            ("post", "/api/v2/projects/{projectKey}/views/{viewKey}/link/{resourceType}"),
            ("get", "/api/v2/projects/{projectKey}/ai-configs"),
            ("get", "/api/v2/segments/{projectKey}/{environmentKey}"),
            ("get", "/api/v2/metrics/{projectKey}"),
        ),
    ),
    UndocumentedStatus(
        "undocumented-status",
        "listing the links of an unknown flag or project finds nothing: getFlagLinks has no 404",
        404,
        "NotFoundErrorRep",
        applies=lambda ex: ex.method == "GET" and (ex.route or "").startswith(FLAG_LINK_ROUTES),
        examples=(("get", "/api/v2/flag-links/projects/{projectKey}/flags/{featureFlagKey}"),),
    ),
    UndocumentedStatus(
        "undocumented-status",
        "getSegments documents no 400, yet its prose lists the filter fields and operators; a "
        "filter that does not parse, or names a field or operator it does not list, answers 400",
        400,
        "InvalidRequestErrorRep",
        applies=lambda ex: (
            ex.method == "GET" and ex.route == "/api/v2/segments/{projectKey}/{environmentKey}"
        ),
        examples=(("get", "/api/v2/segments/{projectKey}/{environmentKey}"),),
    ),
    UndocumentedStatus(
        "create-conflict-409",
        "creating a view or flag link whose key exists answers 409 (LaunchDarkly's own code "
        "expects it for flag links); createView and createFlagLink document no 409",
        409,
        "StatusConflictErrorRep",
        applies=lambda ex: (
            ex.method == "POST" and (ex.route or "").startswith((FLAG_LINK_ROUTES, VIEW_ROUTES))
        ),
        examples=(
            ("post", "/api/v2/projects/{projectKey}/views"),
            ("post", "/api/v2/flag-links/projects/{projectKey}/flags/{featureFlagKey}"),
        ),
    ),
)


def undocumented_status_of(ex: Exchange) -> UndocumentedStatus | None:
    for entry in UNDOCUMENTED_STATUSES:
        if entry.status == ex.status and entry.applies(ex):
            return entry
    return None


# -- refusals: a request the spec accepts, refused for a reason the spec cannot see ------------
BETA_PREFIXES = ("/api/v2/flag-links/",)


@dataclass(frozen=True)
class Refusal:
    """Why the emulator may answer `status` with error `code` to a request the spec accepts.
    `message` (a regex searched in the error message) pins 400s to one rule each."""

    name: str
    why: str
    status: int
    code: str
    message: str = ""
    applies: Callable[[Exchange], bool] = field(default=lambda ex: True)

    def explains(self, ex: Exchange) -> bool:
        return (
            ex.status == self.status
            and error_code(ex) == self.code
            and re.search(self.message, error_message(ex)) is not None
            and self.applies(ex)
        )


REFUSALS: tuple[Refusal, ...] = (
    Refusal(
        "unknown-token",
        "the spec only asks that an Authorization header be sent, not that the token be valid",
        401,
        "unauthorized",
    ),
    Refusal(
        "beta-header-missing",
        "the flag-link operations declare no LD-API-Version header, but their tag requires "
        "`LD-API-Version: beta` and a beta resource called without it answers 403",
        403,
        "forbidden",
        "beta",
        applies=lambda ex: (
            ex.path.startswith(BETA_PREFIXES) and ex.headers.get("ld-api-version") != "beta"
        ),
    ),
    Refusal(
        "not-found",
        "the project, view, flag, environment, segment or link named in the path does not exist",
        404,
        "not_found",
        r"not found",
        # Only on a route the emulator serves: a 404 from its router means a missing route.
        applies=lambda ex: ex.route is not None,
    ),
    Refusal("conflict", "the key is taken", 409, "conflict", "already exists"),
    Refusal("rate-limited", "the route or global budget is spent", 429, "rate_limited"),
    Refusal(
        "link-batch-max",
        "the emulator simulates a per-request key limit (knob link_batch_max); LaunchDarkly's is "
        "unpublished (docs §1.3: 10 or 20)",
        400,
        "invalid_request",
        r"^too many (keys|segmentIdentifiers): at most \d+ per request",
    ),
    Refusal(
        "rejected-resource-type",
        "the emulator simulates a tenant without a resource type (knob reject_resource_types; "
        "docs §1.1: aiConfigs and metrics come and go between spec versions)",
        400,
        "invalid_request",
        r"^resourceType \w+ is not supported$",
    ),
    Refusal(
        "members-of-another-type",
        "ViewLinkRequest's oneOf does not tie the body to resourceType; the emulator takes "
        "`keys` for flags, AI configs and metrics and `segmentIdentifiers` for segments only",
        400,
        "invalid_request",
        r"^unknown fields for \w+: (keys|segmentIdentifiers)$",
    ),
    Refusal(
        "filter-syntax",
        "`filter` is a free string to the spec; one that does not parse (flag field:value, "
        "segment queryfilter), or a filter on a resource type the docs do not filter (only flags "
        "and segments), is refused",
        400,
        "invalid_request",
        r"^invalid filter ",
    ),
    Refusal(
        "filter-field",
        "the spec's prose lists the filter fields with their operators and values; a field, "
        "operator or value it does not document, or that the emulator does not model, answers "
        "400 naming the field rather than matching everything",
        400,
        "invalid_request",
        r"^filter field '[^']+' ",
    ),
    Refusal(
        "segment-filter-needs-environment",
        "ViewLinkRequestFilter / ViewLinkRequestSegmentIdentifiers and getLinkedResources prose: "
        "environmentId is required when filter is used for segment resources",
        400,
        "invalid_request",
        r"^environmentId is required when filter is used for segments$",
    ),
    Refusal(
        "one-maintainer",
        "ViewPost/ViewPatch prose: only one of maintainerId and maintainerTeamKey may be set",
        400,
        "invalid_request",
        r"^only one of maintainerId and maintainerTeamKey may be set$",
    ),
    Refusal(
        "segment-associations-need-environment",
        "getLinkedViews prose: environmentId is required when resourceType is segments",
        400,
        "invalid_request",
        r"^environmentId is required when resourceType is segments$",
    ),
    Refusal(
        "flag-link-needs-deep-link",
        "flagLinkPost marks no field required, but a flag link answer always has `_deepLink`: "
        "a URL link (no integrationKey) needs one",
        400,
        "invalid_request",
        r"^deepLink is required for a URL flag link \(no integrationKey\)$",
    ),
    Refusal(
        "flag-link-patch-paths",
        "updateFlagLink documents JSON Patch on /title only; the emulator allows /title and "
        "/description and the ops add, replace and remove",
        400,
        "invalid_request",
        r"(cannot be patched; allowed: /title, /description|is not supported for path)",
    ),
)


def refusal_of(ex: Exchange) -> Refusal | None:
    for refusal in REFUSALS:
        if refusal.explains(ex):
            return refusal
    return None


# -- the check ---------------------------------------------------------------------------------
@dataclass
class Problem:
    exchange: Exchange
    kind: str
    errors: list[str]

    def __str__(self) -> str:
        ex = self.exchange
        return f"{ex.method} {ex.path}?{ex.query} -> {ex.status} [{self.kind}]: {self.errors}"


@dataclass
class Verdict:
    problems: list[Problem]
    deviations: list[str]  # names of the deviations that excused something
    refusal: str | None  # the named refusal of a request the spec accepts


def _fault_errors(ex: Exchange) -> list[str]:
    kind = (ex.fault or "").split("-", 1)[0]
    expected = 200 if kind == "drop" else int(kind) if kind.isdigit() else None
    if expected is None or ex.status != expected:
        return [f"injected fault {ex.fault!r} answered {ex.status}"]
    return []


def examine(ex: Exchange) -> Verdict:
    verdict = Verdict([], [], None)
    checked = ex
    for deviation in DEVIATING_FIELDS:
        rewritten = deviation.rewrite(checked)
        if rewritten is not None:
            checked = rewritten
            verdict.deviations.append(deviation.name)

    invalid_request = request_errors(checked)
    refused = 400 <= ex.status < 500
    if invalid_request and not refused:
        verdict.problems.append(Problem(ex, "request", invalid_request))
    elif not invalid_request and refused:
        refusal = refusal_of(ex)
        if refusal is None:
            verdict.problems.append(
                Problem(
                    ex,
                    "refused",
                    [f"the spec accepts this request; refused: {ex.response_body[:300]!r}"],
                )
            )
        else:
            verdict.refusal = refusal.name

    if ex.fault is not None:
        verdict.deviations.append("injected-fault")
        fault = _fault_errors(ex)
        if fault:
            verdict.problems.append(Problem(ex, "fault", fault))
    elif ex.status:
        answer = response_errors(checked)
        undocumented = undocumented_status_of(ex)
        if undocumented is not None and any(UNKNOWN_STATUS in e for e in answer):
            verdict.deviations.append(undocumented.name)
            content_type = ex.response_headers.get("content-type", "")
            answer = schema_errors(undocumented.component, ex.response_body, content_type)
        if answer:
            verdict.problems.append(Problem(ex, "response", answer))
    return verdict


def check_exchange(ex: Exchange) -> tuple[list[Problem], str | None]:
    """The unexplained problems, and the names of the deviations that excused anything else."""
    verdict = examine(ex)
    return verdict.problems, "+".join(verdict.deviations) or None
