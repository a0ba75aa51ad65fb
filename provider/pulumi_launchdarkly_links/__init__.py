"""Pulumi dynamic providers for LaunchDarkly views, view membership and flag links.

from pulumi_launchdarkly_links import FlagLink, SegmentRef, View, ViewMembership, get_view
"""

from ._version import __version__
from .flag_link import FlagLink
from .lookups import LinkedSegment, ViewInfo, ViewNotFoundError, get_view, get_view_output
from .view import View
from .view_membership import SegmentRef, ViewMembership

__all__ = [
    "__version__",
    "FlagLink",
    "LinkedSegment",
    "SegmentRef",
    "View",
    "ViewInfo",
    "ViewMembership",
    "ViewNotFoundError",
    "get_view",
    "get_view_output",
]
