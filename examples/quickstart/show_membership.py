"""Print a view's membership and a flag's links as LaunchDarkly (or the emulator) reports them.

Usage: show_membership.py PROJECT VIEW FLAG, with LAUNCHDARKLY_API_HOST and
LAUNCHDARKLY_ACCESS_TOKEN set.
"""

import os
import sys

from pulumi_launchdarkly_links.api import ClientSettings, LaunchDarklyClient


def main(project_key: str, view_key: str, flag_key: str) -> None:
    settings = ClientSettings.resolve(lambda _key: None, os.environ)
    with LaunchDarklyClient(
        access_token=settings.access_token, base_url=settings.base_url
    ) as client:
        print(f"View '{view_key}' in project '{project_key}':")
        for resource_type in ("flags", "segments", "aiConfigs", "metrics"):
            items = client.list_linked_resources(project_key, view_key, resource_type)
            names = [
                f"{item.resource_key} ({item.environment_key})"
                if item.environment_key
                else item.resource_key
                for item in items
            ]
            print(f"  {resource_type:<10} {len(names):>3}  {', '.join(names)}")
        links = client.list_flag_links(project_key, flag_key)
        print(f"Flag '{flag_key}' has {len(links)} link(s):")
        for link in links:
            print(f"  {link.key}: {link.title} -> {link.deep_link}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
