"""Validation and normalisation of ViewMembership inputs, run by `check()` at preview time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi.output import Unknown

from ._inputs import is_unknown, key_list_problems, key_problem, without_engine_keys
from .membership_plan import (
    FILTER_INPUTS,
    INPUT_NAMES,
    MEMBER_INPUTS,
    SEGMENT_FILTER_ENVIRONMENT,
    member_list,
    member_map,
    normalise_key_list,
    normalise_segments,
)

InputProblem = tuple[str, str]  # (input name, what is wrong and what to do)

# Plain dicts may use LaunchDarkly's camelCase names; they mean the same thing.
_SEGMENT_ALIASES = {
    "environmentId": "environment_id",
    "environmentKey": "environment_key",
    "segmentKey": "segment_key",
}
_SEGMENT_FIELDS = ("environment_id", "environment_key", "segment_key")


def canonical_segment(segment: Mapping[str, Any]) -> dict[str, Any]:
    renamed = {_SEGMENT_ALIASES.get(name, name): value for name, value in segment.items()}
    return {name: renamed[name] for name in _SEGMENT_FIELDS if renamed.get(name) is not None} | {
        name: value for name, value in renamed.items() if name not in _SEGMENT_FIELDS
    }


def membership_input_problems(inputs: Mapping[str, Any]) -> list[InputProblem]:
    problems: list[InputProblem] = []
    unknown_names = set(inputs) - set(INPUT_NAMES) - {"segments"}
    for name in sorted(n for n in unknown_names if not n.startswith("__")):
        problems.append(
            (name, f"unknown input {name!r}; valid inputs are {', '.join(INPUT_NAMES)}")
        )

    for name in ("project_key", "view_key"):
        value = inputs.get(name)
        if value is None:
            problems.append((name, f"{name} is required"))
            continue
        problem = key_problem(name, value)
        if problem:
            problems.append((name, problem))
    view_key = inputs.get("view_key")
    if isinstance(view_key, str) and view_key != view_key.lower():
        problems.append(
            (
                "view_key",
                f"view_key {view_key!r} has uppercase letters; LaunchDarkly stores view keys in "
                f"lowercase, so write {view_key.lower()!r}",
            )
        )

    for name in MEMBER_INPUTS:
        if name != "segments":
            problems.extend((name, p) for p in key_list_problems(name, inputs.get(name)))
    problems.extend(_segment_problems(inputs.get("segments")))
    problems.extend(_filter_problems(inputs))

    for name in ("exclusive", "adopt"):
        value = inputs.get(name)
        if value is not None and not is_unknown(value) and not isinstance(value, bool):
            problems.append((name, f"{name} must be True or False, got {value!r}"))
    comment = inputs.get("comment")
    if comment is not None and not is_unknown(comment) and not isinstance(comment, str):
        problems.append(("comment", f"comment must be a string, got {comment!r}"))
    return problems


def _filter_problems(inputs: Mapping[str, Any]) -> list[InputProblem]:
    problems: list[InputProblem] = []
    for name in (*FILTER_INPUTS.values(), *SEGMENT_FILTER_ENVIRONMENT):
        value = inputs.get(name)
        if (
            value is not None
            and not is_unknown(value)
            and (not isinstance(value, str) or not value)
        ):
            problems.append((name, f"{name} must be a non-empty string, got {value!r}"))
    environment = [n for n in SEGMENT_FILTER_ENVIRONMENT if inputs.get(n) is not None]
    if inputs.get("segment_filter") is not None and len(environment) != 1:
        problems.append(
            (
                "segment_filter",
                "segment_filter needs exactly one of segment_filter_environment_key or "
                "segment_filter_environment_id (LaunchDarkly filters segments per environment); "
                f"it has {'both' if environment else 'neither'}",
            )
        )
    if inputs.get("segment_filter") is None and environment:
        problems.append(
            (environment[0], f"{environment[0]} is only used with segment_filter: set both")
        )
    return problems


def _segment_problems(segments: Any) -> list[InputProblem]:
    if segments is None or isinstance(segments, Unknown):
        return []
    if not isinstance(segments, list | tuple):
        return [
            (
                "segments",
                "segments must be a list of SegmentRef(...) or dicts, got "
                f"{type(segments).__name__} {segments!r}",
            )
        ]
    problems: list[InputProblem] = []
    for index, raw in enumerate(segments):
        where = f"segments[{index}]"
        if isinstance(raw, Unknown):
            continue
        if not isinstance(raw, Mapping):
            problems.append(
                (
                    "segments",
                    f"{where} must be a SegmentRef(environment_key=..., segment_key=...) "
                    f"or a dict, got {raw!r}",
                )
            )
            continue
        segment = canonical_segment(raw)
        extra = set(segment) - set(_SEGMENT_FIELDS)
        if extra:
            problems.append(("segments", f"{where} has unknown fields {sorted(extra)}"))
        has_id = segment.get("environment_id") is not None
        has_key = segment.get("environment_key") is not None
        if has_id == has_key:
            problems.append(
                (
                    "segments",
                    f"{where} ({segment.get('segment_key')!r}) needs exactly one of environment_id "
                    f"(the environment's _id) or environment_key; it has "
                    f"{'both' if has_id else 'neither'}",
                )
            )
        for field in ("segment_key", "environment_key"):
            if segment.get(field) is not None or field == "segment_key":
                problem = key_problem(f"{where}.{field}", segment.get(field))
                if problem:
                    problems.append(("segments", problem))
        environment_id = segment.get("environment_id")
        if (
            has_id
            and not is_unknown(environment_id)
            and (not isinstance(environment_id, str) or not environment_id.strip())
        ):
            problems.append(("segments", f"{where}.environment_id must be a non-empty string"))
    return problems


def known_environment_ids(old_inputs: Mapping[str, Any]) -> dict[str, str]:
    """environment_key -> _id pairs already resolved in earlier checked inputs or state."""
    known: dict[str, str] = {}
    segments = member_list("segments", old_inputs.get("segments")) or []
    if is_unknown(segments):
        return known
    for segment in segments:
        if isinstance(segment, Mapping):
            key, identifier = segment.get("environment_key"), segment.get("environment_id")
            if isinstance(key, str) and isinstance(identifier, str):
                known[key] = identifier
    return known


def normalise_membership_inputs(
    news: Mapping[str, Any],
    olds: Mapping[str, Any],
    resolve_environment_id: Callable[[str, str], str],
    resolve_environment_key: Callable[[str, str], str] | None = None,
) -> dict[str, Any]:
    """Checked inputs: sorted unique member lists, segments carrying both environment id and key.

    `resolve_environment_id(project_key, environment_key)` is only called for keys that neither
    the old inputs nor earlier segments of this resource resolved, so a no-op `up` makes no
    request.
    """
    inputs = without_engine_keys(news)
    for name in ("flags", "ai_configs", "metrics"):
        inputs[name] = normalise_key_list(inputs.get(name))
    segments = inputs.get("segments")
    if isinstance(segments, list | tuple):
        known = known_environment_ids(without_engine_keys(olds))
        project_key = str(inputs.get("project_key"))
        resolved: list[Any] = []
        for raw in segments:
            if isinstance(raw, Unknown):
                resolved.append(raw)
                continue
            segment = canonical_segment(raw)
            environment_key = segment.get("environment_key")
            if segment.get("environment_id") is None and environment_key is not None:
                if is_unknown(environment_key) or is_unknown(inputs.get("project_key")):
                    segment["environment_id"] = Unknown()
                else:
                    if environment_key not in known:
                        known[environment_key] = resolve_environment_id(
                            project_key, environment_key
                        )
                    segment["environment_id"] = known[environment_key]
            resolved.append(segment)
        inputs["segments"] = (
            resolved if contains_unknown_segment(resolved) else (normalise_segments(resolved))
        )
    _resolve_filter_environment(inputs, olds, resolve_environment_id, resolve_environment_key)
    for name in MEMBER_INPUTS:
        inputs[name] = member_map(name, inputs.get(name))
    return {name: value for name, value in inputs.items() if value is not None}


def _resolve_filter_environment(
    inputs: dict[str, Any],
    olds: Mapping[str, Any],
    resolve_id: Callable[[str, str], str],
    resolve_key: Callable[[str, str], str] | None,
) -> None:
    """A segment filter's environment carries both its key (the segment list route takes it)
    and its _id (segments are identified by it); the other is looked up once, then reused."""
    key, identifier = (inputs.get(name) for name in SEGMENT_FILTER_ENVIRONMENT)
    if inputs.get("segment_filter") is None or any(
        is_unknown(v) for v in (key, identifier, inputs.get("project_key"))
    ):
        return
    old = without_engine_keys(olds)
    old_pair = tuple(old.get(name) for name in SEGMENT_FILTER_ENVIRONMENT)
    project_key = str(inputs["project_key"])
    if key is not None and identifier is None:
        identifier = old_pair[1] if old_pair[0] == key else resolve_id(project_key, key)
    elif identifier is not None and key is None and resolve_key is not None:
        key = old_pair[0] if old_pair[1] == identifier else resolve_key(project_key, identifier)
    inputs["segment_filter_environment_key"], inputs["segment_filter_environment_id"] = (
        key,
        identifier,
    )


def contains_unknown_segment(segments: list[Any]) -> bool:
    return any(is_unknown(segment) for segment in segments)
