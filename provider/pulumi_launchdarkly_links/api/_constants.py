"""Defaults for the LaunchDarkly API client: one place for URLs, timeouts, retry and config keys.

Importing this module imports neither httpx nor importlib.metadata (the error classes and the
planning modules read these constants in processes that never send a request): the two values
that need them, `DEFAULT_TIMEOUT` and `USER_AGENT`, are built on first use (`__getattr__`).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    DEFAULT_TIMEOUT: httpx.Timeout
    USER_AGENT: str

DEFAULT_BASE_URL = "https://app.launchdarkly.com"
EXAMPLE_BASE_URLS = (
    "https://app.launchdarkly.com",
    "https://app.launchdarkly.us",
    "https://app.eu.launchdarkly.com",
)

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 30.0

# The Pulumi dynamic provider serves several calls at once from threads; all share one pool.
MAX_CONNECTIONS = 16

DEFAULT_MAX_RETRIES = 8
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 30.0
MAX_TOTAL_RETRY_SECONDS = 300.0
# Retries of a refused or unresolvable connection (dropped connections and timeouts get all).
MAX_CONNECT_RETRIES = 3

# LaunchDarkly counts its global and per-route budgets over 10-second windows.
RATE_LIMIT_WINDOW_SECONDS = 10
# Spread threads released by the same rate-limit reset so they do not all fire at once.
RATE_LIMIT_JITTER_SECONDS = 0.5

API_VERSION_HEADER = "LD-API-Version"
API_VERSION = "beta"


def _package_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pulumi-launchdarkly-links")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


@cache
def _built_on_first_use(name: str) -> Any:
    if name == "DEFAULT_TIMEOUT":
        import httpx

        return httpx.Timeout(DEFAULT_READ_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT)
    if name == "USER_AGENT":
        return f"pulumi-launchdarkly-links/{_package_version()}"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __getattr__(name: str) -> Any:
    return _built_on_first_use(name)


# How much of an unexpected response body an error message quotes.
BODY_EXCERPT_CHARS = 200

ACCESS_TOKEN_CONFIG_KEY = "launchdarkly:accessToken"
ACCESS_TOKEN_ENV_VAR = "LAUNCHDARKLY_ACCESS_TOKEN"
API_HOST_CONFIG_KEY = "launchdarkly:apiHost"
API_HOST_ENV_VAR = "LAUNCHDARKLY_API_HOST"
LINK_BATCH_SIZE_CONFIG_KEY = "launchdarkly:linkBatchSize"

# LaunchDarkly's Terraform provider sends 10 keys per link request; the API limit is unpublished.
DEFAULT_LINK_BATCH_SIZE = 10
MAX_LINK_BATCH_SIZE = 100
# One batch per connection of the pool: at 10,000 members that is 1000 batches, and a few in
# flight made create and destroy at N = 1000 cost 1.7-2x the same step at N = 10 (benchmark 6).
# The shared rate-limit gate still holds every send to the budget the API reports.
DEFAULT_MAX_PARALLEL_BATCHES = MAX_CONNECTIONS
LINK_PARALLELISM_CONFIG_KEY = "launchdarkly:linkParallelism"
MAX_PARALLEL_BATCHES = MAX_CONNECTIONS
