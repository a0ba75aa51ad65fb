"""One `Face` per resource: how the plugin hands each request to that resource's dynamic
provider, and how the answers are shaped for the schema.

What the plugin adds is presentation only: the checked inputs are the provider's own (member
maps, the FlagLinks map keyed by `flag/key`), the outputs are reshaped to the schema's lists,
the preview outputs are the inputs with what only LaunchDarkly knows left unknown, and the
detailed diff names each member or link (from the provider's own `changed_inputs` and
`plan_links`). Every decision about what to read, send, refuse or record stays in `..providers`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.output import Unknown
from pulumi.provider.experimental.provider import PropertyDiff, PropertyDiffKind

from ..providers import flag_link_plan, flag_links_plan, membership_plan, view_plan
from ..providers._inputs import is_unknown
from ..providers._session import LaunchDarklyProvider
from ..providers.flag_link import FlagLinkProvider
from ..providers.flag_links import FlagLinksProvider
from ..providers.view import ViewProvider
from ..providers.view_membership import ViewMembershipProvider
from .values import DataPaths, to_camel

Values = dict[str, Any]

_MEMBER_TYPES = tuple(membership_plan.MEMBER_INPUTS)


@dataclass(frozen=True)
class Face:
    """How one resource type crosses between the engine and its dynamic provider."""

    name: str
    make_provider: Callable[[], LaunchDarklyProvider]
    data_paths: DataPaths
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    changed_inputs: Callable[[Mapping[str, Any], Mapping[str, Any]], list[str]]
    # Outputs that are None (not unknown) when the inputs leave them out at a create's preview.
    absent_when_undeclared: frozenset[str] = field(default_factory=frozenset)
    # Outputs only LaunchDarkly knows: unknown in the preview of an update.
    reported: frozenset[str] = field(default_factory=frozenset)

    # -- outputs --------------------------------------------------------------------------------

    def shape_outputs(self, outputs: Mapping[str, Any]) -> Values:
        """The provider's outputs as the schema types them (member maps become lists)."""
        shaped = dict(outputs)
        if self.name == "ViewMembership":
            for name in _MEMBER_TYPES:
                if not is_unknown(shaped.get(name)):
                    shaped[name] = membership_plan.member_list(name, shaped.get(name))
            others = shaped.get(membership_plan.LINKED_BY_OTHERS)
            if isinstance(others, Mapping):
                shaped[membership_plan.LINKED_BY_OTHERS] = {
                    name: membership_plan.member_list(name, value) for name, value in others.items()
                }
        return shaped

    def import_inputs(self, inputs: Mapping[str, Any]) -> Values:
        """Inputs for the code `pulumi import` prints: the schema's inputs, lists as lists."""
        shaped = self.shape_outputs(inputs)
        if isinstance(shaped.get("timestamp"), int | float):
            # Milliseconds as digits: a number would be printed as a float (1.79e+12).
            shaped["timestamp"] = str(int(shaped["timestamp"]))
        return {
            name: value
            for name, value in shaped.items()
            if name in self.input_names and value is not None
        }

    def preview_create(self, checked: Mapping[str, Any]) -> Values:
        outputs: Values = {}
        for name in self.output_names:
            if name in checked:
                outputs[name] = checked[name]
            elif name in self.absent_when_undeclared:
                outputs[name] = None
            else:
                outputs[name] = Unknown()
        return self.shape_outputs(self._derived(outputs, checked))

    def preview_update(self, state: Mapping[str, Any], checked: Mapping[str, Any]) -> Values:
        outputs: Values = dict(state)
        outputs.update({name: value for name, value in checked.items() if name in self.input_names})
        for name in self.reported:
            outputs[name] = Unknown()
        return self.shape_outputs(self._derived(outputs, checked))

    def _derived(self, outputs: Values, checked: Mapping[str, Any]) -> Values:
        if self.name == "View":
            for name in view_plan.BEHAVIOUR_INPUTS:
                outputs[name] = bool(checked.get(name))
        elif self.name == "ViewMembership":
            for name, count in membership_plan.COUNT_OUTPUTS.items():
                members = checked.get(name)
                filtered = checked.get(membership_plan.FILTER_INPUTS.get(name, "")) is not None
                if members is None and not filtered:
                    outputs[name] = outputs[count] = None
                elif filtered or is_unknown(members):
                    outputs[count] = Unknown()
                else:
                    outputs[count] = len(membership_plan.member_list(name, members))
            for name, linked in membership_plan.FILTER_LINKED.items():
                if checked.get(membership_plan.FILTER_INPUTS[name]) is None:
                    outputs[linked] = None
        elif self.name == "FlagLinks":
            links = checked.get("links")
            outputs["links"] = Unknown()
            outputs["link_count"] = len(links) if isinstance(links, Mapping) else Unknown()
        return outputs

    # -- diff -----------------------------------------------------------------------------------

    def detailed_diff(
        self, state: Mapping[str, Any], checked: Mapping[str, Any], replaces: list[str]
    ) -> dict[str, PropertyDiff]:
        """Each changed input by name, and inside member lists and `links` each member or link
        added or removed and each link attribute changed. Old values are the old inputs'."""
        diff: dict[str, PropertyDiff] = {}
        for name in self.changed_inputs(state, checked):
            old, new = state.get(name), checked.get(name)
            camel = to_camel(name)
            if self.name == "ViewMembership" and name in _MEMBER_TYPES:
                old_map = membership_plan.member_map(name, membership_plan.member_list(name, old))
                if isinstance(old_map, Mapping) and isinstance(new, Mapping):
                    for key in sorted(set(new) - set(old_map)):
                        diff[_path(camel, key)] = _kind(PropertyDiffKind.ADD)
                    for key in sorted(set(old_map) - set(new)):
                        diff[_path(camel, key)] = _kind(PropertyDiffKind.DELETE)
                    if any(_path(camel, key) in diff for key in {*new, *old_map}):
                        continue
            if (
                self.name == "FlagLinks"
                and name == "links"
                and isinstance(old, Mapping)
                and isinstance(new, Mapping)
            ):
                diff.update(_link_diffs(old, new))
                continue
            diff[camel] = _kind(_scalar_kind(old, new), replace=name in replaces)
        return diff


