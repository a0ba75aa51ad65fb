"""The access token, set as secret config, never shows up where a user or a state file could see it.

Pulumi itself copies the whole stack config into the inputs of the `pulumi-python` default
provider, so the token is in the state once, as that provider's encrypted secret config (Pulumi
decrypts it for `stack export --show-secrets`, as for any secret). Everything the providers
write (inputs, outputs, `__provider`, messages, stderr) must be free of it.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import FlagLink, View, ViewMembership, get_view
from pulumi_launchdarkly_links.emulator import EmulatorServer, EmulatorSettings

from .bad_input_support import NoTokenStack
from .harness import Stack, emulator_api, flag_links, linked

PROJECT, VIEW, FLAG = "default", "checkout", "new-checkout"
TICKET = "https://jira.example.com/browse/CHK-1"
TOKEN_KEY = "launchdarkly:accessToken"
DEFAULT_PROVIDER = "pulumi:providers:pulumi-python"
SECRET_SIG = "4dabf18193072939515e22adb298388d"  # Pulumi's marker of a secret value in state
MAX_PICKLE_BYTES = 300


@pytest.fixture
def token() -> str:
    return f"api-{secrets.token_hex(24)}"


@pytest.fixture
def private_emulator(token: str) -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(port=0, seed="demo", token=token)) as server:
        yield server


def program(*, missing_flag: bool = False) -> Callable[[], None]:
    def run() -> None:
        # exclusive + adopt over a view with an undeclared member: the provider prints to stderr.
        ViewMembership(
            "checkout",
            project_key=PROJECT,
            view_key=VIEW,
            flags=[FLAG, "pay-later"],
            exclusive=True,
            adopt=True,
        )
        FlagLink("chk-1-ticket", project_key=PROJECT, flag_key=FLAG, deep_link=TICKET)
        View("payments", project_key=PROJECT, key="payments", name="Payments", tags=["t"])
        pulumi.export("checkout", get_view(PROJECT, VIEW).as_dict())  # read in the program
        if missing_flag:
            FlagLink("ghost", project_key=PROJECT, flag_key="no-such-flag", deep_link=TICKET)

    return run


def cli_export(stack: Stack, token: str, *flags: str) -> str:
    """`pulumi stack export` run as a user would, in the workspace with the workspace's env."""
    workspace = stack.stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace)
    env = {**os.environ, **(workspace.env_vars or {}), "PULUMI_HOME": str(workspace.pulumi_home)}
    result = subprocess.run(
        ["pulumi", "stack", "export", "--stack", stack.stack.name, *flags],
        cwd=workspace.work_dir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert token not in result.stderr
    return result.stdout


def without_token_config(resource: dict[str, Any]) -> dict[str, Any]:
    """The default provider's resource minus its (secret) launchdarkly:accessToken config."""
    stripped = dict(resource)
    for part in ("inputs", "outputs"):
        values = dict(resource.get(part) or {})
        secret = values.pop(TOKEN_KEY, None)
        if secret is not None:
            assert isinstance(secret, dict) and SECRET_SIG in secret, (
                f"{TOKEN_KEY} is stored in the provider's {part} without being a secret"
            )
        stripped[part] = values
    return stripped


def assert_token_nowhere(stack: Stack, token: str, state_dir: Path) -> None:
    # What the user read on the terminal, the provider's stderr included.
    assert token not in "\n".join(stack.output)

    # The state as Pulumi stores it, and as `pulumi stack export` shows it.
    for path in state_dir.rglob("*"):
        if path.is_file():
            assert token not in path.read_text(errors="replace"), f"token in {path}"
    assert token not in cli_export(stack, token)

    # With --show-secrets: only the default provider's secret config may hold it.
    for deployment in (
        stack.stack.export_stack().deployment or {},
        json.loads(cli_export(stack, token, "--show-secrets"))["deployment"],
    ):
        for resource in deployment.get("resources", []):
            shown = resource
            if resource["type"] == DEFAULT_PROVIDER:
                # Decrypted here, so the checks on the other resources see plaintext too.
                assert resource["inputs"][TOKEN_KEY]["plaintext"] == json.dumps(token)
                shown = without_token_config(resource)
            assert token not in json.dumps(shown), f"token in {resource['urn']}"

    for resource in stack.resources():
        for part in ("inputs", "outputs"):
            pickled = base64.b64decode(resource[part]["__provider"])
            assert token.encode() not in pickled
            assert len(pickled) < MAX_PICKLE_BYTES, f"__provider is {len(pickled)} bytes"


def test_token_never_leaks_through_up_refresh_failure_and_destroy(
    tmp_path: Path, pulumi_home: Path, private_emulator: EmulatorServer, token: str
) -> None:
    with emulator_api(private_emulator) as api:  # an undeclared member for adopt to unlink
        api.post(
            f"/api/v2/projects/{PROJECT}/views/{VIEW}/link/flags", json={"keys": ["dark-mode"]}
        ).raise_for_status()
    stack = Stack(tmp_path / "stack", pulumi_home, private_emulator).program(program())
    state_dir = tmp_path / "stack"
    workspace_config = (state_dir / f"Pulumi.{stack.stack.name}.yaml").read_text()
    assert TOKEN_KEY in workspace_config and token not in workspace_config

    stack.up()
    assert linked(private_emulator, PROJECT, VIEW, "flags") == {FLAG, "pay-later"}
    # The provider's stderr reaches the CLI output, so the checks below cover it.
    assert "ViewMembership adopting view 'checkout': unlinking 1 undeclared flag(s)" in "\n".join(
        stack.output
    )
    assert_token_nowhere(stack, token, state_dir)

    stack.refresh()
    assert_token_nowhere(stack, token, state_dir)

    stack.program(program(missing_flag=True))
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "flag 'no-such-flag' was not found in project 'default'" in str(failure.value)
    assert token not in str(failure.value)
    assert_token_nowhere(stack, token, state_dir)

    stack.destroy()
    assert stack.resources() == []
    assert linked(private_emulator, PROJECT, VIEW, "flags") == set()
    assert flag_links(private_emulator, PROJECT, FLAG) == []
    assert_token_nowhere(stack, token, state_dir)


def test_token_from_the_environment_never_enters_the_state(
    tmp_path: Path,
    pulumi_home: Path,
    private_emulator: EmulatorServer,
    token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The CLI, and so the provider process, inherits this process's environment.
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", token)

    def one_link() -> None:
        FlagLink("chk-1-ticket", project_key=PROJECT, flag_key=FLAG, deep_link=TICKET)

    stack = NoTokenStack(tmp_path / "stack", pulumi_home, private_emulator).program(one_link)

    stack.up()
    links = flag_links(private_emulator, PROJECT, FLAG)
    assert [link["_key"] for link in links] == ["chk-1-ticket"]
    assert token not in cli_export(stack, token, "--show-secrets")
    assert token not in "\n".join(stack.output)

    stack.destroy()
    assert flag_links(private_emulator, PROJECT, FLAG) == []
