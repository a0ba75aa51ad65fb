"""Membership by filter, the pure part: matches as members, and the maps a preview shows.

A filter (`flag_filter`, `segment_filter`) stays declarative: its matches are wanted members
like the listed ones, re-resolved by every create, update and refresh. The resource owns a
match only if it linked it itself (`*_filter_linked`); a flag someone else had already linked
that also matches stays theirs when it stops matching.

Checked inputs keep the matches as a map member -> status, so that after a refresh the engine's
diff of inputs names each member: `"not linked" => "linked"` for a new match, and a removed
`"no longer matches"` entry for a member the filter dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .membership_plan import (
    FILTER_INPUTS,
    FILTER_LINKED,
    LINKED,
    MATCHES_INPUTS,
    NO_LONGER_MATCHES,
    NOT_LINKED,
    Member,
)


def filter_of(props: Mapping[str, Any] | None, input_name: str) -> str | None:
    if not props or input_name not in FILTER_INPUTS:
        return None
    value = props.get(FILTER_INPUTS[input_name])
    return value if isinstance(value, str) and value else None


def filter_environment_id(props: Mapping[str, Any]) -> str:
    return str(props.get("segment_filter_environment_id") or "")


def as_members(input_name: str, keys: Iterable[str], props: Mapping[str, Any]) -> frozenset:
    """Keys from a filter's list answer as members: segments are in the filter's environment."""
    if input_name == "segments":
        environment_id = filter_environment_id(props)
        return frozenset((environment_id, key) for key in keys)
    return frozenset(keys)


def _key(member: Member) -> str:
    return member[1] if isinstance(member, tuple) else member


def wanted_matches(props: Mapping[str, Any], input_name: str) -> frozenset[Member]:
    """The matches a checked-input map says are wanted (all but "no longer matches")."""
    matches = props.get(MATCHES_INPUTS.get(input_name, "")) or {}
    if not isinstance(matches, Mapping):
        return frozenset()
    keys = [key for key, status in matches.items() if status != NO_LONGER_MATCHES]
    return as_members(input_name, keys, props)


def filter_linked(recorded: Mapping[str, Any] | None, input_name: str) -> frozenset[Member]:
    """The matches the state says this resource linked itself.

    Checked inputs (what a preview's check has as the old side) do not carry that output; the
    matches they recorded stand in, so that a preview never refuses what may be the resource's
    own (the up decides from the state)."""
    if not recorded or input_name not in FILTER_LINKED:
        return frozenset()
    if FILTER_LINKED[input_name] not in recorded:
        return wanted_matches(recorded, input_name)
    return as_members(input_name, recorded.get(FILTER_LINKED[input_name]) or [], recorded)


def matches_map(members: Iterable[Member]) -> dict[str, str]:
    """What an applied filter looks like in the inputs: every match linked."""
    return {key: LINKED for key in sorted(_key(m) for m in members)}


def refreshed_matches_map(
    matches: frozenset[Member], linked: frozenset[Member], owned: frozenset[Member]
) -> dict[str, str]:
    """What a refresh records: each match linked or not, and owned members that stopped
    matching (the next `up` unlinks those)."""
    statuses = {_key(m): LINKED if m in linked else NOT_LINKED for m in matches}
    statuses.update({_key(m): NO_LONGER_MATCHES for m in owned - matches})
    return dict(sorted(statuses.items()))


def owned_after(
    previously_owned: frozenset[Member],
    linked_now: frozenset[Member],
    matches: frozenset[Member],
    listed: frozenset[Member],
) -> list[Any]:
    """The matches the resource owns after an operation: those it linked (before or now) that
    still match and are not listed by key (listed members are owned as listed)."""
    owned = (previously_owned | linked_now) & matches - listed
    return sorted(_key(m) for m in owned)
