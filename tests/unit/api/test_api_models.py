"""Wire-format models: aliases both ways, unset fields left out, unknown fields kept."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pulumi_launchdarkly_links.api import (
    FlagLink,
    FlagLinkPost,
    JsonPatchOperation,
    LinkedPage,
    LinkRequest,
    LinkResult,
    Project,
    SegmentIdentifier,
)


def test_link_request_serializes_aliases_without_none() -> None:
    request = LinkRequest(
        segment_identifiers=[SegmentIdentifier(environment_id="e1", segment_key="s1")]
    )
    assert request.to_json_body() == {
        "segmentIdentifiers": [{"environmentId": "e1", "segmentKey": "s1"}]
    }
    assert LinkRequest(keys=["a"], comment="c").to_json_body() == {"keys": ["a"], "comment": "c"}


def test_flag_link_post_serializes_aliases_without_none() -> None:
    post = FlagLinkPost(
        key="k", deep_link="https://x", integration_key="jira", metadata={"a": "b"}, timestamp=5
    )
    assert post.to_json_body() == {
        "key": "k",
        "deepLink": "https://x",
        "integrationKey": "jira",
        "metadata": {"a": "b"},
        "timestamp": 5,
    }


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        (
            JsonPatchOperation(op="replace", path="/title", value="T"),
            {"op": "replace", "path": "/title", "value": "T"},
        ),
        (
            JsonPatchOperation(op="replace", path="/description"),
            {"op": "replace", "path": "/description", "value": None},
        ),
        (
            JsonPatchOperation(op="remove", path="/title", value="ignored"),
            {"op": "remove", "path": "/title"},
        ),
        (
            JsonPatchOperation.model_validate({"op": "move", "path": "/a", "from": "/b"}),
            {"op": "move", "path": "/a", "from": "/b"},
        ),
    ],
)
def test_json_patch_operation_body(operation: JsonPatchOperation, body: dict[str, object]) -> None:
    assert operation.to_json_body() == body


def test_json_patch_rejects_unknown_ops() -> None:
    with pytest.raises(ValidationError):
        JsonPatchOperation(op="merge", path="/title")  # type: ignore[arg-type]


def test_flag_link_reads_underscore_aliases_and_keeps_unknown_fields() -> None:
    link = FlagLink.model_validate(
        {
            "_id": "id1",
            "_deepLink": "https://x",
            "_createdAt": 10,
            "_timestamp": {"milliseconds": 10, "seconds": 0, "rfc3339": "r", "simple": "s"},
            "_member": {"_id": "m1", "firstName": "Ada"},
            "_metadata": {"k": "v"},
            "_links": {"self": {"href": "/x"}},
        }
    )
    assert (link.id, link.deep_link, link.created_at) == ("id1", "https://x", 10)
    assert link.member is not None and link.member.first_name == "Ada"
    assert link.metadata == {"k": "v"}
    assert link.key is None
    assert link.model_extra == {"_links": {"self": {"href": "/x"}}}


def test_link_result_defaults_failed_resources() -> None:
    result = LinkResult.model_validate({"successCount": 3, "failureCount": 0})
    assert result.failed_resources == []


def test_linked_page_requires_total_count() -> None:
    with pytest.raises(ValidationError):
        LinkedPage.model_validate({"items": []})


def test_project_id_alias() -> None:
    assert Project.model_validate({"key": "p", "name": "P", "_id": "abc"}).id == "abc"
    assert Project(key="p", name="P").id is None
