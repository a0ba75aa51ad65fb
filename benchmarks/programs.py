"""The Pulumi programs the timing and footprint benchmarks deploy."""

from __future__ import annotations

from collections.abc import Callable

from pulumi_launchdarkly_links import FlagLink, ViewMembership

from .environment import PROJECT, VIEW, flag_keys
from .noop_provider import Noop


def membership_and_links(flags: int, links: int) -> Callable[[], None]:
    """One ViewMembership of `flags` flags plus `links` FlagLinks spread over those flags."""
    keys = flag_keys(flags)

    def program() -> None:
        ViewMembership("bench", project_key=PROJECT, view_key=VIEW, flags=keys)
        for i in range(links):
            FlagLink(
                f"link-{i}",
                project_key=PROJECT,
                flag_key=keys[i % len(keys)],
                deep_link=f"https://tickets.example.com/{i}",
                key=f"bench-{i}",
            )

    return program


def noops(count: int) -> Callable[[], None]:
    """`count` no-op dynamic resources: the engine's floor for as many resources."""

    def program() -> None:
        for i in range(count):
            Noop(f"noop-{i}")

    return program
