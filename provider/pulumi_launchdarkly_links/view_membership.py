"""`ViewMembership` and `SegmentRef`: what a Pulumi program declares about a view's contents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic

from ._pickler_guard import unwrap_pulumi_pickler
from ._provider_reference import VIEW_MEMBERSHIP_PROVIDER
from .providers.membership_plan import COUNT_OUTPUTS, INPUT_NAMES, LINKED_BY_OTHERS


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
    # Members are maps keyed by member, in a preview and after an up alike, so that a preview
    # names each member added or removed: flags, AI configs and metrics `{key: True}`, segments
    # `{"environment_key/segment_key": environment_id}`. None: the type is not managed.
    flags: pulumi.Output[dict[str, bool] | None]
    """The listed flags as LaunchDarkly has them: after a refresh, those still linked and, with
    `exclusive=True`, also the ones others linked (named in `linked_by_others` too)."""
    segments: pulumi.Output[dict[str, str] | None]
    ai_configs: pulumi.Output[dict[str, bool] | None]
    metrics: pulumi.Output[dict[str, bool] | None]
    exclusive: pulumi.Output[bool]
    adopt: pulumi.Output[bool]
    comment: pulumi.Output[str | None]
    flag_count: pulumi.Output[int | None]
    """How many flags of the view this resource accounts for: those in `flags` and the filter's
    linked matches (in a preview: the count the up will record)."""
    segment_count: pulumi.Output[int | None]
    ai_config_count: pulumi.Output[int | None]
    metric_count: pulumi.Output[int | None]
    flag_filter: pulumi.Output[str | None]
    segment_filter: pulumi.Output[str | None]
    segment_filter_environment_key: pulumi.Output[str | None]
    segment_filter_environment_id: pulumi.Output[str | None]
    flag_filter_matches: pulumi.Output[dict[str, str] | None]
    """What `flag_filter` matches, each member's status: "linked", or after a refresh
    "not linked" / "no longer matches" until the next `up`."""
    segment_filter_matches: pulumi.Output[dict[str, str] | None]
    flag_filter_linked: pulumi.Output[list[str] | None]
    """The matches this resource linked itself, and so owns (others' links stay theirs)."""
    segment_filter_linked: pulumi.Output[list[str] | None]
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
        flag_filter: pulumi.Input[str] | None = None,
        segment_filter: pulumi.Input[str] | None = None,
        segment_filter_environment_key: pulumi.Input[str] | None = None,
        segment_filter_environment_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare members of one view (README, "What a ViewMembership owns").

        :param resource_name: the Pulumi resource name.
        :param project_key: the view's project key. Changing it replaces the resource.
        :param view_key: the view's key, lowercase. Changing it replaces the resource.
        :param flags: flag keys. A set: order and duplicates never cause a diff. None (the
            default) leaves flags unmanaged; an empty list manages them (no flags, when
            exclusive).
        :param segments: `SegmentRef(segment_key=..., environment_key=...)` (or
            `environment_id=`, the environment's `_id`), or dicts with the same fields.
        :param ai_configs: AI config keys.
        :param metrics: metric keys (some LaunchDarkly API versions refuse `metrics`).
        :param exclusive: False: own only the listed members and leave everything else alone.
            True: own every member of each listed type and unlink what is not listed.
        :param adopt: with `exclusive=True`, take over members the program does not list
            (they are unlinked) instead of refusing, when the resource becomes their owner.
            With a filter, also own the matches that were already linked (after an interrupted
            create, or a rename without aliases): `destroy` then unlinks them.
        :param comment: sent with LaunchDarkly link requests.
        :param flag_filter: also link every flag matching this LaunchDarkly flag list filter
            (e.g. `tags:checkout`, `maintainerTeamKey:payments`); re-resolved by every up
            and refresh, so flags that start or stop matching show as drift.
        :param segment_filter: also link every segment of one environment matching this
            segment query filter (e.g. `tags anyOf ["checkout"]`).
        :param segment_filter_environment_key: the environment `segment_filter` searches.
        :param segment_filter_environment_id: or its `_id` (exactly one of the two).
        :param opts: Pulumi resource options.
        """
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
            "flag_filter": flag_filter,
            "segment_filter": segment_filter,
            "segment_filter_environment_key": segment_filter_environment_key,
            "segment_filter_environment_id": segment_filter_environment_id,
            "flag_filter_matches": None,
            "segment_filter_matches": None,
            "flag_filter_linked": None,
            "segment_filter_linked": None,
            # Outputs exist only for keys present in props, so the computed ones are seeded.
            **dict.fromkeys(COUNT_OUTPUTS.values()),
            LINKED_BY_OTHERS: None,
        }
        unwrap_pulumi_pickler()  # else ~985 dynamic resources in one program overflow
        super().__init__(VIEW_MEMBERSHIP_PROVIDER, resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> ViewMembership:
        """Every member linked to the view with this ID (`project_key/view_key`) now, read at
        every run, as a non-exclusive membership listing them; AI configs and metrics are None
        where LaunchDarkly does not offer them. Pulumi never changes a resource it only reads."""
        membership = ViewMembership.__new__(ViewMembership)
        outputs = [*INPUT_NAMES, *COUNT_OUTPUTS.values(), LINKED_BY_OTHERS]
        unwrap_pulumi_pickler()
        dynamic.Resource.__init__(
            membership,
            VIEW_MEMBERSHIP_PROVIDER,
            resource_name,
            dict.fromkeys(outputs),
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id)),
        )
        return membership
