"""Pure planning for FlagLinks: check the declared links, key them, and decide what changes.

No HTTP here. A FlagLinks resource owns a set of links across the flags of one project; a link's
identity is its flag and key, written `flag_key/key` (neither may contain `/`). The checked
inputs hold the links as a map keyed by that name, not as the list the program passes: the
engine shows the diff of inputs, and a map diff names exactly the links added, removed and
changed, where a list diff is positional (removing the first of 1000 links would show 999
changed). The values hold only the declared attributes, and the outputs add each link's `_id`,
so the state stays small (no `created_by`, no timestamp LaunchDarkly filled in).

Each link follows FlagLink's rules (`flag_link_plan`): `title` and `description` are patched in
place, any other change replaces that one link (delete, then create: keys are unique per flag).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pulumi.output import Unknown

from ..api._constants import MAX_PARALLEL_BATCHES
from ._inputs import is_unknown, key_problem, without_engine_keys
from .flag_link_plan import INPUT_NAMES as FLAG_LINK_INPUTS
from .flag_link_plan import (
    REPLACE_INPUTS,
    LinkItem,
    changed_inputs,
    flag_link_input_problems,
    link_attributes,
    link_item,
    normalise_flag_link_inputs,
)

if TYPE_CHECKING:  # the pydantic model: only in annotations here
    from ..api import FlagLink

# A link of the collection takes what a FlagLink takes, but the project (the collection's own).
SPEC_FIELDS = tuple(name for name in FLAG_LINK_INPUTS if name != "project_key")
# What a link's map value holds: the declared attributes; the identity is the map key.
ATTRIBUTES = SPEC_FIELDS[2:]
LINK_ID = "link_id"
# `adopt` only says how creates treat existing links: never a change, never recorded.
INPUT_NAMES = ("project_key", "links", "parallelism", "adopt")
OUTPUT_NAMES = (*INPUT_NAMES, "link_count")
# Requests in flight at once inside one provider call; the client's connection pool holds 16.
DEFAULT_PARALLELISM = MAX_PARALLEL_BATCHES

InputProblem = tuple[str, str]


def link_name(flag_key: str, key: str) -> str:
    return f"{flag_key}/{key}"


def split_link_name(name: str) -> tuple[str, str]:
    flag_key, key = name.split("/", 1)
    return flag_key, key


def describe_link(name: str) -> str:
    flag_key, key = split_link_name(name)
    return f"'{key}' on flag '{flag_key}'"


# -- check --------------------------------------------------------------------------------------


def flag_links_input_problems(inputs: Mapping[str, Any]) -> list[InputProblem]:
    """Every problem with a FlagLinks' inputs, each naming the link (index, flag and key)."""
    problems: list[InputProblem] = []
    for name in sorted(set(inputs) - set(INPUT_NAMES) - {"link_count"}):
        problems.append(
            (name, f"unknown input {name!r}; valid inputs are {', '.join(INPUT_NAMES)}")
        )
    project_key = inputs.get("project_key")
    problem = (
        key_problem("project_key", project_key)
        if project_key is not None
        else "project_key is required"
    )
    if problem:
        problems.append(("project_key", problem))
    adopt = inputs.get("adopt")
    if adopt is not None and not is_unknown(adopt) and not isinstance(adopt, bool):
        problems.append(("adopt", f"adopt must be True or False, got {adopt!r}"))
    parallelism = inputs.get("parallelism")
    if parallelism is not None and not is_unknown(parallelism) and not _is_parallelism(parallelism):
        problems.append(
            (
                "parallelism",
                f"parallelism must be a whole number from 1 to {MAX_PARALLEL_BATCHES} (requests "
                f"in flight at once), got {parallelism!r}",
            )
        )
    problems += [("links", problem) for problem in _links_problems(inputs.get("links"))]
    return problems


def _is_parallelism(value: Any) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and value == int(value)
        and 1 <= value <= MAX_PARALLEL_BATCHES
    )


