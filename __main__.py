"""The provider plugin `ldlinks`, as Pulumi's Python language host runs it (`python <dir>`).

The plugin itself is `pulumi_launchdarkly_links.plugin`; see PulumiPlugin.yaml.
"""

from pulumi_launchdarkly_links.plugin.server import main

if __name__ == "__main__":
    main()
