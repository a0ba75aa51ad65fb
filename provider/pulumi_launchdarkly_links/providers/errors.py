"""Errors the providers raise; their text is what a user reads under the resource in the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ProviderError(Exception):
    """A LaunchDarkly operation a provider could not carry out; the message says what to do."""


@dataclass(frozen=True)
class MemberFailure:
    """One member LaunchDarkly refused to link or unlink, with its reason."""

    resource_type: str
    member: str
    reason: str

    def describe(self) -> str:
        return f"{self.resource_type} {self.member}: {self.reason}"


def describe_failures(failures: Sequence[MemberFailure], limit: int = 50) -> str:
    lines = [f"  - {failure.describe()}" for failure in failures[:limit]]
    if len(failures) > limit:
        lines.append(f"  ... and {len(failures) - limit} more")
    return "\n".join(lines)
