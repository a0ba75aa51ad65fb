"""What both providers share in the provider process: settings, the API client, quiet errors.

The provider objects are pickled into Pulumi state (by reference: module path + class name), so
they carry no attributes there at all. The token and client exist only in the provider process,
filled in by `configure()` (stack config, possibly secret) or from environment variables.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import CheckFailure, CheckResult, ConfigureRequest, ResourceProvider

from ._inputs import without_engine_keys
from .errors import ProviderError

if TYPE_CHECKING:
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
    from ..api import LaunchDarklyClient  # httpx and pydantic: only once a request is made

    identity = (settings.base_url, hashlib.sha256(settings.access_token.encode()).hexdigest())
    with _clients_lock:
        client = _clients.get(identity)
        if client is None:
            client = LaunchDarklyClient(
                access_token=settings.access_token, base_url=settings.base_url
            )
            _clients[identity] = client
        return client


class _ProviderErrorText:
    """Stands in for `traceback` in the provider host: an error of ours is sent as its message.

    Any other exception (a bug) keeps the SDK's traceback: that is what a bug report needs.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    def format_exc(self, limit: int | None = None, chain: bool = True) -> str:
        from ..api import LaunchDarklyError

        error = sys.exc_info()[1]
        if isinstance(error, (ProviderError, LaunchDarklyError)):
            return str(error)
        return traceback.format_exc(limit, chain)


def quiet_provider_errors() -> None:
    """Make a provider error reach the CLI as its message alone, with every supported SDK.

    pulumi <= 3.259: gRPC sends `Exception calling application: <message>` to the engine, and
    also logs the exception with its traceback on stderr, which the CLI shows as noise beside the
    real error: that logger is silenced.
    pulumi >= 3.260: `python -m pulumi.dynamic` (the provider host, run as `__main__`) wraps every
    RPC and sends `traceback.format_exc()` as the error, so the CLI showed a whole traceback under
    each failing resource; the host's `traceback` is given a stand-in for our errors.
    Only the provider host is changed; a provider called in-process (tests) is left alone.
    """
    grpc_logger = logging.getLogger("grpc._server")
    grpc_logger.propagate = False
    if not any(isinstance(h, logging.NullHandler) for h in grpc_logger.handlers):
        grpc_logger.addHandler(logging.NullHandler())
    host = sys.modules.get("__main__")
    if getattr(getattr(host, "__spec__", None), "name", None) != "pulumi.dynamic.__main__":
        return
    if getattr(host, "traceback", None) is traceback:
        host.traceback = _ProviderErrorText()  # type: ignore[union-attr]


class LaunchDarklyProvider(ResourceProvider):
    """Base of both providers: nothing pickled, settings resolved in the provider process."""

    # The pickled provider holds no secret (see __getstate__), so it need not be encrypted.
    serialize_as_secret_always = False

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    def configure(self, req: ConfigureRequest) -> None:
        quiet_provider_errors()
        self._config_values = {key: req.config.get(key) for key in CONFIG_KEYS}

    @property
    def settings(self) -> ClientSettings:
        """Resolved lazily: a missing token only matters once a request is needed."""
        from ..api import ClientSettings

        config_values: dict[str, Any] = getattr(self, "_config_values", {})
        return ClientSettings.resolve(config_values.get, os.environ)

    def check_configuration(self) -> None:
        """Called by check(): a missing token or a bad host fails the preview, with no request."""
        _ = self.settings

    def refused_inputs(
        self,
        news: dict[str, Any],
        problems_of: Callable[[Mapping[str, Any]], list[tuple[str, str]]],
    ) -> CheckResult | None:
        """What every check() does first: the configuration, then the inputs' own problems.

        A CheckResult naming each problem, or None when the inputs have none.
        """
        self.check_configuration()
        problems = problems_of(without_engine_keys(news))
        if not problems:
            return None
        return CheckResult(news, [CheckFailure(name, reason) for name, reason in problems])

    @property
    def client(self) -> LaunchDarklyClient:
        return shared_client(self.settings)
