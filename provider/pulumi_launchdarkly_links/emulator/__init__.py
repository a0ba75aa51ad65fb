"""LaunchDarkly-compatible emulator (views, view links, flag links and a small catalog).

Run it with `python -m pulumi_launchdarkly_links.emulator --port 0`, or in-process::

    with EmulatorServer(EmulatorSettings()) as emu:
        EmulatorAdmin(emu.url).stats()
"""

from .admin_client import EmulatorAdmin
from .app import create_app
from .seed import (
    DEMO_MOBILE_PRODUCTION_ENV_ID,
    DEMO_PRODUCTION_ENV_ID,
    DEMO_SEED,
    DEMO_TEST_ENV_ID,
)
from .server import EmulatorServer
from .settings import EmulatorSettings

__all__ = [
    "DEMO_MOBILE_PRODUCTION_ENV_ID",
    "DEMO_PRODUCTION_ENV_ID",
    "DEMO_SEED",
    "DEMO_TEST_ENV_ID",
    "EmulatorAdmin",
    "EmulatorServer",
    "EmulatorSettings",
    "create_app",
]
