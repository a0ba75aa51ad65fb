"""The emulator in its own process, so its work never competes with the benchmark for the GIL.

`tests.e2e.harness.Stack` only uses an emulator's `url` and `token`, which this provides.
"""

from __future__ import annotations

import subprocess
import sys
from types import TracebackType
from typing import cast

from pulumi_launchdarkly_links.emulator import EmulatorServer

TOKEN = "emulator-token"


class EmulatorProcess:
    """`python -m pulumi_launchdarkly_links.emulator --port 0`, started and stopped."""

    def __init__(self) -> None:
        self.token = TOKEN
        self.url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> EmulatorProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "pulumi_launchdarkly_links.emulator", "--port", "0"]
            + ["--token", TOKEN, "--seed", "demo"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if "listening on " not in line:
            self._process.kill()
            raise RuntimeError(f"the emulator did not start: {line!r}")
        self.url = line.strip().rsplit(" ", 1)[-1]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def as_server(self) -> EmulatorServer:
        """Typed as what `Stack` expects; it only reads `url` and `token`."""
        return cast(EmulatorServer, self)
