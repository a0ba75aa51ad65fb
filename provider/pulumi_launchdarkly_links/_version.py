"""The package's version: `version` in pyproject.toml, as installed (its only source)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pulumi-launchdarkly-links")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
