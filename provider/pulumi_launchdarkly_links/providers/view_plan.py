"""Pure planning for View: check inputs, decide patch vs replace, build ViewPost / ViewPatch.

No HTTP here. A View owns the view record (name, description, tags, maintainer), never its
members. An optional input left out (None) is not managed: LaunchDarkly keeps its value and the
outputs report it. A declared one is: refresh sees it change, and the next `up` puts it back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._inputs import is_unknown, key_problem, without_engine_keys

if TYPE_CHECKING:  # the pydantic models: imported where a request body is built
    from ..api import View, ViewPatch, ViewPost

REPLACE_INPUTS = ("project_key", "key")
# Sent to LaunchDarkly: ViewPost on create, ViewPatch when they change.
VIEW_FIELDS = ("name", "description", "tags", "maintainer_id", "maintainer_team_key")
# How the provider behaves; never sent.
BEHAVIOUR_INPUTS = ("adopt", "force_destroy")
INPUT_NAMES = (*REPLACE_INPUTS, *VIEW_FIELDS, *BEHAVIOUR_INPUTS)
# What LaunchDarkly reports beyond the inputs (`view_id` is the view's `id`: Pulumi reserves `id`).
REPORTED_OUTPUTS = (
    "view_id",
    "project_id",
    "version",
    "created_at",
    "updated_at",
    "affects_sdk_payload",
)
OUTPUT_NAMES = (*INPUT_NAMES, *REPORTED_OUTPUTS)

# LaunchDarkly ids (members, environments, ...) are 24 hexadecimal characters.
_MEMBER_ID = re.compile(r"^[0-9a-fA-F]{24}$")

InputProblem = tuple[str, str]


def view_id(project_key: str, key: str) -> str:
    return f"{project_key}/{key}"


def view_item(project_key: str, key: str) -> tuple[str, str, str]:
    """What the deployment record (`deployment_declarations`) calls a view."""
    return ("view", project_key, key)


def view_input_problems(inputs: Mapping[str, Any]) -> list[InputProblem]:
    """Every problem with a View's inputs, each naming the input and what to write instead."""
    problems: list[InputProblem] = []
    for name in sorted(set(inputs) - set(INPUT_NAMES)):
        problems.append(
            (name, f"unknown input {name!r}; valid inputs are {', '.join(INPUT_NAMES)}")
        )
    for name, kind in (("project_key", "project key"), ("key", "view key")):
        value = inputs.get(name)
        problem = f"{name} is required" if value is None else key_problem(name, value, kind=kind)
        if problem:
            problems.append((name, problem))
    key = inputs.get("key")
    if isinstance(key, str) and key != key.lower() and key_problem("key", key) is None:
        problems.append(
            (
                "key",
                f"key {key!r} has uppercase letters: LaunchDarkly stores view keys in lowercase, "
                f"so every later run would see a difference; write key={key.lower()!r}",
            )
        )
    view_name = inputs.get("name")
    if view_name is None:
        problems.append(("name", "name is required: the view's name as the UI shows it"))
    elif not is_unknown(view_name) and (not isinstance(view_name, str) or not view_name.strip()):
        problems.append(("name", f"name must be a non-empty string, got {view_name!r}"))
    description = inputs.get("description")
    if description is not None and not is_unknown(description) and not isinstance(description, str):
        problems.append(("description", f"description must be a string, got {description!r}"))
    problems.extend(_tag_problems(inputs.get("tags")))
    problems.extend(_maintainer_problems(inputs))
    for flag in BEHAVIOUR_INPUTS:
        value = inputs.get(flag)
        if value is not None and not is_unknown(value) and not isinstance(value, bool):
            problems.append((flag, f"{flag} must be True or False, got {value!r}"))
    return problems


def _tag_problems(tags: Any) -> list[InputProblem]:
    if tags is None or is_unknown(tags):
        return []
    if isinstance(tags, str | bytes) or not isinstance(tags, list | tuple):
        return [("tags", f"tags must be a list of strings, got {tags!r}; write tags=[{tags!r}]")]
    return [
        ("tags", f"tags[{index}] must be a non-empty string without spaces, got {tag!r}")
        for index, tag in enumerate(tags)
        if not is_unknown(tag) and (not isinstance(tag, str) or not tag or " " in tag)
    ]


def _maintainer_problems(inputs: Mapping[str, Any]) -> list[InputProblem]:
    member, team = inputs.get("maintainer_id"), inputs.get("maintainer_team_key")
    if member is not None and team is not None:
        return [
            (
                "maintainer_team_key",
                "give exactly one of maintainer_id and maintainer_team_key, not both: "
                "LaunchDarkly refuses a view with two maintainers",
            )
        ]
    problems: list[InputProblem] = []
    if (
        member is not None
        and not is_unknown(member)
        and (not isinstance(member, str) or not _MEMBER_ID.match(member))
    ):
        problems.append(
            (
                "maintainer_id",
                f"maintainer_id {member!r} is not a LaunchDarkly member ID (24 hexadecimal "
                "characters, as in GET /api/v2/members); to name a team, use maintainer_team_key",
            )
        )
    if team is not None:
        problem = key_problem("maintainer_team_key", team, kind="team key")
        if problem:
            problems.append(("maintainer_team_key", problem))
    return problems


