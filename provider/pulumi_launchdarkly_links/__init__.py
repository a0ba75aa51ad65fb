"""Pulumi dynamic providers for LaunchDarkly view membership and flag links.

from pulumi_launchdarkly_links import FlagLink, SegmentRef, ViewMembership
"""

from ._version import __version__
from .flag_link import FlagLink
from .view_membership import SegmentRef, ViewMembership

__all__ = ["__version__", "FlagLink", "SegmentRef", "ViewMembership"]
