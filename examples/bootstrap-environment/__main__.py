"""Bootstrap an environment from a YAML catalogue (flags.yaml, or the file named by config
`bootstrap:flagsFile`): the view is created, its flags become the view's membership, and each
flag gets a link to its ticket. Adding a flag to the file and running `pulumi up` links it and
its ticket; nothing has to be made in the LaunchDarkly UI first.

The ticket links are one `FlagLinks` resource, however many flags the catalogue holds: one
provider call creates them many at a time, and a change to the file touches only the links
that changed."""

from pathlib import Path

import pulumi
import yaml

from pulumi_launchdarkly_links import FlagLinks, FlagLinkSpec, View, ViewMembership

config = pulumi.Config("bootstrap")
catalogue = yaml.safe_load(Path(config.get("flagsFile") or "flags.yaml").read_text())
project_key, view_spec = catalogue["project"], catalogue["view"]

view = View(
    view_spec["key"],
    project_key=project_key,
    key=view_spec["key"],
    name=view_spec["name"],
    description=view_spec.get("description"),
    tags=view_spec.get("tags"),
    maintainer_team_key=view_spec.get("maintainer_team_key"),
)

membership = ViewMembership(
    f"{view_spec['key']}-flags",
    project_key=project_key,
    view_key=view.key,  # the membership waits for the view; destroy empties it first
    flags=[flag["key"] for flag in catalogue["flags"]],
    segment_filter=catalogue.get("segment_filter", {}).get("filter"),
    segment_filter_environment_key=catalogue.get("segment_filter", {}).get("environment"),
    comment="bootstrapped by pulumi",
)

tickets = FlagLinks(
    f"{view_spec['key']}-tickets",
    project_key=project_key,
    links=[
        FlagLinkSpec(
            flag_key=flag["key"],
            key=f"{flag['key']}-ticket",
            deep_link=flag["ticket"],
            title=flag.get("title"),
        )
        for flag in catalogue["flags"]
    ],
)

pulumi.export("view_id", view.view_id)
pulumi.export("flags_in_view", membership.flag_count)
# `links` maps "flag_key/key" to each link's attributes and `link_id` (its _id).
pulumi.export(
    "ticket_links",
    tickets.links.apply(
        lambda links: {name.split("/")[0]: link.get("link_id") for name, link in links.items()}
    ),
)
