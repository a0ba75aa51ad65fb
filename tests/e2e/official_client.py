"""Out-of-band changes made with LaunchDarkly's own Python client (`launchdarkly-api`).

Drift in the end-to-end tests comes from code nobody here wrote, the way a colleague clicking in
the LaunchDarkly UI or another tool would make it.
"""

from __future__ import annotations

from typing import Any

import launchdarkly_api
from launchdarkly_api import (
    ViewLinkRequest,
    ViewLinkRequestKeys,
    ViewLinkRequestSegmentIdentifier,
    ViewLinkRequestSegmentIdentifiers,
    ViewPatch,
    ViewPost,
)

from pulumi_launchdarkly_links.emulator import EmulatorServer


class OfficialClient:
    def __init__(self, emulator: EmulatorServer) -> None:
        configuration = launchdarkly_api.Configuration(host=emulator.url)
        configuration.api_key["ApiKey"] = emulator.token
        self.api_client = launchdarkly_api.ApiClient(configuration)
        self.api_client.set_default_header("LD-API-Version", "beta")
        self.views = launchdarkly_api.ViewsApi(self.api_client)
        self.flag_links = launchdarkly_api.FlagLinksBetaApi(self.api_client)
        self.flags = launchdarkly_api.FeatureFlagsApi(self.api_client)
        self.segments = launchdarkly_api.SegmentsApi(self.api_client)

    def link_flags(self, project: str, view: str, keys: list[str]) -> int:
        request = ViewLinkRequest(ViewLinkRequestKeys(keys=keys))
        return int(self.views.link_resource(project, view, "flags", request).success_count)

    def unlink_flags(self, project: str, view: str, keys: list[str]) -> int:
        request = ViewLinkRequest(ViewLinkRequestKeys(keys=keys))
        return int(self.views.unlink_resource(project, view, "flags", request).success_count)

    def link_segments(self, project: str, view: str, segments: list[tuple[str, str]]) -> int:
        """Link `(environment_id, segment_key)` pairs; returns the answer's successCount."""
        request = _segment_request(segments)
        return int(self.views.link_resource(project, view, "segments", request).success_count)

    def unlink_segments(self, project: str, view: str, segments: list[tuple[str, str]]) -> int:
        """Unlink `(environment_id, segment_key)` pairs; returns the answer's successCount."""
        request = _segment_request(segments)
        return int(self.views.unlink_resource(project, view, "segments", request).success_count)

    def delete_flag(self, project: str, flag: str) -> None:
        self.flags.delete_feature_flag(project, flag)

    def delete_segment(self, project: str, environment_key: str, segment_key: str) -> None:
        self.segments.delete_segment(project, environment_key, segment_key)

    def delete_view(self, project: str, view: str) -> None:
        self.views.delete_view(project, view)

    def create_view(self, project: str, key: str, name: str, **fields: Any) -> None:
        """`fields` as ViewPost names them: description, tags, maintainer_id, ..."""
        self.views.create_view(project, ViewPost(key=key, name=name, **fields))

    def update_view(self, project: str, view: str, **fields: Any) -> None:
        """A change made in the UI: `fields` as ViewPatch names them (name, tags, ...)."""
        self.views.update_view(project, view, ViewPatch(**fields))

    def get_view(self, project: str, view: str) -> launchdarkly_api.View:
        return self.views.get_view(project, view)

    def delete_flag_link(self, project: str, flag: str, link_id: str) -> None:
        self.flag_links.delete_flag_link(project, flag, link_id)

    def set_flag_link_title(self, project: str, flag: str, link_id: str, title: str) -> None:
        patch = [launchdarkly_api.PatchOperation(op="replace", path="/title", value=title)]
        self.flag_links.update_flag_link(project, flag, link_id, patch)


def _segment_request(segments: list[tuple[str, str]]) -> ViewLinkRequest:
    identifiers = [
        ViewLinkRequestSegmentIdentifier(environment_id=env_id, segment_key=key)
        for env_id, key in segments
    ]
    return ViewLinkRequest(ViewLinkRequestSegmentIdentifiers(segment_identifiers=identifiers))