def _links_problems(links: Any) -> list[str]:
    if links is None:
        return ["links is required: a list of FlagLinkSpec (an empty list declares no links)"]
    if is_unknown(links):
        return []  # known at `up`; checked then
    if isinstance(links, str | bytes | Mapping) or not isinstance(links, list | tuple):
        return [
            f"links must be a list of FlagLinkSpec, got {type(links).__name__} {links!r:.80}; "
            "write links=[FlagLinkSpec(flag_key=..., key=..., deep_link=...)]"
        ]
    problems: list[str] = []
    first_index: dict[tuple[str, str], int] = {}
    for index, spec in enumerate(links):
        if isinstance(spec, Unknown):
            continue
        if not isinstance(spec, Mapping):
            problems.append(
                f"links[{index}] must be a FlagLinkSpec (or a dict with its fields), "
                f"got {type(spec).__name__} {spec!r:.80}"
            )
            continue
        label = _spec_label(index, spec)
        for name in sorted(set(without_engine_keys(spec)) - set(SPEC_FIELDS)):
            problems.append(
                f"{label}: unknown field {name!r}; a link's fields are {', '.join(SPEC_FIELDS)}"
            )
        fields = {name: spec.get(name) for name in SPEC_FIELDS}
        # FlagLink's own checks, with a stand-in project key (the resource checks its own).
        for _name, reason in flag_link_input_problems({**fields, "project_key": "p"}):
            problems.append(f"{label}: {reason}")
        flag_key, key = spec.get("flag_key"), spec.get("key")
        if isinstance(flag_key, str) and isinstance(key, str):
            earlier = first_index.setdefault((flag_key, key), index)
            if earlier != index:
                problems.append(
                    f"links[{earlier}] and links[{index}] both declare key '{key}' on flag "
                    f"'{flag_key}': a flag's link keys are unique; give one of them another key "
                    "or drop the duplicate"
                )
    return problems


def _spec_label(index: int, spec: Mapping[str, Any]) -> str:
    flag_key, key = spec.get("flag_key"), spec.get("key")
    if isinstance(flag_key, str) and isinstance(key, str):
        return f"links[{index}] (key '{key}' on flag '{flag_key}')"
    return f"links[{index}]"


def normalise_flag_links_inputs(news: Mapping[str, Any]) -> dict[str, Any]:
    """Checked inputs: the links as a map `flag_key/key` -> declared attributes.

    A list with an unknown identity (preview) stays a list: its names are not known yet.
    """
    inputs = without_engine_keys(news)
    checked: dict[str, Any] = {"project_key": inputs["project_key"]}
    if inputs.get("parallelism") is not None:
        parallelism = inputs["parallelism"]
        checked["parallelism"] = parallelism if is_unknown(parallelism) else int(parallelism)
    if inputs.get("adopt") is not None:
        checked["adopt"] = inputs["adopt"]
    checked["links"] = links_map(inputs["links"])
    return checked


def declared_link_items(project_key: Any, links: Any) -> list[LinkItem]:
    """The deployment record's names of the links a checked `links` map holds (none while
    the project or the map is unknown)."""
    if not isinstance(project_key, str) or not isinstance(links, Mapping):
        return []
    return [link_item(project_key, *split_link_name(name)) for name in links]


def links_map(links: Any) -> Any:
    if isinstance(links, Mapping) or is_unknown(links):
        return links
    if any(
        isinstance(spec, Unknown)
        or isinstance(spec.get("flag_key"), Unknown)
        or isinstance(spec.get("key"), Unknown)
        for spec in links
    ):
        return [_normalised_attributes(spec, keep_identity=True) for spec in links]
    return {
        link_name(spec["flag_key"], spec["key"]): _normalised_attributes(spec) for spec in links
    }


