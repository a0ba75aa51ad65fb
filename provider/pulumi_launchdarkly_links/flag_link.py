"""`FlagLink`: an external link (ticket, runbook, dashboard) attached to a LaunchDarkly flag."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi import dynamic

from ._pickler_guard import unwrap_pulumi_pickler
from .providers.flag_link import FlagLinkProvider


class FlagLink(dynamic.Resource, module="launchdarkly", name="FlagLink"):
    """A flag link. `title` and `description` change in place; other changes replace it."""

    project_key: pulumi.Output[str]
    flag_key: pulumi.Output[str]
    key: pulumi.Output[str]
    deep_link: pulumi.Output[str | None]
    title: pulumi.Output[str | None]
    description: pulumi.Output[str | None]
    integration_key: pulumi.Output[str | None]
    metadata: pulumi.Output[dict[str, str] | None]
    timestamp: pulumi.Output[int]
    link_id: pulumi.Output[str]
    created_at: pulumi.Output[int]
    created_by: pulumi.Output[dict[str, str] | None]

    def __init__(
        self,
        resource_name: str,
        *,
        project_key: pulumi.Input[str],
        flag_key: pulumi.Input[str],
        deep_link: pulumi.Input[str] | None = None,
        title: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        key: pulumi.Input[str] | None = None,
        integration_key: pulumi.Input[str] | None = None,
        metadata: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        timestamp: pulumi.Input[int | str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            "project_key": project_key,
            "flag_key": flag_key,
            "key": key if key is not None else resource_name,
            "deep_link": deep_link,
            "title": title,
            "description": description,
            "integration_key": integration_key,
            "metadata": metadata,
            "timestamp": timestamp,
            # Outputs exist only for keys present in props, so the computed ones are seeded.
            "link_id": None,
            "created_at": None,
            "created_by": None,
        }
        unwrap_pulumi_pickler()  # else ~985 dynamic resources in one program overflow
        super().__init__(FlagLinkProvider(), resource_name, props, opts)
