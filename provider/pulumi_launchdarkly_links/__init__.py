"""Pulumi dynamic providers for LaunchDarkly views, view membership and flag links.

from pulumi_launchdarkly_links import FlagLink, FlagLinks, FlagLinkSpec, SegmentRef, View, ...
"""

from ._version import __version__
from .flag_link import FlagLink
from .flag_links import FlagLinks, FlagLinkSpec
from .lookups import LinkedSegment, ViewInfo, ViewNotFoundError, get_view, get_view_output
from .view import View
from .view_membership import SegmentRef, ViewMembership

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
