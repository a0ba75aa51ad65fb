"""Pulumi's PropertyValues to the plain values the dynamic providers receive, and back.

The plugin's schema names properties in camelCase (`projectKey`), the providers in snake_case
(`project_key`). Values go in as the dynamic provider host would pass them after its gRPC trip:
a `None` inside a mapping is dropped (a `None` in a list stays), every number is a float, an
unknown is `pulumi.output.Unknown`, a secret is its plain value. Coming back, ints become
floats again and `Unknown` becomes a computed value.

Some mappings hold data, not properties: the members of a checked `flags` map, a FlagLinks'
`links` keyed by `flag/key`, a link's `metadata`. Their keys are never renamed; `DataPaths`
names them per resource, as camelCase paths where `*` stands for any key of a data map and
`[]` for any item of a list: `links`, `links.*.metadata`, `links[].metadata`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.output import Unknown
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime import rpc

# Paths (camelCase) of the mappings whose keys are data.
DataPaths = frozenset[str]

_UPPER = re.compile(r"(?<!^)([A-Z])")


def to_snake(name: str) -> str:
    return _UPPER.sub(r"_\1", name).lower()


def to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _child(path: str, camel_name: str) -> str:
    return f"{path}.{camel_name}" if path else camel_name


def _plain(value: PropertyValue, path: str, data_paths: DataPaths) -> Any:
    inner = value.value
    if isinstance(inner, Computed) or inner == rpc.UNKNOWN:
        return Unknown()
    if isinstance(inner, bool) or inner is None or isinstance(inner, str | float):
        return inner
    if isinstance(inner, Mapping):
        if path in data_paths:
            return {
                key: _plain(item, f"{path}.*", data_paths)
                for key, item in inner.items()
                if item.value is not None
            }
        return {
            to_snake(key): _plain(item, _child(path, key), data_paths)
            for key, item in inner.items()
            if item.value is not None
        }
    if isinstance(inner, Sequence):
        return [
            _plain(item, f"{path}[]", data_paths) for item in inner if not isinstance(item, str)
        ]
    raise ValueError(f"unsupported property value {value!r}")


def to_plain(properties: Mapping[str, PropertyValue], data_paths: DataPaths) -> dict[str, Any]:
    """camelCase PropertyValues -> snake_case plain values, as the dynamic host passes them."""
    return _plain(PropertyValue(dict(properties)), "", data_paths)  # type: ignore[no-any-return]


def _property(value: Any, path: str, data_paths: DataPaths) -> PropertyValue:
    if isinstance(value, Unknown):
        # The wire's unknown: this SDK's PropertyValue.computed() does not marshal.
        return PropertyValue(rpc.UNKNOWN)
    if value is None or isinstance(value, bool | str):
        return PropertyValue(value)
    if isinstance(value, int | float):
        return PropertyValue(float(value))
    if isinstance(value, Mapping):
        if path in data_paths:
            return PropertyValue(
                {key: _property(item, f"{path}.*", data_paths) for key, item in value.items()}
            )
        return PropertyValue(
            {
                to_camel(key): _property(item, _child(path, to_camel(key)), data_paths)
                for key, item in value.items()
            }
        )
    if isinstance(value, Sequence):
        return PropertyValue([_property(item, f"{path}[]", data_paths) for item in value])
    raise ValueError(f"cannot send {type(value).__name__} {value!r} to the engine")


def to_properties(
    values: Mapping[str, Any], data_paths: DataPaths, secret_names: frozenset[str] = frozenset()
) -> dict[str, PropertyValue]:
    """snake_case plain values -> camelCase PropertyValues; `secret_names` (camelCase) are
    sent back as secrets, as they came in."""
    properties = {}
    for name, value in values.items():
        camel = to_camel(name)
        prop = _property(value, camel, data_paths)
        properties[camel] = prop.with_secret(True) if camel in secret_names else prop
    return properties


def secret_names(properties: Mapping[str, PropertyValue]) -> frozenset[str]:
    return frozenset(name for name, value in properties.items() if value.contains_secret())
