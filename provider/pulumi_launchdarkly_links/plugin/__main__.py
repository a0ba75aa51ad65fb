"""`python -m pulumi_launchdarkly_links.plugin <engine address>`: serve the plugin."""

from .server import main

if __name__ == "__main__":
    main()
