"""Helpers for tests of failing commands: what the user reads, and what reached the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pulumi import automation as auto
from pulumi import dynamic

from pulumi_launchdarkly_links.emulator import EmulatorServer
from pulumi_launchdarkly_links.emulator.runtime import Exchange
from pulumi_launchdarkly_links.providers.flag_link import FlagLinkProvider
from pulumi_launchdarkly_links.providers.view_membership import ViewMembershipProvider

from .harness import Stack

TRACEBACK = "Traceback (most recent call last)"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def diagnostics(error: auto.CommandError) -> str:
    """The `Diagnostics:` part of a failed command's output: where the CLI shows each error."""
    text = str(error)
    marker = text.find("Diagnostics:")
    assert marker >= 0, f"no Diagnostics section in the CLI output:\n{text}"
    return text[marker:]


class NoTokenStack(Stack):
    """A Stack whose config holds no `launchdarkly:accessToken` at all."""

    def __init__(self, work_dir: Path, pulumi_home: Path, emulator: EmulatorServer, **kwargs: Any):
        super().__init__(work_dir, pulumi_home, emulator, **kwargs)
        self.stack.remove_config("launchdarkly:accessToken")


class RawViewMembership(dynamic.Resource, module="launchdarkly", name="ViewMembership"):
    """ViewMembership with props passed as given, so inputs the class would refuse reach check."""

    def __init__(self, resource_name: str, props: dict[str, Any]) -> None:
        super().__init__(ViewMembershipProvider(), resource_name, props)


class RawFlagLink(dynamic.Resource, module="launchdarkly", name="FlagLink"):
    """FlagLink with props passed as given."""

    def __init__(self, resource_name: str, props: dict[str, Any]) -> None:
        super().__init__(FlagLinkProvider(), resource_name, props)


@contextmanager
def recorded_exchanges(emulator: EmulatorServer) -> Iterator[list[Exchange]]:
    """Every /api/ request the emulator answers while the block runs, with its status."""
    exchanges: list[Exchange] = []
    hooks = emulator.runtime.exchange_hooks
    hooks.append(exchanges.append)
    try:
        yield exchanges
    finally:
        hooks.remove(exchanges.append)


def mutating(exchanges: list[Exchange]) -> list[tuple[str, str | None, int]]:
    return [(e.method, e.route, e.status) for e in exchanges if e.method not in SAFE_METHODS]
