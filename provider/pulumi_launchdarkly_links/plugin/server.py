"""Serve `LaunchDarklyLinksProvider` over gRPC, as `pulumi.provider.experimental.server.main`
does, with one difference: an error of ours reaches the CLI as its message alone (the SDK's
servicer would send `Unexpected <class ...>: ...` or a traceback). Any other exception is a
bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import grpc.aio
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime.proto import provider_pb2_grpc

from .._version import __version__
from ..api import LaunchDarklyError
from ..providers._session import CONFIG_KEYS
from ..providers.errors import ProviderError
from . import PACKAGE
from .provider import LaunchDarklyLinksProvider

_OURS = (ProviderError, LaunchDarklyError)


def user_message(error: BaseException) -> str:
    """The message, with the Python face's config keys renamed to the plugin's."""
    text = str(error)
    for key in CONFIG_KEYS:
        text = text.replace(key, f"{PACKAGE}:{key.split(':', 1)[1]}")
    return text


def _quiet(method: Callable[[Any, Any], Awaitable[Any]]) -> Callable[[Any, Any], Awaitable[Any]]:
    async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await method(request, context)
        except _OURS as error:
            await context.abort(grpc.StatusCode.UNKNOWN, user_message(error))
        except Exception as error:
            details = "".join(traceback.format_exception(error))
            await context.abort(grpc.StatusCode.UNKNOWN, details)

    return call


class QuietServicer(ProviderServicer):
    """The SDK's servicer, each resource method wrapped by `_quiet`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("Check", "Diff", "Create", "Read", "Update", "Delete", "Invoke", "Configure"):
            setattr(self, name, _quiet(getattr(super(), name)))


def main(argv: list[str] | None = None) -> None:
    args = sys.argv if argv is None else argv
    parser = argparse.ArgumentParser(description=f"Pulumi provider plugin {PACKAGE}")
    parser.add_argument("engine", help="Pulumi engine address")
    known, _ = parser.parse_known_args(args[1:])

    async def serve() -> None:
        server = grpc.aio.server(
            options=[
                ("grpc.max_receive_message_length", 400 * 1024 * 1024),
                ("grpc.max_send_message_length", 400 * 1024 * 1024),
            ]
        )
        servicer = QuietServicer(
            args, __version__, LaunchDarklyLinksProvider(), engine_address=known.engine
        )
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port(address="127.0.0.1:0")
        await server.start()
        sys.stdout.buffer.write(f"{port}\n".encode())
        sys.stdout.buffer.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
