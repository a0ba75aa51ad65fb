"""Pydantic models of the LaunchDarkly wire format used by the Views and Flag links (beta) APIs.

Response models accept fields LaunchDarkly adds later (`extra="allow"`). Request models are
serialized with their camelCase aliases and without unset (None) fields via `to_json_body()`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ResourceType = Literal["flags", "segments", "aiConfigs", "metrics"]
"""The `{resourceType}` path segment of link, unlink and linked-resource calls."""


class LaunchDarklyModel(BaseModel):
    """Base of every model: tolerate new fields, accept field names or wire aliases."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_json_body(self) -> dict[str, Any]:
        """The request body LaunchDarkly expects: camelCase keys, no null fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class SegmentIdentifier(LaunchDarklyModel):
    """A segment in one environment; `environment_id` is the environment's opaque `_id`."""

    environment_id: str = Field(alias="environmentId")
    segment_key: str = Field(alias="segmentKey")


class LinkRequest(LaunchDarklyModel):
    """Body of link and unlink calls: flag / AI Config / metric keys, or segment identifiers."""

    keys: list[str] | None = None
    segment_identifiers: list[SegmentIdentifier] | None = Field(
        default=None, alias="segmentIdentifiers"
    )
    comment: str | None = None


class FailedResource(LaunchDarklyModel):
    """One resource LaunchDarkly could not link or unlink (reported inside a 200 answer)."""

    resource_key: str = Field(alias="resourceKey")
    resource_type: str = Field(alias="resourceType")
    environment_id: str | None = Field(default=None, alias="environmentId")
    error_message: str = Field(default="", alias="errorMessage")


class LinkResult(LaunchDarklyModel):
    """Answer to link and unlink calls; partial failure arrives as 200 with `failure_count > 0`."""

    success_count: int = Field(alias="successCount")
    failure_count: int = Field(alias="failureCount")
    failed_resources: list[FailedResource] = Field(default_factory=list, alias="failedResources")


class LinkedResource(LaunchDarklyModel):
    """One resource linked to a view; `resource_type` is singular (`flag`, `segment`, ...)."""

    resource_key: str = Field(alias="resourceKey")
    resource_type: str = Field(alias="resourceType")
    linked_at: int = Field(alias="linkedAt")
    environment_id: str | None = Field(default=None, alias="environmentId")
    environment_key: str | None = Field(default=None, alias="environmentKey")


class LinkedPage(LaunchDarklyModel):
    """One page of `GET .../views/{viewKey}/linked/{resourceType}`."""

    items: list[LinkedResource]
    total_count: int = Field(alias="totalCount")


class ViewMaintainerMember(LaunchDarklyModel):
    id: str
    email: str | None = None
    role: str | None = None
    first_name: str | None = Field(default=None, alias="firstName")
    last_name: str | None = Field(default=None, alias="lastName")


class ViewMaintainerTeam(LaunchDarklyModel):
    key: str
    id: str | None = None
    name: str | None = None


class ViewMaintainer(LaunchDarklyModel):
    """A view's `maintainer`: a member (`kind` "member") or a team (`kind` "team")."""

    id: str | None = None
    kind: str | None = None
    maintainer_member: ViewMaintainerMember | None = Field(default=None, alias="maintainerMember")
    maintainer_team: ViewMaintainerTeam | None = Field(default=None, alias="maintainerTeam")


class ViewSummary(LaunchDarklyModel):
    """`flagsSummary`, `segmentsSummary`, ... of an expanded view: how many are linked."""

    count: int


class View(LaunchDarklyModel):
    """A LaunchDarkly view (beta). Only the fields this project reads are typed."""

    key: str
    name: str
    id: str | None = None
    account_id: str | None = Field(default=None, alias="accountId")
    project_id: str | None = Field(default=None, alias="projectId")
    project_key: str | None = Field(default=None, alias="projectKey")
    description: str | None = None
    tags: list[str] | None = None
    version: int | None = None
    created_at: int | None = Field(default=None, alias="createdAt")
    updated_at: int | None = Field(default=None, alias="updatedAt")
    deleted: bool | None = None
    affects_sdk_payload: bool | None = Field(default=None, alias="_affectsSdkPayload")
    maintainer: ViewMaintainer | None = None
    flags_summary: ViewSummary | None = Field(default=None, alias="flagsSummary")
    segments_summary: ViewSummary | None = Field(default=None, alias="segmentsSummary")
    ai_configs_summary: ViewSummary | None = Field(default=None, alias="aiConfigsSummary")
    metrics_summary: ViewSummary | None = Field(default=None, alias="metricsSummary")

    @property
    def maintainer_id(self) -> str | None:
        """The maintaining member's id: from `maintainer`, else a top-level `maintainerId`."""
        maintainer = self.maintainer
        if maintainer is not None and maintainer.maintainer_member is not None:
            return maintainer.maintainer_member.id
        if maintainer is not None and maintainer.kind == "member" and maintainer.id:
            return maintainer.id
        extra = (self.model_extra or {}).get("maintainerId")
        return extra if isinstance(extra, str) and extra else None

    @property
    def maintainer_team_key(self) -> str | None:
        """The maintaining team's key: from `maintainer`, else a top-level `maintainerTeamKey`."""
        maintainer = self.maintainer
        if maintainer is not None and maintainer.maintainer_team is not None:
            return maintainer.maintainer_team.key
        extra = (self.model_extra or {}).get("maintainerTeamKey")
        return extra if isinstance(extra, str) and extra else None


