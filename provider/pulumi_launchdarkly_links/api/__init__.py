"""The LaunchDarkly API client shared by the Pulumi providers.

Typical use: resolve settings with `ClientSettings.resolve(config_get, os.environ)`, build one
`LaunchDarklyClient(access_token=..., base_url=...)` per provider process, share it between
threads, and catch `LaunchDarklyError` (or a subclass) around calls.

Each name is imported from its module on first use (PEP 562): importing this package, or one
module of it (`api._constants`), loads no other module of it; `from ..api import NotFoundError`
loads the errors and what they import, not the client or the pydantic models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._base_client import is_safe_to_repeat, should_retry, should_retry_transport_error
    from ._client import LaunchDarklyClient
    from ._config import ClientSettings, normalize_base_url, validate_access_token
    from ._constants import (
        DEFAULT_BASE_URL,
        DEFAULT_MAX_RETRIES,
        DEFAULT_TIMEOUT,
        INITIAL_RETRY_DELAY,
        MAX_RETRY_DELAY,
        MAX_TOTAL_RETRY_SECONDS,
        RATE_LIMIT_WINDOW_SECONDS,
        USER_AGENT,
    )
    from ._exceptions import (
        APIConnectionError,
        APIResponseValidationError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ConflictError,
        InternalServerError,
        LaunchDarklyError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        UnprocessableEntityError,
        redact,
        status_error_from_response,
    )
    from ._models import (
        Environment,
        FailedResource,
        FlagLink,
        FlagLinkMember,
        FlagLinkPost,
        FlagLinkTimestamp,
        JsonPatchOperation,
        LinkedPage,
        LinkedResource,
        LinkRequest,
        LinkResult,
        Project,
        ResourceType,
        SegmentIdentifier,
        View,
        ViewMaintainer,
        ViewPatch,
        ViewPost,
    )
    from ._rate_limit import RateLimitGate
    from ._retry_delay import compute_retry_delay

# Each module of this package and the public names it defines.
_NAMES_OF_MODULE: dict[str, tuple[str, ...]] = {
    "._base_client": (
        "is_safe_to_repeat",
        "should_retry",
        "should_retry_transport_error",
    ),
    "._client": ("LaunchDarklyClient",),
    "._config": (
        "ClientSettings",
        "normalize_base_url",
        "validate_access_token",
    ),
    "._constants": (
        "DEFAULT_BASE_URL",
        "DEFAULT_MAX_RETRIES",
        "DEFAULT_TIMEOUT",
        "INITIAL_RETRY_DELAY",
        "MAX_RETRY_DELAY",
        "MAX_TOTAL_RETRY_SECONDS",
        "RATE_LIMIT_WINDOW_SECONDS",
        "USER_AGENT",
    ),
    "._exceptions": (
        "APIConnectionError",
        "APIResponseValidationError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "BadRequestError",
        "ConfigurationError",
        "ConflictError",
        "InternalServerError",
        "LaunchDarklyError",
        "NotFoundError",
        "PermissionDeniedError",
        "RateLimitError",
        "UnprocessableEntityError",
        "redact",
        "status_error_from_response",
    ),
    "._models": (
        "Environment",
        "FailedResource",
        "FlagLink",
        "FlagLinkMember",
        "FlagLinkPost",
        "FlagLinkTimestamp",
        "JsonPatchOperation",
        "LinkedPage",
        "LinkedResource",
        "LinkRequest",
        "LinkResult",
        "Project",
        "ResourceType",
        "SegmentIdentifier",
        "View",
        "ViewMaintainer",
        "ViewPatch",
        "ViewPost",
    ),
    "._rate_limit": ("RateLimitGate",),
    "._retry_delay": ("compute_retry_delay",),
}
_MODULE_OF = {name: module for module, names in _NAMES_OF_MODULE.items() for name in names}

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_DELAY",
    "MAX_TOTAL_RETRY_SECONDS",
    "RATE_LIMIT_WINDOW_SECONDS",
    "USER_AGENT",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientSettings",
    "ConfigurationError",
    "ConflictError",
    "Environment",
    "FailedResource",
    "FlagLink",
    "FlagLinkMember",
    "FlagLinkPost",
    "FlagLinkTimestamp",
    "InternalServerError",
    "JsonPatchOperation",
    "LaunchDarklyClient",
    "LaunchDarklyError",
    "LinkRequest",
    "LinkResult",
    "LinkedPage",
    "LinkedResource",
    "NotFoundError",
    "PermissionDeniedError",
    "Project",
    "RateLimitError",
    "RateLimitGate",
    "ResourceType",
    "SegmentIdentifier",
    "UnprocessableEntityError",
    "View",
    "ViewMaintainer",
    "ViewPatch",
    "ViewPost",
    "compute_retry_delay",
    "is_safe_to_repeat",
    "normalize_base_url",
    "redact",
    "should_retry",
    "should_retry_transport_error",
    "status_error_from_response",
    "validate_access_token",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next lookup is an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
