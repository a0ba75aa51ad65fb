"""What the program process imports on its way to registering resources (issue 18).

A Pulumi program runs at every `preview` and twice at every `up`; whatever it imports is paid
each time. It needs the resource classes, not the HTTP stack: the resources hand Pulumi a
reference to their provider class (`_provider_reference`), which the provider process imports
when it unpickles `__provider`. These tests run real programs through the `pulumi` CLI and its
Python language host, the way a user runs them, and read the modules the program process had
loaded when it exited. The provider process, which the engine ends with a kill (no exit hook
runs), is played by a Python process that does what `python -m pulumi.dynamic` does for a
no-op preview: unpickle `__provider`, configure, check, diff.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from pulumi.dynamic.dynamic import serialize_provider

from pulumi_launchdarkly_links._provider_reference import (
    FLAG_LINK_PROVIDER,
    VIEW_MEMBERSHIP_PROVIDER,
)
from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer

from .cli_project import CliProject

HTTP_STACK = ("httpx", "pydantic", "pydantic_core")
# The modules of the api package a program may load: the lazy package itself and the constants
# (plain numbers: the FlagLinks plan reads its parallelism bound there).
API_WITHOUT_HTTP = {"pulumi_launchdarkly_links.api", "pulumi_launchdarkly_links.api._constants"}

# Written at exit, after Pulumi has registered (and pickled the provider of) every resource.
RECORD_MODULES = """
import atexit, json, sys

atexit.register(lambda: open({path!r}, "w").write(json.dumps(sorted(sys.modules))))
"""

EVERY_RESOURCE = """
from pulumi_launchdarkly_links import FlagLink, FlagLinks, FlagLinkSpec, View, ViewMembership

view = View("team", project_key="default", key="imports-team", name="Imports team")
ViewMembership("members", project_key="default", view_key=view.key, flags=["new-checkout"])
FlagLink("ticket", project_key="default", flag_key="new-checkout",
         deep_link="https://jira.example.com/browse/CHK-1", key="imports-ticket")
FlagLinks("runbooks", project_key="default",
          links=[FlagLinkSpec(flag_key="pay-later", deep_link="https://runbooks.example.com/1",
                              key="imports-runbook")])
"""

LOOKUP = """
import pulumi
from pulumi_launchdarkly_links import ViewMembership, get_view_output

pulumi.export("name", get_view_output("default", "checkout").apply(lambda view: view.name))
ViewMembership("members", project_key="default", view_key="checkout", flags=["new-checkout"])
"""


def _preview(tmp_path: Path, emulator: EmulatorServer, program: str) -> tuple[set[str], str]:
    """The modules the program process had loaded at exit, and the preview's output."""
    record = tmp_path / "modules.json"
    source = RECORD_MODULES.format(path=str(record)) + textwrap.dedent(program)
    project = CliProject(tmp_path / "project", emulator, source)
    result = project.run("preview")
    return set(json.loads(record.read_text())), result.stdout


def test_declaring_every_resource_imports_nothing_of_the_http_stack(
    tmp_path: Path, emulator: EmulatorServer, admin: EmulatorAdmin
) -> None:
    modules, output = _preview(tmp_path, emulator, EVERY_RESOURCE)

    assert "5 to create" in output  # the stack and the four resources: each provider checked them
    assert not [name for name in modules if name.split(".")[0] in HTTP_STACK]
    ours = {name for name in modules if name.startswith("pulumi_launchdarkly_links.")}
    assert {name for name in ours if name.startswith("pulumi_launchdarkly_links.api")} <= (
        API_WITHOUT_HTTP
    )
    # `__provider` is a reference the provider process resolves: the program never imports a
    # provider module (nor what they import: the client, the readers and writers).
    provider_classes = {
        "pulumi_launchdarkly_links.providers.view",
        "pulumi_launchdarkly_links.providers.view_membership",
        "pulumi_launchdarkly_links.providers.flag_link",
        "pulumi_launchdarkly_links.providers.flag_links",
        "pulumi_launchdarkly_links.providers._session",
    }
    assert not ours & provider_classes
    assert "pulumi_launchdarkly_links.emulator" not in ours


def test_get_view_output_imports_the_client_when_called_and_still_works(
    tmp_path: Path, emulator: EmulatorServer, admin: EmulatorAdmin
) -> None:
    modules, output = _preview(tmp_path, emulator, LOOKUP)

    assert "Checkout" in output  # the demo seed's view, read during the preview
    assert {"httpx", "pulumi_launchdarkly_links.api._client"} <= modules


# What the provider host does with each resource of a no-op preview (pulumi/dynamic/__main__.py:
# dill.loads of `__provider`, configure, then the engine's Check and Diff), printing sys.modules.
PROVIDER_HOST = """
import base64, json, sys
import dill
from pulumi.dynamic import Config, ConfigureRequest

config = {"launchdarkly:accessToken": "api-x", "launchdarkly:apiHost": "http://127.0.0.1:9"}
for blob, news in json.loads(sys.argv[1]):
    provider = dill.loads(base64.b64decode(blob))
    provider.configure(ConfigureRequest(Config(config, "imports")))
    checked = provider.check({}, dict(news)).inputs
    provider.diff("id", dict(checked), provider.check(checked, dict(news)).inputs)
print(json.dumps(sorted(sys.modules)))
"""


def test_a_provider_process_checks_and_diffs_without_the_http_stack() -> None:
    resources = [
        (VIEW_MEMBERSHIP_PROVIDER, {"project_key": "default", "view_key": "v", "flags": ["f"]}),
        (
            FLAG_LINK_PROVIDER,
            {"project_key": "default", "flag_key": "f", "deep_link": "https://x.test/1"},
        ),
    ]
    blobs = [(serialize_provider(reference), news) for reference, news in resources]
    result = subprocess.run(
        [sys.executable, "-c", PROVIDER_HOST, json.dumps(blobs)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    modules = set(json.loads(result.stdout))

    # The host imported the provider modules the references name, and checked with them ...
    assert {
        "pulumi_launchdarkly_links.providers.view_membership",
        "pulumi_launchdarkly_links.providers.flag_link",
    } <= modules
    # ... and nothing of the HTTP stack: the client comes with the first request.
    assert not [name for name in modules if name.split(".")[0] in HTTP_STACK]
    assert "pulumi_launchdarkly_links.api._client" not in modules
