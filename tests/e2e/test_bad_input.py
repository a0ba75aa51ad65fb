"""Bad inputs and bad provider configuration: the user reads what is wrong; nothing changes.

Each case runs `pulumi preview` (or `pulumi up` where only LaunchDarkly can tell: a missing view,
flag or project, a wrong token, an unreachable host) and checks the `Diagnostics:` section of
the CLI output for the provider's message, that no Python traceback leaks into it, and that
the emulator accepted no change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import FlagLink, SegmentRef, View, ViewMembership
from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer

from .bad_input_support import (
    TRACEBACK,
    NoTokenStack,
    RawFlagLink,
    RawViewMembership,
    diagnostics,
    mutating,
    recorded_exchanges,
)
from .harness import Stack

PROJECT, VIEW, FLAG = "default", "checkout", "new-checkout"
TICKET = "https://jira.example.com/browse/CHK-1"
WRONG_TOKEN = "api-0123456789abcdef-wrong-token"
FLAG_LINK_CREATE = "/api/v2/flag-links/projects/{projectKey}/flags/{featureFlagKey}"
VIEW_CREATE = "/api/v2/projects/{projectKey}/views"


def view(**inputs: Any) -> Callable[[], None]:
    def program() -> None:
        ViewMembership("checkout", **{"project_key": PROJECT, "view_key": VIEW, **inputs})

    return program


def view_resource(**inputs: Any) -> Callable[[], None]:
    def program() -> None:
        View(
            "storefront", **{"project_key": PROJECT, "key": "storefront", "name": "Store", **inputs}
        )

    return program


def link(**inputs: Any) -> Callable[[], None]:
    def program() -> None:
        FlagLink(
            "chk-1-ticket",
            **{"project_key": PROJECT, "flag_key": FLAG, "deep_link": TICKET, **inputs},
        )

    return program


def raw_view(**props: Any) -> Callable[[], None]:
    def program() -> None:
        RawViewMembership("checkout", {"project_key": PROJECT, "view_key": VIEW, **props})

    return program


def raw_link(**props: Any) -> Callable[[], None]:
    def program() -> None:
        RawFlagLink(
            "chk-1-ticket",
            {
                "project_key": PROJECT,
                "flag_key": FLAG,
                "key": "chk-1",
                "deep_link": TICKET,
                **props,
            },
        )

    return program


@dataclass(frozen=True)
class Case:
    program: Callable[[], None]
    # Substrings of the message the user must read under the resource.
    says: tuple[str, ...]
    command: str = "preview"
    stack_options: dict[str, Any] = field(default_factory=dict)
    no_token_config: bool = False
    # Substrings that must not appear anywhere in the output (secrets).
    never_says: tuple[str, ...] = ()
    # Mutating requests the provider may send and LaunchDarkly must refuse: (method, route, status).
    refused_mutations: tuple[tuple[str, str, int], ...] = ()


CASES = [
    # -- ViewMembership inputs (preview) ----------------------------------------------------
    pytest.param(
        Case(
            view(view_key="Checkout", flags=[FLAG]),
            ("LaunchDarkly stores view keys in lowercase, so write 'checkout'",),
        ),
        id="view-key-uppercase",
    ),
    pytest.param(
        Case(view(flags="abc"), ("flags must be a list of keys", "write flags=['abc']")),
        id="flags-is-a-string",
    ),
    pytest.param(
        Case(
            view(segments=[{"segment_key": "beta-users"}]),
            ("segments[0] ('beta-users') needs exactly one of environment_id", "it has neither"),
        ),
        id="segment-without-environment",
    ),
    pytest.param(
        Case(
            view(
                segments=[
                    SegmentRef(
                        segment_key="beta-users",
                        environment_key="production",
                        environment_id="65a1b2c3d4e5f60718293a01",
                    )
                ]
            ),
            ("segments[0] ('beta-users') needs exactly one of environment_id", "it has both"),
        ),
        id="segment-with-both-environment-id-and-key",
    ),
    pytest.param(
        Case(
            view(flags=["new checkout"]),
            ("flags[0] 'new checkout' is not a valid LaunchDarkly key",),
        ),
        id="flag-key-with-space",
    ),
    pytest.param(
        Case(
            view(project_key="default/checkout", flags=[FLAG]),
            ("project_key 'default/checkout' is not a valid LaunchDarkly key",),
        ),
        id="project-key-with-slash",
    ),
    pytest.param(
        Case(
            view(segments=[SegmentRef(segment_key="beta/users", environment_key="production")]),
            ("segments[0].segment_key 'beta/users' is not a valid LaunchDarkly key",),
        ),
        id="segment-key-with-slash",
    ),
    pytest.param(
        Case(view(view_key="", flags=[FLAG]), ("view_key must not be empty",)),
        id="view-key-empty",
    ),
    pytest.param(
        Case(view(flags=[FLAG], exclusive="yes"), ("exclusive must be True or False, got 'yes'",)),
        id="exclusive-not-a-bool",
    ),
    pytest.param(
        Case(view(flags=[FLAG], comment=42), ("comment must be a string, got 42",)),
        id="comment-not-a-string",
    ),
    pytest.param(
        Case(
            raw_view(flags=[FLAG], flagz=["pay-later"]),
            ("unknown input 'flagz'; valid inputs are project_key, view_key, flags",),
        ),
        id="view-unknown-input",
    ),
    pytest.param(
        Case(
            view(segments=[SegmentRef(segment_key="beta-users", environment_key="staging")]),
            ("environment_key 'staging': no such environment in project 'default'",),
        ),
        id="environment-key-does-not-exist",
    ),
    # -- ViewMembership against LaunchDarkly (up) --------------------------------------------
    pytest.param(
        Case(
            view(view_key="no-such-view", flags=[FLAG]),
            ("view 'no-such-view' was not found in project 'default'",),
            command="up",
        ),
        id="view-does-not-exist",
    ),
    pytest.param(
        Case(
            view(project_key="no-such-project", flags=[FLAG]),
            ("view 'checkout' was not found in project 'no-such-project'",),
            command="up",
        ),
        id="view-project-does-not-exist",
    ),
    # -- View inputs (preview, except where only LaunchDarkly can tell) --------------------------
    pytest.param(
        Case(
            view_resource(key="StoreFront"),
            ("key 'StoreFront' has uppercase letters", "write key='storefront'"),
        ),
        id="view-resource-key-uppercase",
    ),
    pytest.param(
        Case(
            view_resource(maintainer_id="5e6f7a8b9c0d1e2f3a4b5c6d", maintainer_team_key="store"),
            ("give exactly one of maintainer_id and maintainer_team_key, not both",),
        ),
        id="view-resource-two-maintainers",
    ),
    pytest.param(
        Case(
            view_resource(maintainer_id="alice@example.com"),
            ("maintainer_id 'alice@example.com' is not a LaunchDarkly member ID",),
        ),
        id="view-resource-maintainer-id-is-an-email",
    ),
    pytest.param(
        Case(
            view_resource(key=VIEW, name="Not the seeded one"),
            (
                "view 'checkout' already exists in project 'default', and this View did not "
                "create it. It differs:",
                "set adopt=True",
            ),
        ),
        id="view-resource-exists-and-differs",
    ),
    pytest.param(
        Case(
            view_resource(project_key="no-such-project"),
            ("project 'no-such-project' was not found in LaunchDarkly, so view 'storefront'",),
            command="up",
            refused_mutations=(("POST", VIEW_CREATE, 404),),
        ),
        id="view-resource-project-does-not-exist",
    ),
    # -- FlagLink inputs (preview) -------------------------------------------------------------
    pytest.param(
        Case(
            link(deep_link="not a url"),
            ("deep_link 'not a url' is not an absolute http(s) URL",),
        ),
        id="deep-link-not-a-url",
    ),
    pytest.param(
        Case(
            link(deep_link="ftp://files.example.com/runbook.txt"),
            ("deep_link 'ftp://files.example.com/runbook.txt' is not an absolute http(s) URL",),
        ),
        id="deep-link-ftp",
    ),
    pytest.param(
        Case(
            link(deep_link="https://jira example.com/browse/CHK-1"),
            ("deep_link 'https://jira example.com/browse/CHK-1' is not an absolute http(s) URL",),
        ),
        id="deep-link-space-in-host",
    ),
    pytest.param(
        Case(
            link(deep_link=None),
            ("deep_link must be an absolute http(s) URL such as https://",),
        ),
        id="deep-link-missing",
    ),
    pytest.param(
        Case(
            link(metadata={"ticket": "CHK-1"}),
            ("metadata is only for integration links: set integration_key, or drop metadata",),
        ),
        id="metadata-without-integration-key",
    ),
    pytest.param(
        Case(
            link(timestamp="yesterday"),
            ("timestamp 'yesterday' is neither Unix milliseconds nor an RFC 3339 time",),
        ),
        id="timestamp-unparseable",
    ),
    pytest.param(
        Case(
            link(timestamp="2026-11-23T19:30:00"),
            ("timestamp '2026-11-23T19:30:00' has no time zone",),
        ),
        id="timestamp-without-zone",
    ),
    pytest.param(
        Case(link(key="CHK 1"), ("key 'CHK 1' is not a valid LaunchDarkly key",)),
        id="flag-link-key-with-space",
    ),
    pytest.param(
        Case(link(title=42), ("title must be a string, got 42",)),
        id="title-not-a-string",
    ),
    pytest.param(
        Case(
            raw_link(url=TICKET),
            ("unknown input 'url'; valid inputs are project_key, flag_key, key, deep_link",),
        ),
        id="flag-link-unknown-input",
    ),
    # -- FlagLink against LaunchDarkly (up) ------------------------------------------------
    pytest.param(
        Case(
            link(flag_key="no-such-flag"),
            ("flag 'no-such-flag' was not found in project 'default'",),
            command="up",
            # The create itself is how a missing flag shows; LaunchDarkly refuses it.
            refused_mutations=(("POST", FLAG_LINK_CREATE, 404),),
        ),
        id="flag-does-not-exist",
    ),
    pytest.param(
        Case(
            link(project_key="no-such-project"),
            ("project 'no-such-project' was not found in LaunchDarkly; check project_key",),
            command="up",
            refused_mutations=(("POST", FLAG_LINK_CREATE, 404),),
        ),
        id="flag-link-project-does-not-exist",
    ),
    # -- provider configuration --------------------------------------------------------------
    pytest.param(
        Case(
            view(flags=[FLAG]),
            ("No LaunchDarkly access token", "launchdarkly:accessToken"),
            no_token_config=True,
        ),
        id="token-missing",
    ),
    pytest.param(
        Case(
            view(flags=[FLAG]),
            ("No LaunchDarkly access token",),
            stack_options={"token": "   "},
        ),
        id="token-blank",
    ),
    pytest.param(
        Case(
            link(),
            ("looks like an SDK key (starts with 'sdk-')",),
            stack_options={"token": "sdk-0123456789abcdef-secret"},
            never_says=("sdk-0123456789abcdef-secret",),
        ),
        id="token-is-an-sdk-key",
    ),
    pytest.param(
        Case(
            view(flags=[FLAG]),
            ("401", "Invalid access token", "launchdarkly:accessToken", "valid LaunchDarkly API"),
            command="up",
            stack_options={"token": WRONG_TOKEN},
            never_says=(WRONG_TOKEN,),
        ),
        id="token-wrong",
    ),
    pytest.param(
        Case(
            view(flags=[FLAG]),
            ("could not reach http://127.0.0.1:1", "launchdarkly:apiHost"),
            command="up",
            stack_options={"api_host": "http://127.0.0.1:1"},
        ),
        id="api-host-unreachable",
    ),
    pytest.param(
        Case(
            view(flags=[FLAG]),
            ("Invalid LaunchDarkly API host launchdarkly:apiHost='not a url'",),
            stack_options={"api_host": "not a url"},
        ),
        id="api-host-not-a-url",
    ),
    pytest.param(
        Case(
            view(flags=[FLAG]),
            ("Invalid launchdarkly:linkBatchSize='0': expected a whole number from 1 to 100",),
            stack_options={"extra_config": {"launchdarkly:linkBatchSize": "0"}},
        ),
        id="link-batch-size-zero",
    ),
]


@pytest.fixture
def no_token_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI and the provider inherit this process's environment; config must be all there is."""
    monkeypatch.delenv("LAUNCHDARKLY_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("LAUNCHDARKLY_API_HOST", raising=False)


@pytest.mark.usefixtures("no_token_in_environment")
@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_named_and_changes_nothing(
    case: Case,
    tmp_path: Path,
    pulumi_home: Path,
    emulator: EmulatorServer,
    admin: EmulatorAdmin,
) -> None:
    stack_class = NoTokenStack if case.no_token_config else Stack
    stack = stack_class(tmp_path / "stack", pulumi_home, emulator, **case.stack_options)
    stack.program(case.program)
    before = admin.state()
    run = stack.up if case.command == "up" else stack.preview

    with recorded_exchanges(emulator) as exchanges, pytest.raises(auto.CommandError) as failure:
        run()

    shown = diagnostics(failure.value)
    for text in case.says:
        assert text in shown, f"{text!r} not in:\n{shown}"
    assert TRACEBACK not in str(failure.value)
    assert TRACEBACK not in "\n".join(stack.output)
    for secret in case.never_says:
        assert secret not in str(failure.value)
        assert secret not in "\n".join(stack.output)

    assert admin.stats()["mutating"] == len(case.refused_mutations)
    assert mutating(exchanges) == list(case.refused_mutations)
    assert admin.state() == before
    assert stack.resources() == []
