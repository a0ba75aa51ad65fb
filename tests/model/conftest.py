"""Fixtures for the model-based tests: one emulator per session, reset per example.

The provider runs in this process and finds the emulator the way a user's provider finds
LaunchDarkly without stack config: LAUNCHDARKLY_ACCESS_TOKEN and LAUNCHDARKLY_API_HOST.

Hypothesis profiles: `ci` (the default, bounded and derandomized) and `fuzz` (many longer
examples); pick one with HYPOTHESIS_PROFILE=fuzz (see `make fuzz`).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, settings

from pulumi_launchdarkly_links.emulator import EmulatorServer, EmulatorSettings
from pulumi_launchdarkly_links.emulator import server as emulator_server
from pulumi_launchdarkly_links.providers import flag_link_moves
from pulumi_launchdarkly_links.providers.view_membership import ViewMembershipProvider

from .contract import CheckedStack
from .engine import World

# ci: what `make test` runs, in seconds: a fixed set of examples (derandomized), no shrinking
# (that can take minutes), so a failure prints the example as found; `make fuzz` shrinks.
settings.register_profile(
    "ci",
    max_examples=300,
    stateful_step_count=20,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
# fuzz: FUZZ_EXAMPLES (default 500) examples per machine (the two slower machines a third of
# that), 25 steps each; scripts/fuzz sets it from the minutes it is given.
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "500")),
    stateful_step_count=25,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# dev: the ci examples, shrunk, for reading a failure while working on the machines.
settings.register_profile(
    "dev",
    parent=settings.get_profile("ci"),
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How often the two-stack machine met each situation, over every example of the run."""
    from .test_deployment_machine import COUNTS

    if not COUNTS:
        return
    terminalreporter.section("two-stack machine: situations met")
    for name, count in sorted(COUNTS.items()):
        terminalreporter.write_line(f"{count:8d}  {name}")


def hypothesis_profile() -> settings:
    return settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def bind_tcp_socket(host: str, port: int) -> socket.socket:
    """`emulator.server.bind_socket`, but naming the protocol: asyncio only sets TCP_NODELAY
    on accepted sockets whose proto is IPPROTO_TCP, and without it every answer (headers, then
    body) waits ~40 ms for a delayed ACK. The machine makes thousands of requests."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


@pytest.fixture(scope="session")
def world() -> Iterator[World]:
    with pytest.MonkeyPatch.context() as environment:
        environment.setattr(emulator_server, "bind_socket", bind_tcp_socket)
        with EmulatorServer(EmulatorSettings(port=0, seed="demo")) as emulator:
            environment.setenv("LAUNCHDARKLY_ACCESS_TOKEN", emulator.token)
            environment.setenv("LAUNCHDARKLY_API_HOST", emulator.url)
            # Retries after injected faults happen as usual, without the backoff waits: the
            # emulator's state does not depend on time, and shrinking replays thousands of steps.
            client = ViewMembershipProvider().client  # the one client the provider will use
            environment.setattr(client, "_sleep", lambda seconds: None)
            # A link create that would refuse waits for checks still to come; the simulated
            # engines check every resource before any step, so there are none to wait for.
            environment.setattr(flag_link_moves, "LATER_CHECKS_GRACE_SECONDS", 0.0)
            world = World(emulator)
            world.can_delete("flags")  # probed once, before any example starts
            world.can_delete("segments")
            yield world


@pytest.fixture
def stack(world: World) -> CheckedStack:
    """A fresh emulator ("demo" seed) and an empty stack whose every step is checked."""
    world.reset()
    return CheckedStack(world)
