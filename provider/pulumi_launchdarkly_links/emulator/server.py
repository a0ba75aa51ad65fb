"""Running the emulator: a uvicorn server bound to a pre-opened socket, threaded or blocking.

Binding the socket ourselves means port 0 works and the real port is known before serving.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from .app import create_app
from .runtime import Runtime
from .settings import EmulatorSettings
from .store import Store


def bind_socket(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY on accepted connections only for
    # sockets whose proto says TCP, and without it every answer waited ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class _Server(uvicorn.Server):
    """uvicorn server that can announce its URL once it is really accepting connections."""

    announce: str | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.announce:
            print(self.announce, flush=True)


def _config(app: Any, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="off")


def serve_forever(settings: EmulatorSettings, log_level: str = "warning") -> None:
    """Blocking run used by the CLI; prints the listening line to stdout when ready."""
    app = create_app(settings)
    sock = bind_socket(settings.host, settings.port)
    port = sock.getsockname()[1]
    server = _Server(_config(app, log_level))
    server.announce = f"LaunchDarkly emulator listening on http://{settings.host}:{port}"
    server.run(sockets=[sock])
    sys.stdout.flush()


class BackgroundServer:
    """Any ASGI app served by uvicorn on a background thread, on a port bound up front.

    The emulator runs on it in tests; so can a stand-in server a test puts where LaunchDarkly
    should be. Port 0 picks a free port; `url` is known before `start()`.
    """

    def __init__(
        self, app: Any, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning"
    ) -> None:
        self._sock = bind_socket(host, port)
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self._server = _Server(_config(app, log_level))
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> None:
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            daemon=True,
            name=f"asgi-server-{self.port}",
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server for {self.url} failed to start")
            time.sleep(0.01)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._sock.close()


class EmulatorServer:
    """In-process emulator on a background thread: `with EmulatorServer(settings) as emu: ...`.

    The settings' port is ignored unless `use_settings_port=True`; the default is a free port.
    """

    def __init__(
        self,
        settings: EmulatorSettings | None = None,
        use_settings_port: bool = False,
        log_level: str = "warning",
    ) -> None:
        self.settings = settings or EmulatorSettings()
        self.app = create_app(self.settings)
        self._background = BackgroundServer(
            self.app,
            self.settings.host,
            self.settings.port if use_settings_port else 0,
            log_level,
        )
        self.port: int = self._background.port
        self.url = self._background.url

    @property
    def token(self) -> str:
        return self.settings.token

    @property
    def runtime(self) -> Runtime:
        return self.app.state.runtime  # type: ignore[no-any-return]

    @property
    def store(self) -> Store:
        return self.runtime.store

    def start(self, timeout: float = 10.0) -> EmulatorServer:
        self._background.start(timeout)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._background.stop(timeout)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
