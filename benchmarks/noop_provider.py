"""A dynamic resource whose provider does nothing: the Pulumi engine's own floor per resource.

Importable (not defined in `__main__`), so it is pickled into state by reference like the real
providers, and the provider process imports it (the benchmark puts the repo root on PYTHONPATH).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi import dynamic


class NoopProvider(dynamic.ResourceProvider):
    """create returns at once; no other method does any work."""

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        return dynamic.CreateResult(id_=str(props.get("name", "noop")), outs=props)


class KeysHolderProvider(NoopProvider):
    """Like NoopProvider, and an update that keeps the new inputs (the engine diffs them)."""

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        return dynamic.UpdateResult(outs=news)


class KeysHolder(dynamic.Resource, module="bench", name="KeysHolder"):
    """A no-op dynamic resource holding `keys` as input: the engine's cost for that much data."""

    def __init__(self, resource_name: str, keys: list[str]) -> None:
        super().__init__(KeysHolderProvider(), resource_name, {"name": resource_name, "keys": keys})


class Noop(dynamic.Resource, module="bench", name="Noop"):
    """One no-op dynamic resource; `name` is its only input."""

    def __init__(self, resource_name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(NoopProvider(), resource_name, {"name": resource_name}, opts)
