"""The flag `filter` syntax of `GET /api/v2/flags/{projectKey}` and of view link bodies.

LaunchDarkly documents it as comma-separated `field:value` clauses, all of which must hold (AND).
Within a value only `+` is documented, and it means *all of* (`tags:beta+test` is a flag with both
tags); no OR operator is documented for flags, so a `|` in a value is refused rather than read as
a literal. The fields the emulator models:

    query:TEXT                 TEXT in the key or name, ignoring case
    tags:A+B                   has every listed tag
    maintainerId:ID            maintained by this member
    maintainerTeamKey:KEY      maintained by this team
    type:temporary|permanent   (one of the two words)
    state:live|deprecated|archived
    archived:true|false        (deprecated by LaunchDarkly in favour of state)
    creationDate:{"before":MS} created before MS (Unix ms); `before` may be left out
    key:KEY / name:NAME        exactly this key / name
    view:VIEW_KEY              linked to this view
    status:new|inactive|active|launched   per environment, so it needs filterEnv:ENV_KEY
    filterEnv:ENV_KEY          the environment of environment-specific filters

Archived flags only appear when the filter names `archived` or `state` (the list's documented
default). Any other field LaunchDarkly lists answers 400 "not supported by the emulator", a field
it does not list answers 400 "unknown", and the fields API version 20240415 removed from the flag
list (`status`, `followerId`, `hasDataExport`, `contextKindTargeted`, `segmentTargeted`) answer
400 there while view link filters (which list them) accept the ones modelled. Never a silent
match-all: every refusal names the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from .errors import filter_field_error as field_error
from .errors import filter_syntax_error as syntax_error

Record = dict[str, Any]
# "list": GET /api/v2/flags (API version 20240415); "views": link/unlink bodies and /linked.
Where = Literal["list", "views"]


@dataclass(frozen=True)
class FlagScope:
    """What a test may look at besides the flag: its project and the filter's environment."""

    project: Record
    env_key: str | None


FlagTest = Callable[[Record, FlagScope], bool]

# The fields of the getFeatureFlags description table.
LIST_FIELDS = frozenset(
    {
        "applicationEvaluated", "archived", "contextKindsEvaluated", "codeReferences.max",
        "codeReferences.min", "creationDate", "evaluated", "filterEnv", "guardedRollout",
        "hasExperiment", "maintainerId", "maintainerTeamKey", "query", "releasePipeline", "state",
        "sdkAvailability", "tags", "type",
    }
)  # fmt: skip
# The flag fields of ViewLinkRequestKeys/ViewLinkRequestFilter `filter`.
VIEW_LINK_FIELDS = frozenset(
    {
        "query", "tags", "maintainerId", "maintainerTeamKey", "type", "status", "state",
        "staleState", "sdkAvailability", "targeting", "hasExperiment", "hasDataExport",
        "evaluated", "creationDate", "contextKindTargeted", "contextKindsEvaluated", "filterEnv",
        "segmentTargeted", "codeReferences.min", "codeReferences.max", "excludeSettings",
        "releasePipeline", "applicationEvaluated", "purpose", "guardedRollout", "view", "key",
        "name", "archived", "followerId",
    }
)  # fmt: skip
# API version 20240415 changelog: "no longer available" on the flag list.
REMOVED_FROM_LIST = frozenset(
    {"followerId", "hasDataExport", "status", "contextKindTargeted", "segmentTargeted"}
)
FLAG_STATUSES = ("new", "inactive", "active", "launched")
_STATES = ("live", "deprecated", "archived")


@dataclass(frozen=True)
class FlagFilter:
    """A parsed flag filter: every test must hold; `filter_env` is checked against a project."""

    tests: tuple[FlagTest, ...]
    filter_env: str | None
    names_archived: bool  # mentions archived/state, so archived flags are not hidden
    needs_env: str | None  # the first environment-specific field, if any

    def select(self, project: Record, flags: list[Record]) -> list[Record]:
        if self.filter_env is not None and self.filter_env not in project["environments"]:
            raise field_error(
                "filterEnv", f"names no environment '{self.filter_env}' of '{project['key']}'"
            )
        scope = FlagScope(project, self.filter_env)
        return [
            flag
            for flag in flags
            if (self.names_archived or not flag.get("archived", False))
            and all(test(flag, scope) for test in self.tests)
        ]


NO_FILTER = FlagFilter((), None, False, None)


def parse_flag_filter(text: str | None, where: Where) -> FlagFilter:
    """Parse `text` (None or blank: no filter); raise a 400 ApiError naming what is wrong."""
    if text is None or not text.strip():
        return NO_FILTER
    tests: list[FlagTest] = []
    filter_env: str | None = None
    names_archived = False
    needs_env: str | None = None
    for clause in split_clauses(text):
        field, sep, value = clause.partition(":")
        field, value = field.strip(), value.strip()
        if not sep or not field:
            raise syntax_error(text, f"clause {clause!r} is not field:value")
        _check_field(field, where)
        if not value:
            raise field_error(field, "needs a value")
        if field == "filterEnv":
            if filter_env is not None and filter_env != value:
                raise field_error("filterEnv", "is given twice with different environments")
            filter_env = _single(field, value)
            continue
        names_archived = names_archived or field in ("archived", "state")
        if field == "status":
            needs_env = needs_env or field
        tests.append(_FIELD_PARSERS[field](field, value))
    if needs_env and filter_env is None:
        raise field_error(needs_env, "is environment-specific: add filterEnv:<environment key>")
    return FlagFilter(tuple(tests), filter_env, names_archived, needs_env)


