"""`View`: a LaunchDarkly view itself (name, description, tags, maintainer), not its members."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi import dynamic

from ._pickler_guard import unwrap_pulumi_pickler
from ._provider_reference import VIEW_PROVIDER
from .providers.view_plan import OUTPUT_NAMES, REPORTED_OUTPUTS


class View(dynamic.Resource, module="launchdarkly", name="View"):
    """One view. `project_key` and `key` replace it when changed; the rest change in place.

    An optional input left out (None) is not managed: the view keeps its value and the output
    reports it. Members are not the View's: link them with `ViewMembership(view_key=view.key)`.
    Delete refuses a view that still has members unless `force_destroy=True`.
    """

    project_key: pulumi.Output[str]
    key: pulumi.Output[str]
    name: pulumi.Output[str]
    description: pulumi.Output[str]
    tags: pulumi.Output[list[str]]
    maintainer_id: pulumi.Output[str | None]
    maintainer_team_key: pulumi.Output[str | None]
    adopt: pulumi.Output[bool]
    force_destroy: pulumi.Output[bool]
    view_id: pulumi.Output[str]
    """The view's `id` in LaunchDarkly (Pulumi's own `id` is `project_key/key`)."""
    project_id: pulumi.Output[str | None]
    version: pulumi.Output[int | None]
    created_at: pulumi.Output[int | None]
    updated_at: pulumi.Output[int | None]
    affects_sdk_payload: pulumi.Output[bool | None]

    def __init__(
        self,
        resource_name: str,
        *,
        project_key: pulumi.Input[str],
        key: pulumi.Input[str],
        name: pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        tags: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        maintainer_id: pulumi.Input[str] | None = None,
        maintainer_team_key: pulumi.Input[str] | None = None,
        adopt: pulumi.Input[bool] = False,
        force_destroy: pulumi.Input[bool] = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare one view (README, "View").

        :param resource_name: the Pulumi resource name.
        :param project_key: the view's project key. Changing it replaces the view.
        :param key: the view's key, lowercase (LaunchDarkly lowercases view keys; an uppercase
            key fails at preview). Changing it replaces the view.
        :param name: the view's name as the UI shows it.
        :param description: the view's description. None (the default) leaves it unmanaged;
            "" manages it as empty.
        :param tags: tags, a set: order and duplicates never cause a diff. None leaves them
            unmanaged; [] manages them as none.
        :param maintainer_id: the maintaining member's ID (24 hexadecimal characters). Give at
            most one of `maintainer_id` and `maintainer_team_key`; neither leaves the maintainer
            unmanaged.
        :param maintainer_team_key: the maintaining team's key.
        :param adopt: when a view with this key already exists (even one exactly like this),
            take it over and write the declared inputs that differ to it, instead of failing.
            A create cannot tell a renamed resource or another stack's view from its own: to
            rename this View, use `opts=pulumi.ResourceOptions(aliases=[...])` instead. An
            adopted view is owned: a later destroy deletes it.
        :param force_destroy: delete the view even when it still has members linked (their
            links go with it). False (the default): such a delete fails and changes nothing.
        :param opts: Pulumi resource options; `retain_on_delete=True` keeps the view in
            LaunchDarkly when the resource is deleted.
        """
        props: dict[str, Any] = {
            "project_key": project_key,
            "key": key,
            "name": name,
            "description": description,
            "tags": tags,
            "maintainer_id": maintainer_id,
            "maintainer_team_key": maintainer_team_key,
            "adopt": adopt,
            "force_destroy": force_destroy,
            # Outputs exist only for keys present in props, so the computed ones are seeded.
            **dict.fromkeys(REPORTED_OUTPUTS),
        }
        unwrap_pulumi_pickler()  # else ~985 dynamic resources in one program overflow
        super().__init__(VIEW_PROVIDER, resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> View:
        """The live view with this ID, read at every run; Pulumi never changes or deletes a
        resource it only reads.

        :param resource_name: the Pulumi resource name.
        :param id: `project_key/view_key`, e.g. "default/checkout".
        :param opts: Pulumi resource options.
        """
        view = View.__new__(View)
        unwrap_pulumi_pickler()
        dynamic.Resource.__init__(
            view,
            VIEW_PROVIDER,
            resource_name,
            dict.fromkeys(OUTPUT_NAMES),
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id)),
        )
        return view
