"""What the provider host sends the engine for an error: our errors as their message alone."""

from __future__ import annotations

import importlib.util
import logging
import sys
import traceback
import types
from pathlib import Path

import pytest

from pulumi_launchdarkly_links.api import AuthenticationError, ConfigurationError
from pulumi_launchdarkly_links.providers import _session
from pulumi_launchdarkly_links.providers.errors import ProviderError


def provider_host_source() -> str:
    spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).read_text(encoding="utf-8")


def fake_provider_host(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A `__main__` module that looks like `python -m pulumi.dynamic` to quiet_provider_errors."""
    host = types.ModuleType("__main__")
    host.__spec__ = importlib.util.spec_from_loader("pulumi.dynamic.__main__", loader=None)
    host.traceback = traceback  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "__main__", host)
    return host


def formatted(host: types.ModuleType, error: Exception) -> str:
    """What the host's RPC wrapper (pulumi >= 3.260) sends for `error`."""
    try:
        raise error
    except Exception:
        return str(host.traceback.format_exc())


@pytest.mark.parametrize(
    "error",
    [
        ProviderError("view 'checkout' was not found in project 'default'"),
        ConfigurationError("launchdarkly:accessToken is not set"),
        AuthenticationError("GET", "/api/v2/projects/default", 401, "unauthorized", "bad token"),
    ],
    ids=["provider", "configuration", "api-status"],
)
def test_our_errors_reach_the_engine_as_their_message(
    monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    host = fake_provider_host(monkeypatch)
    _session.quiet_provider_errors()
    assert formatted(host, error) == str(error)


def test_other_errors_keep_their_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    host = fake_provider_host(monkeypatch)
    _session.quiet_provider_errors()
    text = formatted(host, KeyError("__provider"))
    assert text.startswith("Traceback (most recent call last):")
    assert text.rstrip().endswith("KeyError: '__provider'")
    assert host.traceback.extract_stack  # everything else is the real module


def test_outside_the_provider_host_nothing_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    host = types.ModuleType("__main__")
    host.traceback = traceback  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "__main__", host)
    _session.quiet_provider_errors()
    assert host.traceback is traceback  # type: ignore[attr-defined]


def test_grpc_logs_no_traceback_once_quieted() -> None:
    _session.quiet_provider_errors()
    _session.quiet_provider_errors()
    grpc_logger = logging.getLogger("grpc._server")
    assert grpc_logger.propagate is False
    assert sum(isinstance(h, logging.NullHandler) for h in grpc_logger.handlers) == 1


def test_the_installed_sdk_formats_errors_the_way_the_stand_in_expects() -> None:
    # pulumi <= 3.259 leaves errors to gRPC (`Exception calling application: <message>`);
    # >= 3.260 sends `traceback.format_exc()`, looked up in the host module at call time. If a
    # newer SDK formats errors another way, the stand-in no longer applies: this says so.
    source = provider_host_source()
    if "format_exc" not in source:
        assert "context.abort" not in source
        return
    assert "import traceback\n" in source
    assert "traceback.format_exc()" in source
    assert "from traceback import" not in source