def normalise_view_inputs(news: Mapping[str, Any]) -> dict[str, Any]:
    """Checked inputs: engine keys and None dropped, tags sorted without duplicates."""
    inputs = {k: v for k, v in without_engine_keys(news).items() if v is not None}
    tags = inputs.get("tags")
    if tags is not None and not is_unknown(tags):
        inputs["tags"] = sorted(set(tags))
    return inputs


def _same(name: str, reported: Any, declared: Any) -> bool:
    if name == "tags":
        return sorted(set(reported or [])) == sorted(set(declared or []))
    if name == "description":
        return (reported or "") == (declared or "")
    return bool(reported == declared)


def changed_inputs(state: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[str]:
    """Inputs that differ from the state. A view field counts only when declared: left out, it
    is not managed. Unknowns (preview) always count."""
    changed = []
    for name in INPUT_NAMES:
        declared = inputs.get(name)
        if is_unknown(declared):
            changed.append(name)
        elif name in REPLACE_INPUTS:
            if state.get(name) != declared:
                changed.append(name)
        elif name in BEHAVIOUR_INPUTS:
            if bool(state.get(name)) != bool(declared):
                changed.append(name)
        elif declared is not None and not _same(name, state.get(name), declared):
            changed.append(name)
    return changed


def view_patch(state: Mapping[str, Any], inputs: Mapping[str, Any]) -> ViewPatch:
    """The ViewPatch that makes the view what the inputs declare: only declared fields that
    differ. One maintainer side is sent: LaunchDarkly replaces the other, and refuses both."""
    from ..api import ViewPatch

    fields = {
        name: inputs[name]
        for name in VIEW_FIELDS
        if inputs.get(name) is not None and not _same(name, state.get(name), inputs[name])
    }
    return ViewPatch(**fields)


def view_post(inputs: Mapping[str, Any]) -> ViewPost:
    from ..api import ViewPost

    return ViewPost(
        key=inputs["key"],
        name=inputs["name"],
        description=inputs.get("description"),
        tags=inputs.get("tags"),
        maintainer_id=inputs.get("maintainer_id"),
        maintainer_team_key=inputs.get("maintainer_team_key"),
    )


def view_attributes(view: View) -> dict[str, Any]:
    """The input-shaped fields of a view as LaunchDarkly reports it."""
    return {
        "name": view.name,
        "description": view.description or "",
        "tags": sorted(set(view.tags or [])),
        "maintainer_id": view.maintainer_id,
        "maintainer_team_key": view.maintainer_team_key,
    }


def differences_from_new(view: View, inputs: Mapping[str, Any]) -> list[str]:
    """How an existing view differs from the one this resource's POST would create (empty: it
    is that view, e.g. made by an `up` that was interrupted before it saved the state).
    A maintainer left out is not compared: LaunchDarkly may fill it in."""
    reported = view_attributes(view)
    differences = []
    for name in VIEW_FIELDS:
        declared = inputs.get(name)
        if declared is None and name.startswith("maintainer"):
            continue
        if not _same(name, reported[name], declared):
            shown = "not set" if declared is None else repr(declared)
            differences.append(f"{name} is {reported[name]!r} (this resource: {shown})")
    return differences


def view_outputs(
    inputs: Mapping[str, Any], view: View, *, written_over: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Outputs: the view as LaunchDarkly reports it, the behaviour inputs, and its ids.

    `written_over` is set when `view` answers a write LaunchDarkly accepted (the state before
    it; {} for a create). If that answer leaves the maintainer out, the maintainer is recorded
    as written: the declared one, else the one recorded before. So the next diff does not
    try to set it again because one answer was short.
    """
    attributes = view_attributes(view)
    reported = attributes["maintainer_id"] or attributes["maintainer_team_key"]
    if written_over is not None and not reported:
        source = inputs if maintainer_declared(inputs) else written_over
        attributes["maintainer_id"] = source.get("maintainer_id")
        attributes["maintainer_team_key"] = source.get("maintainer_team_key")
    return {
        "project_key": inputs["project_key"],
        "key": view.key,
        **attributes,
        "adopt": bool(inputs.get("adopt")),
        "force_destroy": bool(inputs.get("force_destroy")),
        "view_id": view.id,
        "project_id": view.project_id,
        "version": view.version,
        "created_at": view.created_at,
        "updated_at": view.updated_at,
        "affects_sdk_payload": view.affects_sdk_payload,
    }


def maintainer_declared(inputs: Mapping[str, Any]) -> bool:
    return inputs.get("maintainer_id") is not None or inputs.get("maintainer_team_key") is not None


def refreshed_inputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs a refresh records, so `preview` shows a UI change as the difference it is."""
    inputs = {name: outputs.get(name) for name in INPUT_NAMES}
    return {name: value for name, value in inputs.items() if value not in (None, "", [])}


def linked_counts_message(counts: Mapping[str, int]) -> str:
    """'2 flags and 1 segment' from {'flags': 2, 'segments': 1, 'aiConfigs': 0}."""
    singular = {
        "flags": "flag",
        "segments": "segment",
        "aiConfigs": "AI config",
        "metrics": "metric",
    }
    parts = [
        f"{count} {singular[name]}{'' if count == 1 else 's'}"
        for name, count in counts.items()
        if count
    ]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
