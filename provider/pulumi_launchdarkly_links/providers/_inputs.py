"""Checks shared by both providers: LaunchDarkly keys, URLs, timestamps and preview unknowns.

Each check returns an error message (naming the input, the bad value and what to do) or None,
so `check()` can collect every problem of a resource in one preview instead of stopping at the
first one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from pulumi.output import Unknown, contains_unknowns

if TYPE_CHECKING:
    from rfc3986 import validators as uri_validators

# LaunchDarkly keys: letters, digits, '.', '_' and '-', starting with a letter or digit.
_KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
KEY_MAX_LENGTH = 256


def is_unknown(value: Any) -> bool:
    """True for a value Pulumi does not know yet (preview of an Output from another resource)."""
    return isinstance(value, Unknown) or contains_unknowns(value)


def without_engine_keys(props: Mapping[str, Any]) -> dict[str, Any]:
    """Drop the engine's own keys (`__provider`) so they never take part in a diff or a plan."""
    return {name: value for name, value in props.items() if not name.startswith("__")}


def key_problem(input_name: str, value: Any, *, kind: str = "key") -> str | None:
    if isinstance(value, Unknown):
        return None
    if not isinstance(value, str):
        return f"{input_name} must be a string {kind}, got {type(value).__name__} {value!r}"
    if not value:
        return f"{input_name} must not be empty"
    if len(value) > KEY_MAX_LENGTH:
        return f"{input_name} {value[:40]!r}... is longer than {KEY_MAX_LENGTH} characters"
    if not _KEY_PATTERN.match(value):
        return (
            f"{input_name} {value!r} is not a valid LaunchDarkly {kind}: use letters, digits, "
            "'.', '_' and '-', starting with a letter or digit"
        )
    return None


def key_list_problems(input_name: str, value: Any, *, kind: str = "key") -> list[str]:
    """Problems with an optional list of keys (a string where a list belongs is one)."""
    if value is None or isinstance(value, Unknown):
        return []
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        return [
            f"{input_name} must be a list of {kind}s, got {type(value).__name__} {value!r}; "
            f"write {input_name}=[{value!r}] for a single one"
        ]
    problems = []
    for index, item in enumerate(value):
        problem = key_problem(f"{input_name}[{index}]", item, kind=kind)
        if problem:
            problems.append(problem)
    return problems


# RFC 3986 checks by a maintained parser: a space in the host, a missing host or a scheme other
# than http(s) are refused at preview instead of by LaunchDarkly (or never). Built on first use:
# only links have URLs, and the parser costs every process that imports this module 20-30 ms.
@cache
def _http_url_validator() -> uri_validators.Validator:
    from rfc3986 import validators as uri_validators

    return (
        uri_validators.Validator()
        .allow_schemes("http", "https")
        .require_presence_of("scheme", "host")
        .check_validity_of("scheme", "host", "port", "path", "query", "fragment")
    )


def http_url_problem(input_name: str, value: Any) -> str | None:
    example = "https://jira.example.com/browse/CHK-1"
    if isinstance(value, Unknown):
        return None
    if not isinstance(value, str) or not value:
        return f"{input_name} must be an absolute http(s) URL such as {example}"
    import rfc3986
    from rfc3986 import exceptions as uri_errors

    try:
        reference = rfc3986.uri_reference(value)
        _http_url_validator().validate(reference)
    except (uri_errors.ValidationError, uri_errors.RFC3986Exception):
        reference = None
    if reference is None or not reference.host or any(c.isspace() for c in value):
        return (
            f"{input_name} {value!r} is not an absolute http(s) URL (a scheme, a host without "
            f"spaces, a percent-encoded path); write it like {example}"
        )
    return None


def parse_timestamp_ms(value: Any) -> int:
    """Unix milliseconds from an int (ms) or an RFC 3339 string; ValueError names what is wrong."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is a boolean, not a timestamp")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"{value!r} is negative")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"{value!r} is neither Unix milliseconds nor an RFC 3339 time "
                "such as 2026-11-23T19:30:00Z"
            ) from None
        if parsed.tzinfo is None:
            raise ValueError(f"{value!r} has no time zone; add one, e.g. 'Z' for UTC")
        return int(parsed.timestamp() * 1000)
    raise ValueError(f"{value!r} is a {type(value).__name__}, not a timestamp")
