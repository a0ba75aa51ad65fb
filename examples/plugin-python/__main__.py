"""A view, its flags and a ticket link through the ldlinks plugin's generated Python SDK."""

import pulumi
import pulumi_ldlinks as ldlinks

config = pulumi.Config()
flags = config.get_object("flags") or ["new-checkout", "pay-later"]

view = ldlinks.View(
    "view",
    project_key="default",
    key=config.get("viewKey") or "plugin-python",
    name="Plugin Python",
    tags=["team-checkout"],
)
members = ldlinks.ViewMembership(
    "members",
    project_key="default",
    view_key=view.key,  # waits for the view; destroy empties it before deleting it
    flags=flags,
    segments=[ldlinks.SegmentRefArgs(environment_key="production", segment_key="beta-users")],
)
ticket = ldlinks.FlagLink(
    "ticket",
    project_key="default",
    flag_key="new-checkout",
    key="ticket",
    deep_link="https://jira.example.com/browse/CHK-1",
    title=config.get("ticketTitle") or "CHK-1: new checkout",
)
current = ldlinks.get_view_output(project_key="default", view_key="checkout")

pulumi.export("viewId", view.view_id)
pulumi.export("flagCount", members.flag_count)
pulumi.export("linkId", ticket.link_id)
pulumi.export("checkoutFlags", current.flags)
