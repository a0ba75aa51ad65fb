"""Where the client's settings come from (Pulumi config, then environment) and their checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NoReturn
from urllib.parse import SplitResult, urlsplit

from ._constants import (
    ACCESS_TOKEN_CONFIG_KEY,
    ACCESS_TOKEN_ENV_VAR,
    API_HOST_CONFIG_KEY,
    API_HOST_ENV_VAR,
    DEFAULT_BASE_URL,
    DEFAULT_LINK_BATCH_SIZE,
    DEFAULT_MAX_PARALLEL_BATCHES,
    EXAMPLE_BASE_URLS,
    LINK_BATCH_SIZE_CONFIG_KEY,
    LINK_PARALLELISM_CONFIG_KEY,
    MAX_LINK_BATCH_SIZE,
    MAX_PARALLEL_BATCHES,
)
from ._exceptions import ConfigurationError

MISSING_TOKEN_MESSAGE = (
    "No LaunchDarkly access token: set it with "
    f"`pulumi config set --secret {ACCESS_TOKEN_CONFIG_KEY} <token>` "
    f"or the {ACCESS_TOKEN_ENV_VAR} environment variable."
)

# Keys LaunchDarkly issues for SDKs; the REST API rejects them with 401.
_SDK_KEY_PREFIXES = {"sdk-": "an SDK key", "mob-": "a mobile key"}


def normalize_base_url(value: str, *, setting: str = "base_url") -> str:
    """Check that `value` is an http(s) host URL and return it without a trailing slash.

    A path is refused: every request path starts with /api/v2, so `https://.../api/v2` would
    send `/api/v2/api/v2/...`, and the 404s of such routes must never read as "deleted".
    """
    candidate = value.strip()
    url = _split_url(candidate)
    if (
        url is None
        or url.scheme not in ("http", "https")
        or not url.hostname
        or url.query
        or url.fragment
    ):
        raise ConfigurationError(
            f"Invalid LaunchDarkly API host {setting}={value!r}: expected an absolute "
            f"http(s) URL such as {' or '.join(EXAMPLE_BASE_URLS)}."
        )
    if url.path not in ("", "/"):
        host = f"[{url.hostname}]" if ":" in url.hostname else url.hostname
        host_only = f"{url.scheme}://{host}" + (f":{url.port}" if url.port else "")
        raise ConfigurationError(
            f"Invalid LaunchDarkly API host {setting}={value!r}: set the host only, without "
            f"a path ({url.path!r}), e.g. {setting}={host_only!r}; the provider adds "
            "/api/v2/... itself."
        )
    return candidate.rstrip("/")


def _split_url(candidate: str) -> SplitResult | None:
    """The parts of an absolute URL, or None if it cannot be one: a space or control character
    anywhere, or a port that is not a number from 0 to 65535. (urllib, not httpx: every `check`
    resolves the settings, and a provider process that sends no request need not import httpx.)
    """
    if any(character.isspace() or not character.isprintable() for character in candidate):
        return None
    try:
        url = urlsplit(candidate)
        _ = url.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        return None
    return url


def validate_access_token(token: str | None, *, source: str = "access_token") -> str:
    """Return the token stripped of whitespace, or raise without ever echoing it."""
    stripped = (token or "").strip()
    if not stripped:
        raise ConfigurationError(MISSING_TOKEN_MESSAGE)
    if any(ch.isspace() or not ch.isprintable() or not ch.isascii() for ch in stripped):
        raise ConfigurationError(
            f"The LaunchDarkly access token from {source} contains spaces or non-printable "
            "characters; paste the API access token exactly as LaunchDarkly shows it."
        )
    for prefix, kind in _SDK_KEY_PREFIXES.items():
        if stripped.startswith(prefix):
            raise ConfigurationError(
                f"The LaunchDarkly access token from {source} looks like {kind} "
                f"(starts with '{prefix}'); the REST API needs an API access token "
                "(Account settings > Authorization)."
            )
    return stripped


def _non_empty(value: str | None) -> str | None:
    return value if value is not None and value.strip() else None


def _bad_int(key: str, raw: str, low: int, high: int) -> NoReturn:
    raise ConfigurationError(
        f"Invalid {key}={raw!r}: expected a whole number from {low} to {high}."
    )


def _int_setting(key: str, raw: str | None, default: int, low: int, high: int) -> int:
    if _non_empty(raw) is None:
        return default
    assert raw is not None
    try:
        number = int(raw.strip())
    except ValueError:
        _bad_int(key, raw, low, high)
    if not low <= number <= high:
        _bad_int(key, raw, low, high)
    return number


@dataclass(frozen=True)
class ClientSettings:
    """Resolved client settings. `repr` never shows the token, and pickling is refused so the
    token cannot be serialized into Pulumi state along with a dynamic provider."""

    access_token: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    link_batch_size: int = DEFAULT_LINK_BATCH_SIZE
    max_parallel_batches: int = DEFAULT_MAX_PARALLEL_BATCHES

    def __getstate__(self) -> NoReturn:
        raise TypeError("ClientSettings must not be pickled: it holds the access token")

    @classmethod
    def resolve(
        cls,
        config_get: Callable[[str], str | None],
        environ: Mapping[str, str],
    ) -> ClientSettings:
        """Read settings: Pulumi config (`launchdarkly:*`) first, then environment variables.

        `config_get` takes a full key such as "launchdarkly:accessToken" and returns None
        when it is unset.
        """
        config_token = _non_empty(config_get(ACCESS_TOKEN_CONFIG_KEY))
        if config_token is not None:
            token = validate_access_token(config_token, source=ACCESS_TOKEN_CONFIG_KEY)
        else:
            token = validate_access_token(
                environ.get(ACCESS_TOKEN_ENV_VAR), source=ACCESS_TOKEN_ENV_VAR
            )

        config_host = _non_empty(config_get(API_HOST_CONFIG_KEY))
        env_host = _non_empty(environ.get(API_HOST_ENV_VAR))
        if config_host is not None:
            base_url = normalize_base_url(config_host, setting=API_HOST_CONFIG_KEY)
        elif env_host is not None:
            base_url = normalize_base_url(env_host, setting=API_HOST_ENV_VAR)
        else:
            base_url = DEFAULT_BASE_URL

        link_batch_size = _int_setting(
            LINK_BATCH_SIZE_CONFIG_KEY,
            config_get(LINK_BATCH_SIZE_CONFIG_KEY),
            DEFAULT_LINK_BATCH_SIZE,
            1,
            MAX_LINK_BATCH_SIZE,
        )
        max_parallel_batches = _int_setting(
            LINK_PARALLELISM_CONFIG_KEY,
            config_get(LINK_PARALLELISM_CONFIG_KEY),
            DEFAULT_MAX_PARALLEL_BATCHES,
            1,
            MAX_PARALLEL_BATCHES,
        )
        return cls(
            access_token=token,
            base_url=base_url,
            link_batch_size=link_batch_size,
            max_parallel_batches=max_parallel_batches,
        )
