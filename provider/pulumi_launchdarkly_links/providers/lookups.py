"""Reads from an ID alone: what `ViewMembership.get(name, id)` and `FlagLink.get(name, id)` see.

Pulumi's `get` calls a provider's `read` with the ID and no state. The IDs carry enough to find
the resource: `project_key/view_key` for a view and its members, `project_key/flag_key/link_id`
for a flag link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pulumi.dynamic import ReadResult

from .errors import ProviderError
from .membership_plan import membership_outputs, normalise_key_list, normalise_segments
from .membership_reader import MembershipReader, ViewGone

if TYPE_CHECKING:
    from ..api import LaunchDarklyClient

# Flags and segments every view supports; AI configs and metrics are read where the API has them.
_REQUIRED_TYPES = ("flags", "segments")
_OPTIONAL_TYPES = ("ai_configs", "metrics")


def split_id(id_: str, parts: tuple[str, ...], example: str) -> tuple[str, ...]:
    """The `/`-separated parts of a resource ID; ProviderError shows the expected shape."""
    values = tuple(id_.split("/"))
    if len(values) != len(parts) or not all(values):
        raise ProviderError(
            f"{id_!r} is not a valid ID here: write it as '{'/'.join(parts)}', e.g. {example!r}"
        )
    return values


def split_view_id(id_: str) -> tuple[str, str]:
    project_key, view_key = split_id(id_, ("project_key", "view_key"), "default/checkout")
    return project_key, view_key


def split_flag_link_id(id_: str) -> tuple[str, str, str]:
    project_key, flag_key, link_id = split_id(
        id_, ("project_key", "flag_key", "link_id"), "default/new-checkout/65a1b2c3d4e5f60718293a01"
    )
    return project_key, flag_key, link_id


def read_membership_by_id(client: LaunchDarklyClient, id_: str) -> ReadResult:
    """Every member linked to the view now, shaped as a non-exclusive ViewMembership listing
    them; AI configs and metrics are None where LaunchDarkly does not offer them."""
    project_key, view_key = split_view_id(id_)
    reader = MembershipReader(client, project_key, view_key)
    try:
        live = reader.read(_REQUIRED_TYPES)
    except ViewGone:
        return ReadResult(None, {})
    for name in _OPTIONAL_TYPES:
        try:
            live.update(reader.read([name]))
        except ProviderError:  # a type this account or API version does not support
            live[name] = None
    members = {
        "project_key": project_key,
        "view_key": view_key,
        "flags": normalise_key_list(live["flags"]),
        "segments": normalise_segments(live["segments"]),
        "ai_configs": normalise_key_list(live["ai_configs"]),
        "metrics": normalise_key_list(live["metrics"]),
        "exclusive": False,
        "adopt": False,
    }
    outputs = membership_outputs(members)
    inputs: dict[str, Any] = {k: v for k, v in members.items() if v is not None}
    return ReadResult(id_, outputs, inputs=inputs)
