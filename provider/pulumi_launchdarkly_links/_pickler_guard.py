"""Keep Pulumi's provider serialization from nesting pickle wrappers without end.

`pulumi.dynamic.serialize_provider` (SDK 3.x, still in 3.259) replaces
`pickle._Pickler._batch_setitems` with a key-sorting wrapper around whatever is there, for every
dynamic resource it serializes, and never puts the original back. The n-th resource's pickling
then recurses through n wrappers, and a program with about 985 dynamic resources dies with
RecursionError. Peeling those wrappers off before each of our resources is serialized leaves
exactly the one Pulumi adds, so sorting (and with it a stable `__provider`) is unchanged.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

# The names of the wrappers serialize_provider defines (the second one before Python 3.14).
_PULUMI_WRAPPER_NAMES = frozenset({"batch_set_items_sorted", "batch_set_items_sorted_before_py14"})


def _wrapped(method: Callable[..., Any]) -> Callable[..., Any] | None:
    """The function a Pulumi sorting wrapper calls, or None if `method` is not such a wrapper."""
    if getattr(method, "__name__", "") not in _PULUMI_WRAPPER_NAMES:
        return None
    for cell in getattr(method, "__closure__", None) or ():
        if callable(cell.cell_contents):
            return cell.cell_contents  # type: ignore[no-any-return]
    return None


def _peel() -> tuple[Callable[..., Any], int]:
    """The `_batch_setitems` under Pulumi's sorting wrappers, and how many wrappers there are."""
    depth, method = 0, pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    while (inner := _wrapped(method)) is not None:
        depth, method = depth + 1, inner
    return method, depth


def pulumi_wrapper_depth() -> int:
    """How many Pulumi sorting wrappers sit on `pickle._Pickler._batch_setitems` now."""
    return _peel()[1]


def unwrap_pulumi_pickler() -> None:
    """Put back the `_batch_setitems` that Pulumi's sorting wrappers (if any) enclose."""
    pickle._Pickler._batch_setitems = _peel()[0]  # type: ignore[attr-defined]
