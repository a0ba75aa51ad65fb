"""The model-based ViewMembership and FlagLinks machines (tests/model), with every provider call
going through the plugin face: the engine's plain props become camelCase PropertyValues, pass
through `LaunchDarklyLinksProvider` (check, diff with its detailed diff, create, update, read,
delete) and come back. The machines' promises must hold exactly as through the dynamic
providers, so a translation that loses or bends anything (a member map, a float, an unknown, a
segment's environment, a link's attributes) can show up as a broken promise."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)
from pulumi.provider.experimental import provider as rpc

from pulumi_launchdarkly_links.emulator import EmulatorServer, EmulatorSettings
from pulumi_launchdarkly_links.emulator import server as emulator_server
from pulumi_launchdarkly_links.plugin.faces import FACES
from pulumi_launchdarkly_links.plugin.provider import LaunchDarklyLinksProvider
from pulumi_launchdarkly_links.plugin.values import to_plain, to_properties, to_snake
from pulumi_launchdarkly_links.providers import flag_link_moves
from pulumi_launchdarkly_links.providers._inputs import without_engine_keys
from pulumi_launchdarkly_links.providers.view_membership import ViewMembershipProvider
from tests.model import engine as model_engine
from tests.model import test_flag_links_machine as flag_links_machine
from tests.model.conftest import bind_tcp_socket
from tests.model.engine import World
from tests.model.test_membership_machine import ViewMembershipMachine


class ThroughThePlugin:
    """Looks like `ViewMembershipProvider` to the simulated engine; is the plugin face."""

    URN = "urn:pulumi:model::proj::ldlinks:index:ViewMembership::members"
    FACE = FACES["ViewMembership"]
    _plugin: LaunchDarklyLinksProvider | None = None

    @classmethod
    def plugin(cls) -> LaunchDarklyLinksProvider:
        if cls._plugin is None:
            cls._plugin = LaunchDarklyLinksProvider()
            request = rpc.ConfigureRequest({}, {}, True, False)  # the environment's settings
            asyncio.run(cls._plugin.configure(request))
        return cls._plugin

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def _props(self, values: Mapping[str, Any]) -> Any:
        return to_properties(without_engine_keys(values), self.FACE.data_paths)

    def _plain(self, values: Any) -> dict[str, Any]:
        return to_plain(values, self.FACE.data_paths)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        request = rpc.CheckRequest(self.URN, self._props(olds), self._props(news), b"")
        result = asyncio.run(self.plugin().check(request))
        failures = [CheckFailure(to_snake(f.property), f.reason) for f in result.failures or []]
        return CheckResult(self._plain(result.inputs or {}), failures)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        request = rpc.DiffRequest(self.URN, id_, self._props(olds), self._props(news), [])
        result = asyncio.run(self.plugin().diff(request))
        if result.changes:
            assert result.detailed_diff, "a change the detailed diff does not name"
        return DiffResult(
            changes=result.changes,
            replaces=[to_snake(name) for name in result.replaces],
            delete_before_replace=result.delete_before_replace,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        request = rpc.CreateRequest(self.URN, self._props(props), 60, False)
        result = asyncio.run(self.plugin().create(request))
        return CreateResult(str(result.resource_id), self._plain(result.properties))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        request = rpc.UpdateRequest(
            self.URN, id_, self._props(olds), self._props(news), 60, [], False
        )
        result = asyncio.run(self.plugin().update(request))
        return UpdateResult(self._plain(result.properties))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        request = rpc.ReadRequest(self.URN, id_, self._props(props), {})
        result = asyncio.run(self.plugin().read(request))
        if not result.resource_id:
            return ReadResult(None, {})
        return ReadResult(
            result.resource_id, self._plain(result.properties), self._plain(result.inputs)
        )

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        asyncio.run(self.plugin().delete(rpc.DeleteRequest(self.URN, id_, self._props(props), 60)))


class FlagLinksThroughThePlugin(ThroughThePlugin):
    """Looks like `FlagLinksProvider` to the simulated engine."""

    URN = "urn:pulumi:model::proj::ldlinks:index:FlagLinks::tickets"
    FACE = FACES["FlagLinks"]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with pytest.MonkeyPatch.context() as environment:
        environment.setattr(emulator_server, "bind_socket", bind_tcp_socket)
        with EmulatorServer(EmulatorSettings(port=0, seed="demo")) as emulator:
            environment.setenv("LAUNCHDARKLY_ACCESS_TOKEN", emulator.token)
            environment.setenv("LAUNCHDARKLY_API_HOST", emulator.url)
            client = ViewMembershipProvider().client
            environment.setattr(client, "_sleep", lambda seconds: None)
            environment.setattr(flag_link_moves, "LATER_CHECKS_GRACE_SECONDS", 0.0)
            environment.setattr(model_engine, "ViewMembershipProvider", ThroughThePlugin)
            environment.setattr(flag_links_machine, "FlagLinksProvider", FlagLinksThroughThePlugin)
            world = World(emulator)
            world.can_delete("flags")
            world.can_delete("segments")
            yield world


SETTINGS = settings(
    max_examples=150,
    stateful_step_count=20,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)


def test_flag_links_promises_hold_through_the_plugin_face(world: World) -> None:
    class Machine(flag_links_machine.FlagLinksMachine):
        def __init__(self) -> None:
            super().__init__(world)
            assert isinstance(self.stack.provider, FlagLinksThroughThePlugin)

    run_state_machine_as_test(Machine, settings=settings(SETTINGS, max_examples=50))


def test_membership_contract_holds_through_the_plugin_face(world: World) -> None:
    class Machine(ViewMembershipMachine):
        def __init__(self) -> None:
            super().__init__(world)
            assert isinstance(self.stack.engine.provider, ThroughThePlugin)

    run_state_machine_as_test(Machine, settings=SETTINGS)
