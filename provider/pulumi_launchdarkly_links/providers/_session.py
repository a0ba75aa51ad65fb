"""What both providers share in the provider process: settings, the API client, quiet errors.

The provider objects are pickled into Pulumi state (by reference: module path + class name), so
they carry no attributes there at all. The token and client exist only in the provider process,
filled in by `configure()` (stack config, possibly secret) or from environment variables.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from typing import Any

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from ..api import ClientSettings, LaunchDarklyClient

CONFIG_KEYS = (
    "launchdarkly:accessToken",
    "launchdarkly:apiHost",
    "launchdarkly:linkBatchSize",
    "launchdarkly:linkParallelism",
)

_clients: dict[tuple[str, str], LaunchDarklyClient] = {}
_clients_lock = threading.Lock()


def shared_client(settings: ClientSettings) -> LaunchDarklyClient:
    """One client per process and credentials: every resource shares one view of rate limits."""
    identity = (settings.base_url, hashlib.sha256(settings.access_token.encode()).hexdigest())
    with _clients_lock:
        client = _clients.get(identity)
        if client is None:
            client = LaunchDarklyClient(
                access_token=settings.access_token, base_url=settings.base_url
            )
            _clients[identity] = client
        return client


def _silence_grpc_tracebacks() -> None:
    # gRPC logs every exception a provider method raises with its full traceback, which the CLI
    # shows as noise beside the real message; the message itself still reaches the engine.
    grpc_logger = logging.getLogger("grpc._server")
    grpc_logger.propagate = False
    grpc_logger.addHandler(logging.NullHandler())


class LaunchDarklyProvider(ResourceProvider):
    """Base of both providers: nothing pickled, settings resolved in the provider process."""

    # The pickled provider holds no secret (see __getstate__), so it need not be encrypted.
    serialize_as_secret_always = False

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    def configure(self, req: ConfigureRequest) -> None:
        _silence_grpc_tracebacks()
        self._config_values = {key: req.config.get(key) for key in CONFIG_KEYS}

    @property
    def settings(self) -> ClientSettings:
        """Resolved lazily: a missing token only matters once a request is needed."""
        config_values: dict[str, Any] = getattr(self, "_config_values", {})
        return ClientSettings.resolve(config_values.get, os.environ)

    def check_configuration(self) -> None:
        """Called by check(): a missing token or a bad host fails the preview, with no request."""
        _ = self.settings

    @property
    def client(self) -> LaunchDarklyClient:
        return shared_client(self.settings)
