"""Face 2: the same resources as a Pulumi provider plugin, for every Pulumi language.

`pulumi package add <this repository>` generates an SDK for the program's language from the
schema (`schema.py`); the engine then runs this package's plugin (`PulumiPlugin.yaml`,
`__main__.py` at the repository root) once per deployment. The plugin only translates: each
request goes to the dynamic provider of that resource (`..providers`), which holds every rule.

Package name `ldlinks`: `launchdarkly` is primait's bridged Terraform provider, and a package
named `launchdarkly-links` would generate a Python SDK called `pulumi_launchdarkly_links`,
which is this package's own import name.
"""

PACKAGE = "ldlinks"
