"""A program may declare well over a thousand of our resources (Pulumi SDK pickling bug)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_launchdarkly_links import FlagLink
from pulumi_launchdarkly_links._pickler_guard import pulumi_wrapper_depth, unwrap_pulumi_pickler
from pulumi_launchdarkly_links.providers.flag_link import FlagLinkProvider


class NoEngine(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


@pytest.fixture
def original_pickler() -> Iterator[None]:
    original = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    yield
    pickle._Pickler._batch_setitems = original  # type: ignore[attr-defined]


@pytest.mark.usefixtures("original_pickler")
def test_the_sdk_alone_nests_one_wrapper_per_serialized_provider() -> None:
    # The bug being worked around: if this starts failing, Pulumi fixed it upstream.
    unwrap_pulumi_pickler()
    for _ in range(3):
        serialize_provider(FlagLinkProvider())
    assert pulumi_wrapper_depth() == 3


class ProviderWithState(pulumi.dynamic.ResourceProvider):
    """A provider whose pickle holds dicts, so it goes through `_batch_setitems` (and its
    sorting wrappers); FlagLinkProvider pickles to a bare reference that holds none."""

    def __init__(self) -> None:
        self.options = {"zeta": 1, "alpha": {"y": 2, "x": 3}, "mid": [{"b": 4, "a": 5}]}


@pytest.mark.usefixtures("original_pickler")
def test_serialized_provider_is_the_same_with_the_wrappers_peeled_off() -> None:
    # The reference goes through the wrappers as Pulumi leaves them (at least its own one),
    # before anything is peeled: peeling must not change a byte of `__provider`.
    serialize_provider(ProviderWithState())
    reference = serialize_provider(ProviderWithState())
    assert pulumi_wrapper_depth() >= 2
    unwrap_pulumi_pickler()
    assert pulumi_wrapper_depth() == 0
    assert serialize_provider(ProviderWithState()) == reference
    assert pulumi_wrapper_depth() == 1


@pytest.mark.usefixtures("original_pickler", "event_loop_for_pulumi")
def test_twelve_hundred_flag_links_in_one_program_do_not_overflow() -> None:
    pulumi.runtime.set_mocks(NoEngine(), project="many", stack="test", preview=True)
    links = [
        FlagLink(
            f"ticket-{n}",
            project_key="default",
            flag_key=f"flag-{n}",
            deep_link=f"https://jira.example.com/browse/CHK-{n}",
        )
        for n in range(1200)
    ]
    assert len(links) == 1200
    assert pulumi_wrapper_depth() == 1
