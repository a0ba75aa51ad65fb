"""ViewMembership through the real CLI: create, no-op, add/remove, reorder, replace, destroy."""

from __future__ import annotations

from collections.abc import Callable

from pulumi_launchdarkly_links import SegmentRef, ViewMembership

from .harness import Stack, linked

PROJECT = "default"


def membership(
    flags: list[str], view_key: str = "checkout", **kwargs: object
) -> Callable[[], None]:
    def program() -> None:
        ViewMembership(
            "checkout",
            project_key=PROJECT,
            view_key=view_key,
            flags=flags,
            segments=[SegmentRef(environment_key="production", segment_key="beta-users")],
            ai_configs=["checkout-assistant"],
            metrics=["checkout-conversion"],
            **kwargs,  # type: ignore[arg-type]
        )

    return program


def test_create_noop_change_reorder_replace_destroy(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(membership(["new-checkout", "pay-later"]))
    emulator = stack.emulator

    result = stack.up()
    assert result.summary.resource_changes == {"create": 2}
    assert linked(emulator, PROJECT, "checkout", "flags") == {"new-checkout", "pay-later"}
    assert {key for _, key in linked(emulator, PROJECT, "checkout", "segments")} == {"beta-users"}
    assert linked(emulator, PROJECT, "checkout", "aiConfigs") == {"checkout-assistant"}
    assert linked(emulator, PROJECT, "checkout", "metrics") == {"checkout-conversion"}
    (resource,) = stack.resources("ViewMembership")
    assert resource["id"] == "default/checkout"
    assert resource["outputs"]["flag_count"] == 2
    # Members are maps keyed by member; a segment's key is `environment_key/segment_key` and
    # its value the environment's _id.
    ((segment, environment_id),) = resource["outputs"]["segments"].items()
    assert segment == "production/beta-users" and len(environment_id) == 24

    stack.admin.reset_stats()
    result = stack.up()
    assert result.summary.resource_changes == {"same": 2}
    assert stack.requests() == 0, stack.admin.stats()

    stack.program(membership(["pay-later", "new-checkout", "pay-later"]))  # reorder + duplicate
    preview = stack.preview()
    assert preview.change_summary == {"same": 2}
    assert stack.requests() == 0, stack.admin.stats()

    stack.program(membership(["pay-later", "dark-mode", "search-v2"]))
    stack.admin.reset_stats()
    result = stack.up()
    assert result.summary.resource_changes == {"same": 1, "update": 1}
    routes = stack.admin.stats()["routes"]
    # One read per listed type (at once: what the view has now), then one unlink and one link
    # request for flags; no write for the unchanged types.
    assert routes == {
        "GET /api/v2/projects/{projectKey}/views/{viewKey}/linked/{resourceType}": 4,
        "DELETE /api/v2/projects/{projectKey}/views/{viewKey}/link/{resourceType}": 1,
        "POST /api/v2/projects/{projectKey}/views/{viewKey}/link/{resourceType}": 1,
    }, routes
    assert linked(emulator, PROJECT, "checkout", "flags") == {"pay-later", "dark-mode", "search-v2"}

    stack.program(membership(["pay-later"], view_key="platform"))
    result = stack.up()
    assert result.summary.resource_changes == {"same": 1, "replace": 1}
    assert linked(emulator, PROJECT, "platform", "flags") == {"pay-later"}
    assert linked(emulator, PROJECT, "checkout", "flags") == set()

    stack.destroy()
    assert linked(emulator, PROJECT, "platform", "flags") == set()
    assert linked(emulator, PROJECT, "platform", "metrics") == set()
    assert stack.resources() == []
