"""Bootstrap an environment from a YAML catalogue (flags.yaml, or the file named by config
`bootstrap:flagsFile`): the view is created, its flags become the view's membership, and each
flag gets a link to its ticket. Adding a flag to the file and running `pulumi up` links it and
its ticket; nothing has to be made in the LaunchDarkly UI first."""

from pathlib import Path

import pulumi
import yaml

from pulumi_launchdarkly_links import FlagLink, View, ViewMembership

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
    comment="bootstrapped by pulumi",
)

links = {
    flag["key"]: FlagLink(
        f"{flag['key']}-ticket",
        project_key=project_key,
        flag_key=flag["key"],
        deep_link=flag["ticket"],
        title=flag.get("title"),
    )
    for flag in catalogue["flags"]
}

pulumi.export("view_id", view.view_id)
pulumi.export("flags_in_view", membership.flag_count)
pulumi.export("ticket_links", {key: link.link_id for key, link in links.items()})
