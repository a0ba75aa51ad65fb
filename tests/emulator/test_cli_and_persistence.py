"""The CLI in a subprocess: `--port 0` announces the port; `--state` survives a restart."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from pulumi_launchdarkly_links.emulator.runtime import Exchange

from .emulator_spec_check import check_exchange

BETA_AUTH = {"Authorization": "cli-token", "LD-API-Version": "beta"}


@contextmanager
def cli(*args: str) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_launchdarkly_links.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("LaunchDarkly emulator listening on http://127.0.0.1:"), line
        port = int(line.rsplit(":", 1)[1])
        assert port > 0
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def spec_checked(response: httpx.Response) -> httpx.Response:
    """Validate a client-side exchange too (the subprocess has no in-process hook)."""
    req = response.request
    ex = Exchange(
        method=req.method,
        path=req.url.path,
        query=req.url.query.decode(),
        headers={k.lower(): v for k, v in req.headers.items()},
        body=req.content,
        route=None,
        status=response.status_code,
        response_headers={k.lower(): v for k, v in response.headers.items()},
        response_body=response.content,
    )
    problems, _ = check_exchange(ex)
    assert not problems, [str(p) for p in problems]
    return response


def test_port_zero_and_state_survives_restart(tmp_path: Path, openapi: object) -> None:
    state = tmp_path / "state.json"
    args = ("--token", "cli-token", "--state", str(state))
    with cli(*args) as url, httpx.Client(base_url=url, headers=BETA_AUTH) as api:
        r = spec_checked(
            api.post(
                "/api/v2/projects/default/views/checkout/link/flags", json={"keys": ["dark-mode"]}
            )
        )
        assert r.json()["successCount"] == 1
        spec_checked(
            api.post(
                "/api/v2/flag-links/projects/default/flags/dark-mode",
                json={"key": "k", "deepLink": "https://example.com"},
            )
        )
    saved = json.loads(state.read_text())
    assert "dark-mode" in saved["projects"]["default"]["views"]["checkout"]["links"]["flags"]
    assert not list(tmp_path.glob(".emulator-state-*"))  # atomic write left no temp files

    with cli(*args) as url, httpx.Client(base_url=url, headers=BETA_AUTH) as api:
        linked = spec_checked(api.get("/api/v2/projects/default/views/checkout/linked/flags"))
        assert [i["resourceKey"] for i in linked.json()["items"]] == ["dark-mode"]
        links = spec_checked(api.get("/api/v2/flag-links/projects/default/flags/dark-mode"))
        assert [i["_key"] for i in links.json()["items"]] == ["k"]
        assert httpx.get(f"{url}/api/v2/projects").status_code == 401  # token from --token


def test_help_shows_every_default_and_the_seed_format() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "pulumi_launchdarkly_links.emulator", "--help"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for default in ("(default: 8765)", "(default: demo)", "(default: 100)", "(default: 10.0)"):
        assert default in shown
    assert '"segments": {"production": ["beta-users"]}' in shown
    assert "A seed file is JSON" in shown
