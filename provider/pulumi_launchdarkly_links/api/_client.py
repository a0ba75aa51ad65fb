"""`LaunchDarklyClient`: the endpoints the providers call, one method each.

Each method names its path template (also LaunchDarkly's rate-limit bucket), the model its
answer parses into, the hint a 404 gives the user, and whether the call is safe to repeat
(`idempotent`). Sending, pacing, retrying and mapping errors are `_base_client.BaseClient`'s job;
the path templates and 404 hints live here, beside the endpoints that use them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from ._base_client import BaseClient, build_path
from ._models import (
    Environment,
    EnvironmentPage,
    FlagLink,
    FlagLinkCollection,
    FlagLinkPost,
    JsonPatchOperation,
    KeyedPage,
    LinkedPage,
    LinkedResource,
    LinkRequest,
    LinkResult,
    Project,
    ResourceType,
    View,
    ViewPatch,
    ViewPost,
)
from ._pages import OffsetIgnored, Page, read_all_pages

_PROJECTS = "/api/v2/projects/{project_key}"
_VIEWS = _PROJECTS + "/views"
_VIEW = _VIEWS + "/{view_key}"
_FLAG_LINKS = "/api/v2/flag-links/projects/{project_key}/flags/{flag_key}"


class LaunchDarklyClient(BaseClient):
    """Thread-safe client for the LaunchDarkly Views and Flag links (beta) APIs.

    One instance holds one `httpx.Client` (a pool of up to 16 connections) and one
    `RateLimitGate`; share it between the threads of a provider. `sleep`, `clock` and `rng`
    are injectable so tests can record waits instead of sleeping.
    """

    # -- projects, environments, flags ----------------------------------------------------

    def get_project(self, project_key: str) -> Project:
        return self._call(
            "GET",
            _PROJECTS,
            Project,
            segments={"project_key": project_key},
            not_found_hint=f"Check that project '{project_key}' exists.",
        )

    def get_environment(self, project_key: str, environment_key: str) -> Environment:
        return self._call(
            "GET",
            _PROJECTS + "/environments/{environment_key}",
            Environment,
            segments={"project_key": project_key, "environment_key": environment_key},
            not_found_hint=(
                f"Check that environment '{environment_key}' exists in project '{project_key}'."
            ),
        )

    def get_flag(self, project_key: str, flag_key: str) -> dict[str, Any]:
        template = "/api/v2/flags/{project_key}/{flag_key}"
        path = build_path(template, project_key=project_key, flag_key=flag_key)
        response = self._request(
            "GET",
            path,
            route=template,
            not_found_hint=f"Check that flag '{flag_key}' exists in project '{project_key}'.",
        )
        data = self._json("GET", path, response)
        if not isinstance(data, dict):
            raise self._invalid("GET", path, response, "expected a JSON object (a flag)")
        return data

    # -- views ------------------------------------------------------------------------------

    def get_view(self, project_key: str, view_key: str) -> View:
        return self._call(
            "GET",
            _VIEW,
            View,
            segments={"project_key": project_key, "view_key": view_key},
            not_found_hint=_view_hint(project_key, view_key),
        )

    def create_view(self, project_key: str, key: str, name: str, description: str = "") -> View:
        return self._call(
            "POST",
            _VIEWS,
            View,
            segments={"project_key": project_key},
            json={"key": key, "name": name, "description": description},
            not_found_hint=f"Check that project '{project_key}' exists.",
        )

    def delete_view(self, project_key: str, view_key: str) -> None:
        self._call_no_content(
            "DELETE",
            _VIEW,
            segments={"project_key": project_key, "view_key": view_key},
            not_found_hint=_view_hint(project_key, view_key),
        )

    def link_resources(
        self,
        project_key: str,
        view_key: str,
        resource_type: ResourceType,
        request: LinkRequest,
    ) -> LinkResult:
        """Link resources to a view. Check `failure_count`: partial failure is still a 200."""
        return self._link_call("POST", project_key, view_key, resource_type, request)

    def unlink_resources(
        self,
        project_key: str,
        view_key: str,
        resource_type: ResourceType,
        request: LinkRequest,
    ) -> LinkResult:
        """Unlink resources from a view (a DELETE with a JSON body). Check `failure_count`."""
        return self._link_call("DELETE", project_key, view_key, resource_type, request)

    def _link_call(
        self,
        method: str,
        project_key: str,
        view_key: str,
        resource_type: ResourceType,
        request: LinkRequest,
    ) -> LinkResult:
        return self._call(
            method,
            _VIEW + "/link/{resource_type}",
            LinkResult,
            segments={
                "project_key": project_key,
                "view_key": view_key,
                "resource_type": resource_type,
            },
            json=request.to_json_body(),
            not_found_hint=_view_hint(project_key, view_key),
            idempotent=True,
        )

    def list_linked_resources(
        self,
        project_key: str,
        view_key: str,
        resource_type: ResourceType,
        page_size: int = 100,
    ) -> list[LinkedResource]:
        """Every resource of one type linked to a view, across all pages.

        The first page gives the total and the page size the server allows (it may cap
        `limit`); the other pages are then read in parallel (`_pages.read_all_pages`). A full
        page that adds nothing new means the server ignores `offset`; that raises rather than
        loop or return a subset.
        """
        if page_size < 1:
            raise ValueError(f"page_size must be >= 1, got {page_size}")
        template = _VIEW + "/linked/{resource_type}"
        segments = {
            "project_key": project_key,
            "view_key": view_key,
            "resource_type": resource_type,
        }
        path = build_path(template, **segments)
        last_response: dict[int, httpx.Response] = {}

        def fetch(offset: int) -> Page[LinkedResource]:
            response = self._request(
                "GET",
                path,
                params={"limit": page_size, "offset": offset},
                route=template,
                not_found_hint=_view_hint(project_key, view_key),
            )
            last_response[offset] = response
            page = self._parse("GET", path, response, LinkedPage)
            return Page(page.items, page.total_count)

        try:
            return read_all_pages(
                fetch, lambda item: (item.resource_type, item.resource_key, item.environment_id)
            )
        except OffsetIgnored as ignored:
            raise self._invalid("GET", path, last_response[ignored.offset], str(ignored)) from None

    # -- catalogue lists, for filters ---------------------------------------------------------

    def list_flag_keys(self, project_key: str, flag_filter: str) -> list[str]:
        """Keys of the flags matching LaunchDarkly's flag list `filter` (e.g. `tags:checkout`)."""
        return self._list_keys(
            "/api/v2/flags/{project_key}",
            {"project_key": project_key},
            {"filter": flag_filter, "summary": "true"},
            page_size=100,
            hint=f"Check that project '{project_key}' exists.",
        )

    def list_segment_keys(
        self, project_key: str, environment_key: str, segment_filter: str
    ) -> list[str]:
        """Keys of one environment's segments matching a segment query filter."""
        return self._list_keys(
            "/api/v2/segments/{project_key}/{environment_key}",
            {"project_key": project_key, "environment_key": environment_key},
            {"filter": segment_filter},
            page_size=50,
            hint=(f"Check that environment '{environment_key}' exists in project '{project_key}'."),
        )

    def list_environments(self, project_key: str) -> list[Environment]:
        template = _PROJECTS + "/environments"
        path = build_path(template, project_key=project_key)

        def fetch(offset: int) -> Page[Environment]:
            response = self._request(
                "GET",
                path,
                params={"limit": 20, "offset": offset},
                route=template,
                not_found_hint=f"Check that project '{project_key}' exists.",
            )
            page = self._parse("GET", path, response, EnvironmentPage)
            return Page(page.items, page.total_count)

        return read_all_pages(fetch, lambda environment: environment.id)

    def _list_keys(
        self,
        template: str,
        segments: Mapping[str, str],
        params: Mapping[str, str],
        *,
        page_size: int,
        hint: str,
    ) -> list[str]:
        path = build_path(template, **segments)

        def fetch(offset: int) -> Page[str]:
            response = self._request(
                "GET",
                path,
                params={**params, "limit": page_size, "offset": offset},
                route=template,
                not_found_hint=hint,
            )
            page = self._parse("GET", path, response, KeyedPage)
            return Page([item.key for item in page.items], page.total_count)

        return read_all_pages(fetch, lambda key: key)

    # -- flag links -------------------------------------------------------------------------

    def list_flag_links(self, project_key: str, flag_key: str) -> list[FlagLink]:
        collection = self._call(
            "GET",
            _FLAG_LINKS,
            FlagLinkCollection,
            segments={"project_key": project_key, "flag_key": flag_key},
            not_found_hint=_flag_hint(project_key, flag_key),
        )
        return collection.items

    def create_flag_link(self, project_key: str, flag_key: str, link: FlagLinkPost) -> FlagLink:
        return self._call(
            "POST",
            _FLAG_LINKS,
            FlagLink,
            segments={"project_key": project_key, "flag_key": flag_key},
            json=link.to_json_body(),
            expected=(201,),
            not_found_hint=_flag_hint(project_key, flag_key),
        )

    def update_flag_link(
        self,
        project_key: str,
        flag_key: str,
        link_id: str,
        operations: list[JsonPatchOperation],
    ) -> FlagLink:
        return self._call(
            "PATCH",
            _FLAG_LINKS + "/{link_id}",
            FlagLink,
            segments={"project_key": project_key, "flag_key": flag_key, "link_id": link_id},
            json=[operation.to_json_body() for operation in operations],
            not_found_hint=_flag_link_hint(project_key, flag_key, link_id),
        )

    def delete_flag_link(self, project_key: str, flag_key: str, link_id: str) -> None:
        self._call_no_content(
            "DELETE",
            _FLAG_LINKS + "/{link_id}",
            segments={"project_key": project_key, "flag_key": flag_key, "link_id": link_id},
            not_found_hint=_flag_link_hint(project_key, flag_key, link_id),
        )

    # -- views: the View resource's calls ---------------------------------------------------

    def post_view(self, project_key: str, view: ViewPost) -> View:
        """Create a view from a full `ViewPost`; a view with that key answers 409. Not repeated
        on a 5xx or a lost answer: the caller looks (GET) before it creates again."""
        return self._call(
            "POST",
            _VIEWS,
            View,
            segments={"project_key": project_key},
            json=view.to_json_body(),
            not_found_hint=f"Check that project '{project_key}' exists.",
        )

    def update_view(self, project_key: str, view_key: str, patch: ViewPatch) -> View:
        """Replace the fields set in `patch` (a plain JSON object, not JSON Patch). Repeating it
        sets the same values again, so it is retried like a GET."""
        return self._call(
            "PATCH",
            _VIEW,
            View,
            segments={"project_key": project_key, "view_key": view_key},
            json=patch.to_json_body(),
            not_found_hint=_view_hint(project_key, view_key),
            idempotent=True,
        )

    def get_view_expanded(self, project_key: str, view_key: str, expand: Iterable[str]) -> View:
        """GET a view with `expand` (e.g. `flagsSummary`), sent comma-separated as documented."""
        return self._call(
            "GET",
            _VIEW,
            View,
            segments={"project_key": project_key, "view_key": view_key},
            params={"expand": ",".join(expand)},
            not_found_hint=_view_hint(project_key, view_key),
        )


def _view_hint(project_key: str, view_key: str) -> str:
    return (
        f"Check that view '{view_key}' exists in project '{project_key}' "
        "(LaunchDarkly stores view keys in lowercase)."
    )


def _flag_hint(project_key: str, flag_key: str) -> str:
    return f"Check that flag '{flag_key}' exists in project '{project_key}'."


def _flag_link_hint(project_key: str, flag_key: str, link_id: str) -> str:
    return (
        f"Check that flag '{flag_key}' in project '{project_key}' still has a link "
        f"with ID '{link_id}'."
    )
