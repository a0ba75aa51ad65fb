"""Pulumi dynamic providers for LaunchDarkly views, view membership and flag links.

from pulumi_launchdarkly_links import FlagLink, FlagLinks, FlagLinkSpec, SegmentRef, View, ...

Each name is imported on first use (PEP 562), so a program pays only for the resources it
declares, and the provider process, which imports this package to reach a provider module,
pays for none of the resource classes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._version import __version__
    from .flag_link import FlagLink
    from .flag_links import FlagLinks, FlagLinkSpec
    from .lookups import LinkedSegment, ViewInfo, ViewNotFoundError, get_view, get_view_output
    from .view import View
    from .view_membership import SegmentRef, ViewMembership

# Public name -> the module (relative to this package) that defines it.
_MODULE_OF = {
    "__version__": "._version",
    "FlagLink": ".flag_link",
    "FlagLinkSpec": ".flag_links",
    "FlagLinks": ".flag_links",
    "LinkedSegment": ".lookups",
    "SegmentRef": ".view_membership",
    "View": ".view",
    "ViewInfo": ".lookups",
    "ViewMembership": ".view_membership",
    "ViewNotFoundError": ".lookups",
    "get_view": ".lookups",
    "get_view_output": ".lookups",
}

__all__ = [
    "__version__",
    "FlagLink",
    "FlagLinkSpec",
    "FlagLinks",
    "LinkedSegment",
    "SegmentRef",
    "View",
    "ViewInfo",
    "ViewMembership",
    "ViewNotFoundError",
    "get_view",
    "get_view_output",
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