class Project(LaunchDarklyModel):
    key: str
    name: str
    id: str | None = Field(default=None, alias="_id")


class Environment(LaunchDarklyModel):
    """An environment; `id` (`_id`) is what segment identifiers call `environmentId`."""

    id: str = Field(alias="_id")
    key: str
    name: str


class EnvironmentPage(LaunchDarklyModel):
    items: list[Environment]
    total_count: int = Field(alias="totalCount")


class KeyedItem(LaunchDarklyModel):
    """Any catalogue item (flag, segment): only its key is read."""

    key: str


class KeyedPage(LaunchDarklyModel):
    """One page of a flag or segment list."""

    items: list[KeyedItem]
    total_count: int = Field(alias="totalCount")


class FlagLinkTimestamp(LaunchDarklyModel):
    milliseconds: int
    seconds: int | None = None
    rfc3339: str | None = None
    simple: str | None = None


class FlagLinkMember(LaunchDarklyModel):
    id: str = Field(alias="_id")
    first_name: str | None = Field(default=None, alias="firstName")
    last_name: str | None = Field(default=None, alias="lastName")


class FlagLink(LaunchDarklyModel):
    """A flag link as LaunchDarkly returns it (`FlagLinkRep`)."""

    id: str = Field(alias="_id")
    key: str | None = Field(default=None, alias="_key")
    deep_link: str = Field(alias="_deepLink")
    integration_key: str | None = Field(default=None, alias="_integrationKey")
    title: str | None = None
    description: str | None = None
    metadata: dict[str, str] | None = Field(default=None, alias="_metadata")
    created_at: int = Field(alias="_createdAt")
    timestamp: FlagLinkTimestamp | None = Field(default=None, alias="_timestamp")
    member: FlagLinkMember | None = Field(default=None, alias="_member")


class FlagLinkCollection(LaunchDarklyModel):
    items: list[FlagLink]


class FlagLinkPost(LaunchDarklyModel):
    """Body of `POST /api/v2/flag-links/...` (`flagLinkPost`); `timestamp` is Unix ms."""

    key: str | None = None
    deep_link: str | None = Field(default=None, alias="deepLink")
    title: str | None = None
    description: str | None = None
    timestamp: int | None = None
    integration_key: str | None = Field(default=None, alias="integrationKey")
    metadata: dict[str, str] | None = None


class JsonPatchOperation(LaunchDarklyModel):
    """One RFC 6902 operation, e.g. `JsonPatchOperation(op="replace", path="/title", value="x")`.

    `value` is sent for add/replace/test even when it is None (meaning JSON null) and never for
    remove/move/copy; `from_path` (`from`) only for move/copy.
    """

    op: Literal["add", "remove", "replace", "move", "copy", "test"]
    path: str
    value: Any = None
    from_path: str | None = Field(default=None, alias="from")

    def to_json_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"op": self.op, "path": self.path}
        if self.op in ("add", "replace", "test"):
            body["value"] = self.model_dump(mode="json", include={"value"})["value"]
        if self.op in ("move", "copy"):
            body["from"] = self.from_path
        return body


class ViewPost(LaunchDarklyModel):
    """Body of `POST /api/v2/projects/{projectKey}/views` (`ViewPost`): key and name required;
    at most one of `maintainer_id` and `maintainer_team_key`."""

    key: str
    name: str
    description: str | None = None
    maintainer_id: str | None = Field(default=None, alias="maintainerId")
    maintainer_team_key: str | None = Field(default=None, alias="maintainerTeamKey")
    tags: list[str] | None = None


class ViewPatch(LaunchDarklyModel):
    """Body of `PATCH .../views/{viewKey}` (`ViewPatch`): a plain JSON object of the fields to
    replace, not JSON Patch. Unset fields are left out, so they keep their values."""

    name: str | None = None
    description: str | None = None
    maintainer_id: str | None = Field(default=None, alias="maintainerId")
    maintainer_team_key: str | None = Field(default=None, alias="maintainerTeamKey")
    tags: list[str] | None = None

    def is_empty(self) -> bool:
        return not self.to_json_body()
