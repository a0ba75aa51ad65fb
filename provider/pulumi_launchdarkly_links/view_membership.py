"""`ViewMembership` and `SegmentRef`: what a Pulumi program declares about a view's contents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic

from ._pickler_guard import unwrap_pulumi_pickler
from .providers.membership_plan import COUNT_OUTPUTS, LINKED_BY_OTHERS
from .providers.view_membership import ViewMembershipProvider


@dataclass(frozen=True)
class SegmentRef:
    """A segment in one environment: give `environment_key` or `environment_id` (its `_id`)."""

    segment_key: pulumi.Input[str]
    environment_key: pulumi.Input[str] | None = None
    environment_id: pulumi.Input[str] | None = None

    def as_input(self) -> dict[str, Any]:
        fields = {
            "segment_key": self.segment_key,
            "environment_key": self.environment_key,
            "environment_id": self.environment_id,
        }
        return {name: value for name, value in fields.items() if value is not None}


def _segment_inputs(segments: Any) -> Any:
    def convert(items: Any) -> Any:
        if not isinstance(items, Sequence) or isinstance(items, str | bytes):
            return items  # the provider's check names the mistake at preview
        return [item.as_input() if isinstance(item, SegmentRef) else item for item in items]

    if isinstance(segments, pulumi.Output):
        return segments.apply(convert)
    return convert(segments)


class ViewMembership(dynamic.Resource, module="launchdarkly", name="ViewMembership"):
    """The flags, segments, AI configs and metrics linked to one LaunchDarkly view.

    Lists are sets. With `exclusive=False` only the listed members are managed; with
    `exclusive=True` the resource owns each listed type's membership of the view.
    """

    project_key: pulumi.Output[str]
    view_key: pulumi.Output[str]
    flags: pulumi.Output[list[str] | None]
    segments: pulumi.Output[list[dict[str, str]] | None]
    ai_configs: pulumi.Output[list[str] | None]
    metrics: pulumi.Output[list[str] | None]
    exclusive: pulumi.Output[bool]
    adopt: pulumi.Output[bool]
    comment: pulumi.Output[str | None]
    flag_count: pulumi.Output[int | None]
    segment_count: pulumi.Output[int | None]
    ai_config_count: pulumi.Output[int | None]
    metric_count: pulumi.Output[int | None]
    linked_by_others: pulumi.Output[dict[str, list[Any]] | None]
    """Exclusive only: members a refresh found linked that the program does not declare (the
    next `pulumi up` unlinks them). None when there are none."""

    def __init__(
        self,
        resource_name: str,
        *,
        project_key: pulumi.Input[str],
        view_key: pulumi.Input[str],
        flags: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        segments: pulumi.Input[Sequence[SegmentRef | Mapping[str, Any]]] | None = None,
        ai_configs: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        metrics: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        exclusive: pulumi.Input[bool] = False,
        adopt: pulumi.Input[bool] = False,
        comment: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            "project_key": project_key,
            "view_key": view_key,
            "flags": flags,
            "segments": _segment_inputs(segments),
            "ai_configs": ai_configs,
            "metrics": metrics,
            "exclusive": exclusive,
            "adopt": adopt,
            "comment": comment,
            # Outputs exist only for keys present in props, so the computed ones are seeded.
            **dict.fromkeys(COUNT_OUTPUTS.values()),
            LINKED_BY_OTHERS: None,
        }
        unwrap_pulumi_pickler()  # else ~985 dynamic resources in one program overflow
        super().__init__(ViewMembershipProvider(), resource_name, props, opts)
