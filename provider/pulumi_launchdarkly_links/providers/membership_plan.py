"""The vocabulary of ViewMembership: member types, normalised member lists, diffs, batches.

No HTTP here. A member is a flag / AI config / metric key, or a segment identified by
`(environment_id, segment_key)`; lists are sets, so order and duplicates never cause a diff.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from ._inputs import is_unknown, without_engine_keys

ResourceType = Literal["flags", "segments", "aiConfigs", "metrics"]

# Input name -> LaunchDarkly's resourceType path segment, in the order they are processed.
MEMBER_INPUTS: dict[str, ResourceType] = {
    "flags": "flags",
    "segments": "segments",
    "ai_configs": "aiConfigs",
    "metrics": "metrics",
}
SINGULAR = {"flags": "flag", "segments": "segment", "ai_configs": "AI config", "metrics": "metric"}
COUNT_OUTPUTS = {
    "flags": "flag_count",
    "segments": "segment_count",
    "ai_configs": "ai_config_count",
    "metrics": "metric_count",
}
REPLACE_INPUTS = ("project_key", "view_key")
# Output only: what a refresh of an exclusive resource found linked but never declared.
LINKED_BY_OTHERS = "linked_by_others"
# Membership by filter (flags and segments only): the filter, and the matches the checked inputs
# keep as a map member -> "linked" / "not linked" / "no longer matches", so that a preview
# after a refresh names each member a filter now adds or drops.
FILTER_INPUTS = {"flags": "flag_filter", "segments": "segment_filter"}
MATCHES_INPUTS = {"flags": "flag_filter_matches", "segments": "segment_filter_matches"}
SEGMENT_FILTER_ENVIRONMENT = ("segment_filter_environment_key", "segment_filter_environment_id")
INPUT_NAMES = (
    *REPLACE_INPUTS,
    *MEMBER_INPUTS,
    *FILTER_INPUTS.values(),
    *SEGMENT_FILTER_ENVIRONMENT,
    *MATCHES_INPUTS.values(),
    "exclusive",
    "adopt",
    "comment",
)
# Output only: per filtered type, the matching members this resource linked itself (what it
# owns through the filter; a match someone else had linked stays theirs).
FILTER_LINKED = {"flags": "flag_filter_linked", "segments": "segment_filter_linked"}
# A match's status in the matches map (`flag_filter_matches`, `segment_filter_matches`).
LINKED = "linked"
NOT_LINKED = "not linked"
NO_LONGER_MATCHES = "no longer matches"

SegmentId = tuple[str, str]  # (environment_id, segment_key)
Member = str | SegmentId
T = TypeVar("T")


def segment_id(segment: Mapping[str, Any]) -> SegmentId:
    return (segment["environment_id"], segment["segment_key"])


def members_of(input_name: str, value: Any) -> frozenset[Member]:
    """The set of members a normalised input (or state) value denotes; None means none."""
    value = member_list(input_name, value)
    if not value:
        return frozenset()
    if input_name == "segments":
        return frozenset(segment_id(segment) for segment in value)
    return frozenset(value)


# Members are maps keyed by member, in the checked inputs and in the outputs alike: the engine
# shows the diff of inputs and outputs, and a list diff is positional (removing one of 30 sorted
# flags shows as a cascade of `[14]: "a" => "b"`), while a map diff shows exactly the members
# added and removed. One shape in both places also keeps a preview (which shows the inputs as
# the planned outputs) from showing every member output as replaced by another shape.


def member_map(input_name: str, value: Any) -> Any:
    """A normalised member list as the map kept in checked inputs (unknowns: left a list)."""
    if not isinstance(value, list | tuple) or is_unknown(value):
        return value
    if input_name != "segments":
        return {key: True for key in value}
    return {
        f"{s.get('environment_key') or s['environment_id']}/{s['segment_key']}": s["environment_id"]
        for s in value
    }


def member_list(input_name: str, value: Any) -> Any:
    """The member list a checked-input map (or a list, as older states hold) denotes."""
    if not isinstance(value, Mapping):
        return value
    if input_name != "segments":
        return sorted(value)
    segments = []
    for name, environment_id in value.items():
        prefix, segment_key = name.rsplit("/", 1)
        segment = {"environment_id": environment_id, "segment_key": segment_key}
        if prefix != environment_id:
            segment["environment_key"] = prefix
        segments.append(segment)
    return normalise_segments(segments)


def normalise_key_list(value: Any) -> Any:
    """Sorted unique keys; unknown values pass through untouched for the engine to resolve."""
    if value is None or is_unknown(value):
        return value
    return sorted(set(value))


def normalise_segments(segments: Any) -> Any:
    """Sorted segments without duplicates (by environment id and key); keeps environment_key."""
    if segments is None or is_unknown(segments):
        return segments
    by_identity: dict[SegmentId, dict[str, Any]] = {}
    for segment in segments:
        current = by_identity.get(segment_id(segment), {})
        by_identity[segment_id(segment)] = {**segment, **{k: v for k, v in current.items() if v}}
    return [by_identity[identity] for identity in sorted(by_identity)]


@dataclass(frozen=True)
class TypeChange:
    """What one resource type needs: members to link and members to unlink."""

    input_name: str
    resource_type: ResourceType
    to_link: tuple[Member, ...]
    to_unlink: tuple[Member, ...]


def managed_types(props: Mapping[str, Any]) -> list[str]:
    """Input names of the member types a resource lists (an empty list counts as listed) or
    selects by filter."""
    return [
        name
        for name in MEMBER_INPUTS
        if props.get(name) is not None or props.get(FILTER_INPUTS.get(name, "")) is not None
    ]


def changed_inputs(old_state: Mapping[str, Any], new_inputs: Mapping[str, Any]) -> list[str]:
    """Inputs whose value differs (as sets for member lists); unknowns always count as changed."""
    old = without_engine_keys(old_state)
    new = without_engine_keys(new_inputs)
    changed = []
    for name in INPUT_NAMES:
        old_value, new_value = old.get(name), new.get(name)
        if is_unknown(new_value):
            changed.append(name)
        elif name in MEMBER_INPUTS:
            if (old_value is None) != (new_value is None) or members_of(
                name, old_value
            ) != members_of(name, new_value):
                changed.append(name)
        elif name in ("exclusive", "adopt"):
            if bool(old_value) != bool(new_value):
                changed.append(name)
        elif (old_value or None) != (new_value or None):
            changed.append(name)
    return changed


def in_batches(items: Sequence[T], size: int) -> list[list[T]]:
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def member_counts(props: Mapping[str, Any], *, planned: bool) -> dict[str, int | None]:
    """`flag_count` and the others: how many members of each type the resource accounts for in
    the view, those in its member map and its filter's matches; None for an unmanaged type.

    After an up or a refresh (`planned=False`) only the matches that are linked count; in a
    preview (`planned=True`, from the checked inputs) the matches the up will have linked, so
    that a preview shows the count the up will record.
    """
    counts: dict[str, int | None] = {}
    for name, count_name in COUNT_OUTPUTS.items():
        if name not in managed_types(props):
            counts[count_name] = None
            continue
        members = set(members_of(name, props.get(name)))
        statuses = props.get(MATCHES_INPUTS.get(name, "")) or {}
        if isinstance(statuses, Mapping):
            counted = (
                [key for key, status in statuses.items() if status != NO_LONGER_MATCHES]
                if planned
                else [key for key, status in statuses.items() if status == LINKED]
            )
            environment_id = str(props.get("segment_filter_environment_id") or "")
            members |= {(environment_id, key) if name == "segments" else key for key in counted}
        counts[count_name] = len(members)
    return counts


def membership_outputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Full outputs for the given (normalised) inputs: the inputs, members as maps keyed by
    member, and a count per managed type (`member_counts`)."""
    outputs = {name: inputs.get(name) for name in INPUT_NAMES}
    for name in MEMBER_INPUTS:
        outputs[name] = member_map(name, member_list(name, inputs.get(name)))
    outputs.update(member_counts(outputs, planned=False))
    outputs[LINKED_BY_OTHERS] = inputs.get(LINKED_BY_OTHERS)
    for name in FILTER_LINKED.values():
        outputs[name] = inputs.get(name)
    return outputs