def split_clauses(text: str) -> list[str]:
    """Split on top-level commas: a JSON value such as creationDate's may hold commas."""
    clauses: list[str] = []
    depth, start, quoted, escaped = 0, 0, False, False
    for index, char in enumerate(text):
        if quoted:
            escaped, quoted = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            quoted = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        elif char == "," and depth == 0:
            clauses.append(text[start:index])
            start = index + 1
    if quoted or depth != 0:
        raise syntax_error(text, "unbalanced quotes or brackets")
    clauses.append(text[start:])
    return [c.strip() for c in clauses]


def _check_field(field: str, where: Where) -> None:
    if where == "list" and field in REMOVED_FROM_LIST:
        raise field_error(
            field,
            "is no longer available on the flag list (API version 20240415); "
            "LaunchDarkly still lists it for view link filters",
        )
    documented = LIST_FIELDS | VIEW_LINK_FIELDS
    if field not in documented:
        hint = " (did you mean key?)" if field == "keys" else ""
        raise field_error(field, f"is unknown for flags{hint}; fields: {supported_fields()}")
    if field not in _FIELD_PARSERS and field != "filterEnv":
        raise field_error(
            field,
            "is documented by LaunchDarkly but not supported by the emulator; supported: "
            + supported_fields(),
        )


def supported_fields() -> str:
    return ", ".join(sorted({*_FIELD_PARSERS, "filterEnv"}))


def _single(field: str, value: str) -> str:
    """One plain token: LaunchDarkly documents no OR for flag filters, so `|` is refused."""
    if "|" in value:
        raise field_error(
            field, "does not take '|': no OR is documented for flag filters (use two requests)"
        )
    if "+" in value or any(c.isspace() for c in value):
        raise field_error(field, f"takes one value, got {value!r}")
    return value


def _one_of(field: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise field_error(field, f"must be one of {', '.join(allowed)}; got {value!r}")
    return value


# -- one parser per field: value text -> test ----------------------------------------------------
def _query(field: str, value: str) -> FlagTest:
    needle = value.lower()
    return lambda flag, _: needle in flag["key"].lower() or needle in flag["name"].lower()


def _tags(field: str, value: str) -> FlagTest:
    if "|" in value:
        raise field_error(
            field, "takes '+'-separated tags, all of which must be present; '|' is not documented"
        )
    wanted = value.split("+")
    for tag in wanted:
        if not tag or any(c.isspace() for c in tag):
            raise field_error(
                field,
                f"has an empty or blank tag in {value!r} (a '+' in a URL must be sent as %2B)",
            )
    return lambda flag, _: all(tag in flag.get("tags", []) for tag in wanted)


def _exact(record_field: str) -> Callable[[str, str], FlagTest]:
    def parse(field: str, value: str) -> FlagTest:
        wanted = _single(field, value)
        return lambda flag, _: flag.get(record_field) == wanted

    return parse


def _name(field: str, value: str) -> FlagTest:
    return lambda flag, _: flag["name"] == value


def _type(field: str, value: str) -> FlagTest:
    temporary = _one_of(field, value, ("temporary", "permanent")) == "temporary"
    return lambda flag, _: bool(flag.get("temporary", True)) == temporary


def flag_state(flag: Record) -> str:
    if flag.get("archived", False):
        return "archived"
    return "deprecated" if flag.get("deprecated", False) else "live"


def _state(field: str, value: str) -> FlagTest:
    wanted = _one_of(field, value, _STATES)
    return lambda flag, _: flag_state(flag) == wanted


def _archived(field: str, value: str) -> FlagTest:
    wanted = _one_of(field, value, ("true", "false")) == "true"
    return lambda flag, _: bool(flag.get("archived", False)) == wanted


def _creation_date(field: str, value: str) -> FlagTest:
    try:
        window = json.loads(value)
    except ValueError:
        window = None
    if not isinstance(window, dict):
        raise field_error(
            field, f'must be a JSON object such as {{"before":1690527600000}}; got {value!r}'
        )
    unknown = set(window) - {"before"}
    if unknown:
        raise field_error(field, f"takes only 'before' (Unix ms); got {', '.join(sorted(unknown))}")
    before = window.get("before")
    if before is None:
        return lambda flag, _: True
    if isinstance(before, bool) or not isinstance(before, int):
        raise field_error(field, f"'before' must be Unix time in milliseconds; got {before!r}")
    return lambda flag, _: int(flag["createdAt"]) < before


def _view(field: str, value: str) -> FlagTest:
    view_key = _single(field, value).lower()

    def linked(flag: Record, scope: FlagScope) -> bool:
        view = scope.project["views"].get(view_key)
        return view is not None and flag["key"] in view["links"].get("flags", {})

    return linked


def _status(field: str, value: str) -> FlagTest:
    # A flag's status is per environment: parse_flag_filter insists on filterEnv.
    wanted = _one_of(field, value, FLAG_STATUSES)
    return lambda flag, scope: flag_status(flag, scope.env_key or "") == wanted


def flag_status(flag: Record, env_key: str) -> str:
    """The flag's status in one environment (stored per environment; "new" when not seeded)."""
    return str(flag.get("statuses", {}).get(env_key, "new"))


_FIELD_PARSERS: dict[str, Callable[[str, str], FlagTest]] = {
    "query": _query,
    "tags": _tags,
    "maintainerId": _exact("maintainerId"),
    "maintainerTeamKey": _exact("maintainerTeamKey"),
    "type": _type,
    "state": _state,
    "archived": _archived,
    "creationDate": _creation_date,
    "key": _exact("key"),
    "name": _name,
    "view": _view,
    "status": _status,
}