def _path(name: str, key: str) -> str:
    return f"{name}[{json.dumps(key)}]"


def _kind(kind: PropertyDiffKind, replace: bool = False) -> PropertyDiff:
    if replace:
        kind = {
            PropertyDiffKind.ADD: PropertyDiffKind.ADD_REPLACE,
            PropertyDiffKind.DELETE: PropertyDiffKind.DELETE_REPLACE,
            PropertyDiffKind.UPDATE: PropertyDiffKind.UPDATE_REPLACE,
        }[kind]
    return PropertyDiff(kind, input_diff=True)


def _scalar_kind(old: Any, new: Any) -> PropertyDiffKind:
    if old is None and new is not None:
        return PropertyDiffKind.ADD
    if new is None and old is not None:
        return PropertyDiffKind.DELETE
    return PropertyDiffKind.UPDATE


def _link_diffs(
    recorded: Mapping[str, Mapping[str, Any]], declared: Mapping[str, Any]
) -> dict[str, PropertyDiff]:
    """FlagLinks: `links["flag/key"]` added or removed, `links["flag/key"].title` changed."""
    plan = flag_links_plan.plan_links(recorded, declared)
    diff = {_path("links", name): _kind(PropertyDiffKind.ADD) for name in plan.create}
    diff.update({_path("links", name): _kind(PropertyDiffKind.DELETE) for name in plan.delete})
    attributes = flag_links_plan.ATTRIBUTES
    for name in (*plan.patch, *plan.replace):
        old = {key: recorded[name].get(key) for key in attributes}
        new = {key: declared[name].get(key) for key in attributes}
        for attribute in flag_link_plan.changed_inputs(old, new):
            if attribute in attributes:
                path = f"{_path('links', name)}.{to_camel(attribute)}"
                diff[path] = _kind(_scalar_kind(old[attribute], new[attribute]))
    return diff


FACES: dict[str, Face] = {
    "View": Face(
        name="View",
        make_provider=ViewProvider,
        data_paths=frozenset(),
        input_names=view_plan.INPUT_NAMES,
        output_names=view_plan.OUTPUT_NAMES,
        changed_inputs=view_plan.changed_inputs,
        reported=frozenset({"version", "updated_at"}),
    ),
    "ViewMembership": Face(
        name="ViewMembership",
        make_provider=ViewMembershipProvider,
        data_paths=frozenset(
            {
                *_MEMBER_TYPES,
                "aiConfigs",
                "flagFilterMatches",
                "segmentFilterMatches",
            }
        ),
        input_names=tuple(
            name
            for name in membership_plan.INPUT_NAMES
            if name not in membership_plan.MATCHES_INPUTS.values()
        ),
        output_names=(
            *membership_plan.INPUT_NAMES,
            *membership_plan.COUNT_OUTPUTS.values(),
            *membership_plan.FILTER_LINKED.values(),
            membership_plan.LINKED_BY_OTHERS,
        ),
        changed_inputs=membership_plan.changed_inputs,
        absent_when_undeclared=frozenset(
            {*membership_plan.INPUT_NAMES, membership_plan.LINKED_BY_OTHERS}
        ),
        reported=frozenset({membership_plan.LINKED_BY_OTHERS}),
    ),
    "FlagLink": Face(
        name="FlagLink",
        make_provider=FlagLinkProvider,
        data_paths=frozenset({"metadata"}),
        input_names=(*flag_link_plan.INPUT_NAMES, *flag_link_plan.BEHAVIOUR_INPUTS),
        output_names=flag_link_plan.OUTPUT_NAMES,
        changed_inputs=flag_link_plan.changed_inputs,
        absent_when_undeclared=frozenset(
            {"title", "description", "integration_key", "metadata", "adopt"}
        ),
    ),
    "FlagLinks": Face(
        name="FlagLinks",
        make_provider=FlagLinksProvider,
        data_paths=frozenset({"links", "links.*.metadata", "links[].metadata"}),
        input_names=flag_links_plan.INPUT_NAMES,
        output_names=flag_links_plan.OUTPUT_NAMES,
        changed_inputs=flag_links_plan.changed_inputs_of,
        absent_when_undeclared=frozenset({"parallelism", "adopt"}),
        reported=frozenset({"links"}),
    ),
}
