"""Bootstrap an environment from a YAML catalogue of flags (flags.yaml, or the file named by
config `bootstrap:flagsFile`): the flags become a view's membership, and each flag gets a link
to its ticket. Adding a flag to the file and running `pulumi up` links it and its ticket."""

from pathlib import Path

import pulumi
import yaml

from pulumi_launchdarkly_links import FlagLink, ViewMembership

config = pulumi.Config("bootstrap")
catalogue = yaml.safe_load(Path(config.get("flagsFile") or "flags.yaml").read_text())
project_key, view_key = catalogue["project"], catalogue["view"]

membership = ViewMembership(
    f"{view_key}-flags",
    project_key=project_key,
    view_key=view_key,
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

pulumi.export("flags_in_view", membership.flag_count)
pulumi.export("ticket_links", {key: link.link_id for key, link in links.items()})