def _normalised_attributes(spec: Any, *, keep_identity: bool = False) -> Any:
    if isinstance(spec, Unknown):
        return spec
    normalised = normalise_flag_link_inputs({name: spec.get(name) for name in SPEC_FIELDS})
    if keep_identity:
        return normalised
    return {name: normalised[name] for name in ATTRIBUTES if name in normalised}


# -- diff and plan --------------------------------------------------------------------------------


def link_change(recorded: Mapping[str, Any], declared: Mapping[str, Any]) -> str | None:
    """None, "patch" (title/description only) or "replace", as FlagLink decides it."""
    changed = changed_inputs(
        {name: recorded.get(name) for name in ATTRIBUTES},
        {name: declared.get(name) for name in ATTRIBUTES},
    )
    changed = [name for name in changed if name in ATTRIBUTES]
    if not changed:
        return None
    return "replace" if any(name in REPLACE_INPUTS for name in changed) else "patch"


@dataclass(frozen=True)
class LinksPlan:
    """What an update does, by link name. `replace` deletes the recorded link, then creates."""

    create: tuple[str, ...] = ()
    patch: tuple[str, ...] = ()
    replace: tuple[str, ...] = ()
    delete: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.create or self.patch or self.replace or self.delete)


def plan_links(recorded: Mapping[str, Mapping[str, Any]], declared: Mapping[str, Any]) -> LinksPlan:
    """Compare the recorded links (state) with the declared ones (checked inputs)."""
    create: list[str] = []
    patch: list[str] = []
    replace: list[str] = []
    unchanged: list[str] = []
    for name in sorted(declared):
        if name not in recorded:
            create.append(name)
            continue
        change = link_change(recorded[name], declared[name])
        {None: unchanged, "patch": patch, "replace": replace}[change].append(name)
    delete = sorted(set(recorded) - set(declared))
    return LinksPlan(tuple(create), tuple(patch), tuple(replace), tuple(delete), tuple(unchanged))


def changed_inputs_of(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """Which of project_key, links and parallelism differ between the state and the inputs."""
    changed = []
    for name in ("project_key", "parallelism"):
        new = news.get(name)
        if is_unknown(new) or (new or None) != (olds.get(name) or None):
            changed.append(name)
    declared, recorded = news.get("links"), olds.get("links")
    if (
        not isinstance(declared, Mapping)
        or not isinstance(recorded, Mapping)
        or not plan_links(recorded, declared).is_empty
    ):
        changed.append("links")
    return changed


# -- outputs ----------------------------------------------------------------------------------


def recorded_link(link: FlagLink, declared: Mapping[str, Any]) -> dict[str, Any]:
    """What the state keeps of one link: LaunchDarkly's values of the attributes the program
    manages, and the `_id`. `deep_link` (of an integration link) and `timestamp` are kept only
    when declared: LaunchDarkly fills them in otherwise, and they would read as changes."""
    live = link_attributes(link)
    recorded: dict[str, Any] = {}
    for name in ATTRIBUTES:
        value = live[name]
        if name in ("deep_link", "timestamp") and declared.get(name) is None:
            continue
        if value is None or value == "" or value == {}:
            continue
        recorded[name] = value
    recorded[LINK_ID] = link.id
    return recorded


def declared_attributes(recorded: Mapping[str, Any]) -> dict[str, Any]:
    """A recorded link without its `_id`: the inputs a refresh reports."""
    return {name: value for name, value in recorded.items() if name != LINK_ID}


def flag_links_outputs(
    inputs: Mapping[str, Any], links: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    outputs: dict[str, Any] = {
        "project_key": inputs["project_key"],
        "links": {name: dict(links[name]) for name in sorted(links)},
        "link_count": len(links),
    }
    if inputs.get("parallelism") is not None:
        outputs["parallelism"] = inputs["parallelism"]
    return outputs


def flags_of(names: Sequence[str]) -> list[str]:
    """The distinct flags of these links, in order."""
    return sorted({split_link_name(name)[0] for name in names})
