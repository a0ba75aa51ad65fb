"""Quickstart: link flags, segments, an AI config and a metric to a view; link a ticket and a
runbook to a flag. Point it at LaunchDarkly with `launchdarkly:apiHost` and
`launchdarkly:accessToken` (secret) config, or run `make demo` to use the emulator."""

import pulumi

from pulumi_launchdarkly_links import FlagLink, SegmentRef, ViewMembership

config = pulumi.Config("quickstart")
project_key = config.get("projectKey") or "default"

checkout = ViewMembership(
    "checkout",
    project_key=project_key,
    view_key="checkout",
    flags=["new-checkout", "pay-later"],
    segments=[SegmentRef(environment_key="production", segment_key="beta-users")],
    ai_configs=["checkout-assistant"],
    metrics=["checkout-conversion"],
    comment="managed by pulumi",
)

ticket = FlagLink(
    "chk-1-ticket",
    project_key=project_key,
    flag_key="new-checkout",
    deep_link="https://jira.example.com/browse/CHK-1",
    title="CHK-1: new checkout",
    description="Rollout ticket",
)

runbook = FlagLink(
    "new-checkout-runbook",
    project_key=project_key,
    flag_key="new-checkout",
    deep_link="https://runbooks.example.com/checkout/new-checkout",
    title="Runbook: new checkout",
)

pulumi.export("view", checkout.id)
pulumi.export("flags_linked", checkout.flag_count)
pulumi.export("segments_linked", checkout.segments)
pulumi.export("flag_links", [ticket.link_id, runbook.link_id])
