"""`get_view`: a view and its linked flags and segments, for programs that only read.

It runs in the program, not in the provider, and is configured like the resources: Pulumi
config `launchdarkly:accessToken` / `launchdarkly:apiHost`, else the environment variables
`LAUNCHDARKLY_ACCESS_TOKEN` / `LAUNCHDARKLY_API_HOST` (also outside any Pulumi program).
The token is read for the requests only; nothing returned holds it.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi

from .view import View

if TYPE_CHECKING:
    from .api import LaunchDarklyClient


class ViewNotFoundError(LookupError):
    """LaunchDarkly confirmed that the view (or its project) does not exist."""


@dataclass(frozen=True)
class LinkedSegment:
    environment_id: str
    segment_key: str
    environment_key: str | None = None


@dataclass(frozen=True)
class ViewInfo:
    """A view as LaunchDarkly reports it, with the flags and segments linked to it.

    `as_dict()` gives plain values for `pulumi.export`.
    """

    project_key: str
    key: str
    name: str
    description: str
    tags: list[str]
    maintainer_id: str | None
    maintainer_team_key: str | None
    view_id: str | None
    version: int | None
    created_at: int | None
    updated_at: int | None
    flags: list[str] = field(default_factory=list)
    segments: list[LinkedSegment] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_view(client: LaunchDarklyClient, project_key: str, view_key: str) -> ViewInfo:
    """One GET of the view, then every page of its linked flags and of its linked segments."""
    from .api import NotFoundError  # the HTTP stack, only once a lookup is made

    try:
        view = client.get_view(project_key, view_key)
        flags = client.list_linked_resources(project_key, view_key, "flags")
        segments = client.list_linked_resources(project_key, view_key, "segments")
    except NotFoundError as error:
        raise ViewNotFoundError(
            f"view '{view_key}' was not found in project '{project_key}' "
            f"(LaunchDarkly said: {error.message}); check both keys (view keys are lowercase)"
        ) from None
    return ViewInfo(
        project_key=project_key,
        key=view.key,
        name=view.name,
        description=view.description or "",
        tags=sorted(view.tags or []),
        maintainer_id=view.maintainer_id,
        maintainer_team_key=view.maintainer_team_key,
        view_id=view.id,
        version=view.version,
        created_at=view.created_at,
        updated_at=view.updated_at,
        flags=sorted(item.resource_key for item in flags),
        segments=sorted(
            (
                LinkedSegment(
                    environment_id=item.environment_id or "",
                    segment_key=item.resource_key,
                    environment_key=item.environment_key,
                )
                for item in segments
            ),
            key=lambda s: (s.environment_key or s.environment_id, s.segment_key),
        ),
    )


def get_view(project_key: str, view_key: str) -> ViewInfo:
    """The view `project_key/view_key` now, with its linked flags and segments (3 requests or
    more: one per page of members). Raises ViewNotFoundError when LaunchDarkly says it is gone.

    Runs when called, during `preview` too. For keys that are Outputs use `get_view_output`.
    """
    from .api import ClientSettings, LaunchDarklyClient  # the HTTP stack, only when called

    settings = ClientSettings.resolve(pulumi.runtime.get_config, os.environ)
    with LaunchDarklyClient(
        access_token=settings.access_token, base_url=settings.base_url
    ) as client:
        return read_view(client, project_key, view_key)


def get_view_output(
    project_key: pulumi.Input[str], view_key: pulumi.Input[str]
) -> pulumi.Output[ViewInfo]:
    """`get_view` once both keys are known (e.g. `get_view_output("default", view.key)`).

    Keys that come from a `View` of this program wait for that View: the view is read once it
    is created or updated, and while a preview plans that, the result is unknown.
    """
    keys = pulumi.Output.all(project_key, view_key)
    views_behind: pulumi.Input[list[View]] = _views_behind(keys)
    views: pulumi.Output[list[View]] = pulumi.Output.from_input(views_behind)
    views_answered: pulumi.Output[list[Any]] = views.apply(_view_ids)
    return pulumi.Output.all(keys, views_answered).apply(
        lambda values: get_view(str(values[0][0]), str(values[0][1]))
    )


async def _views_behind(keys: pulumi.Output[Any]) -> list[View]:
    """The Views of this program that `keys` come from."""
    return [resource for resource in await keys.resources() if isinstance(resource, View)]


def _view_ids(views: list[View]) -> pulumi.Output[list[Any]]:
    """Known only once LaunchDarkly has answered for each view: unknown in a preview that
    creates or changes one."""
    return pulumi.Output.all(*(view.view_id for view in views))
