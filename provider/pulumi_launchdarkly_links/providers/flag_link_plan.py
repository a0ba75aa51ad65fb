"""Pure planning for FlagLink: validate inputs, decide patch vs replace, build JSON Patch ops,
and decide when an existing link may be taken over.

LaunchDarkly lets a flag link's `title` and `description` be patched; everything else
(`_deepLink`, `_key`, ...) is read-only, so a change there replaces the link. An integration
link's `_deepLink` is filled in by LaunchDarkly: left undeclared, it is never compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._inputs import (
    http_url_problem,
    is_unknown,
    key_problem,
    parse_timestamp_ms,
    without_engine_keys,
)

INPUT_NAMES = (
    "project_key",
    "flag_key",
    "key",
    "deep_link",
    "title",
    "description",
    "integration_key",
    "metadata",
    "timestamp",
)
PATCHABLE_INPUTS = ("title", "description")
REPLACE_INPUTS = tuple(name for name in INPUT_NAMES if name not in PATCHABLE_INPUTS)
# Attributes LaunchDarkly fills in when they are left out: compared only when declared.
FILLED_IN_WHEN_UNDECLARED = ("deep_link", "timestamp")
# How the provider behaves; never sent, never a change.
BEHAVIOUR_INPUTS = ("adopt",)
OUTPUT_NAMES = (*INPUT_NAMES, "link_id", "created_at", "created_by")

# What the deployment record (`deployment_declarations`) calls a link: kind, project, flag, key.
LinkItem = tuple[str, str, str, str]

InputProblem = tuple[str, str]


def flag_link_input_problems(inputs: Mapping[str, Any]) -> list[InputProblem]:
    problems: list[InputProblem] = []
    valid = (*INPUT_NAMES, *BEHAVIOUR_INPUTS)
    for name in sorted(set(inputs) - set(valid)):
        problems.append((name, f"unknown input {name!r}; valid inputs are {', '.join(valid)}"))
    adopt = inputs.get("adopt")
    if adopt is not None and not is_unknown(adopt) and not isinstance(adopt, bool):
        problems.append(("adopt", f"adopt must be True or False, got {adopt!r}"))
    for name in ("project_key", "flag_key", "key"):
        problem = (
            key_problem(name, inputs.get(name))
            if inputs.get(name) is not None
            else (f"{name} is required")
        )
        if problem:
            problems.append((name, problem))
    integration_key = inputs.get("integration_key")
    if integration_key is not None:
        problem = key_problem("integration_key", integration_key)
        if problem:
            problems.append(("integration_key", problem))
    else:
        problem = http_url_problem("deep_link", inputs.get("deep_link"))
        if problem:
            problems.append(("deep_link", problem))
    metadata = inputs.get("metadata")
    if metadata is not None and not is_unknown(metadata):
        if integration_key is None:
            problems.append(
                (
                    "metadata",
                    "metadata is only for integration links: set integration_key, or drop metadata",
                )
            )
        elif not isinstance(metadata, Mapping) or not all(
            isinstance(k, str) and (isinstance(v, str) or is_unknown(v))
            for k, v in metadata.items()
        ):
            problems.append(("metadata", f"metadata must map strings to strings, got {metadata!r}"))
    for name in PATCHABLE_INPUTS:
        value = inputs.get(name)
        if value is not None and not is_unknown(value) and not isinstance(value, str):
            problems.append((name, f"{name} must be a string, got {value!r}"))
    timestamp = inputs.get("timestamp")
    if timestamp is not None and not is_unknown(timestamp):
        try:
            parse_timestamp_ms(timestamp)
        except ValueError as error:
            problems.append(("timestamp", f"timestamp {error}"))
    return problems


def normalise_flag_link_inputs(news: Mapping[str, Any]) -> dict[str, Any]:
    inputs = without_engine_keys(news)
    timestamp = inputs.get("timestamp")
    if timestamp is not None and not is_unknown(timestamp):
        inputs["timestamp"] = parse_timestamp_ms(timestamp)
    if inputs.get("metadata") == {}:
        inputs.pop("metadata")
    return {name: value for name, value in inputs.items() if value is not None and value != ""}


def _same(name: str, old: Any, new: Any) -> bool:
    if name == "metadata":
        return (old or {}) == (new or {})
    return (old or None) == (new or None)


def changed_inputs(old_state: Mapping[str, Any], new_inputs: Mapping[str, Any]) -> list[str]:
    """Inputs that differ; `timestamp`, and the `deep_link` of an integration link, only count
    when declared (LaunchDarkly fills them in). `adopt` never counts: it changes nothing."""
    changed = []
    for name in INPUT_NAMES:
        new = new_inputs.get(name)
        if is_unknown(new):
            changed.append(name)
        elif name in FILLED_IN_WHEN_UNDECLARED and new is None:
            continue
        elif not _same(name, old_state.get(name), new):
            changed.append(name)
    return changed


def patch_operations(
    old_state: Mapping[str, Any], new_inputs: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """JSON Patch (RFC 6902) ops for the patchable inputs that changed."""
    operations = []
    for name in PATCHABLE_INPUTS:
        old, new = old_state.get(name) or None, new_inputs.get(name) or None
        if old == new:
            continue
        if new is None:
            operations.append({"op": "remove", "path": f"/{name}"})
        else:
            operations.append(
                {"op": "replace" if old is not None else "add", "path": f"/{name}", "value": new}
            )
    return operations


def link_attributes(link: Any) -> dict[str, Any]:
    """The input-shaped view of a FlagLink as LaunchDarkly reports it."""
    return {
        "key": link.key,
        "deep_link": link.deep_link,
        "title": link.title,
        "description": link.description,
        "integration_key": link.integration_key,
        "metadata": link.metadata,
        "timestamp": link.timestamp.milliseconds if link.timestamp is not None else None,
    }


def mismatched_attributes(link: Any, inputs: Mapping[str, Any]) -> list[str]:
    """Declared attributes an existing link does not share (empty: the link can be adopted)."""
    attributes = link_attributes(link)
    return [
        name
        for name in (
            "deep_link",
            "title",
            "description",
            "integration_key",
            "metadata",
            "timestamp",
        )
        if not (name in FILLED_IN_WHEN_UNDECLARED and inputs.get(name) is None)
        and not _same(name, attributes[name], inputs.get(name))
    ]


def link_item(project_key: str, flag_key: str, key: str) -> LinkItem:
    return ("flag-link", project_key, flag_key, key)


def may_take_over(*, adopt: bool, owned_in_state_elsewhere: bool) -> bool:
    """May a create take over an existing link with its key that it did not make itself?

    Only with `adopt=True`, or when another resource of this deployment has the link in its
    state (a link moving between resources of this stack in one `up`). A create cannot tell a
    renamed resource from another stack, so it never takes a link over for looking the same.
    (A link found after this very create's POST answer was lost is its own, and not asked here.)
    """
    return adopt or owned_in_state_elsewhere


def takeover_advice(kind: str) -> str:
    """What to do about an existing link a `kind` (FlagLink, FlagLinks) may not take over."""
    return (
        f"If you renamed this {kind}, keep its old name as an alias: "
        'opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="<old name>")]). To take the '
        f"existing link over, set adopt=True on this {kind} (a later destroy deletes it). "
        "Or give the link another `key`."
    )


def flag_link_outputs(inputs: Mapping[str, Any], link: Any) -> dict[str, Any]:
    attributes = link_attributes(link)
    member = link.member
    return {
        "project_key": inputs["project_key"],
        "flag_key": inputs["flag_key"],
        **attributes,
        "key": attributes["key"] or inputs.get("key"),
        "link_id": link.id,
        "created_at": link.created_at,
        "created_by": None
        if member is None
        else {
            "member_id": member.id,
            "first_name": member.first_name,
            "last_name": member.last_name,
        },
    }
