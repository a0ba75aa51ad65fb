"""CLI: `python -m pulumi_launchdarkly_links.emulator --port 0 --seed demo ...`."""

from __future__ import annotations

import argparse
import sys

from .seed import SEED_FORMAT
from .settings import RESOURCE_TYPES, EmulatorSettings


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass


def parse_args(argv: list[str] | None = None) -> EmulatorSettings:
    p = argparse.ArgumentParser(
        prog="python -m pulumi_launchdarkly_links.emulator",
        description="LaunchDarkly-compatible emulator for views, view links and flag links.",
        epilog=SEED_FORMAT,
        # Every option shows its default; the epilog keeps its line breaks.
        formatter_class=_HelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8765, help="0 binds a free port")
    p.add_argument("--token", default="emulator-token", help="accepted Authorization value")
    p.add_argument("--seed", default="demo", help="'demo', 'none' or a seed JSON file")
    p.add_argument("--state", help="state JSON file: loaded at start, saved after each mutation")
    p.add_argument(
        "--linked-page-max", type=int, default=100, help="largest page /linked/{type} answers"
    )
    p.add_argument(
        "--link-batch-max", type=int, default=20, help="most keys one link/unlink may carry"
    )
    p.add_argument("--route-limit", type=int, default=0, help="requests per window; 0=unlimited")
    p.add_argument("--global-limit", type=int, default=0, help="requests per window; 0=unlimited")
    p.add_argument("--window-seconds", type=float, default=10.0, help="rate-limit window length")
    p.add_argument(
        "--retry-after",
        type=float,
        default=0.0,
        help="IP-style 429s: send Retry-After with this many seconds",
    )
    p.add_argument("--latency-ms", type=float, default=0.0, help="delay added to every answer")
    p.add_argument(
        "--latency-jitter-ms", type=float, default=0.0, help="random extra delay, up to this"
    )
    p.add_argument("--fault-rate", type=float, default=0.0, help="probability 0..1")
    p.add_argument("--fault-seed", type=int, default=None, help="makes faults repeatable")
    p.add_argument(
        "--reject-resource-types",
        default="",
        help=f"comma list out of {','.join(RESOURCE_TYPES)} answered with 400",
    )
    p.add_argument("--log-level", default="warning", help="uvicorn log level")
    a = p.parse_args(argv)
    if not 0 <= a.fault_rate <= 1:
        p.error("--fault-rate must be between 0 and 1")
    settings = EmulatorSettings(
        host=a.host,
        port=a.port,
        token=a.token,
        seed=None if a.seed == "none" else a.seed,
        state_path=a.state,
        linked_page_max=a.linked_page_max,
        link_batch_max=a.link_batch_max,
        route_limit=a.route_limit,
        global_limit=a.global_limit,
        window_seconds=a.window_seconds,
        retry_after=a.retry_after,
        latency_ms=a.latency_ms,
        latency_jitter_ms=a.latency_jitter_ms,
        fault_rate=a.fault_rate,
        fault_seed=a.fault_seed,
        reject_resource_types=[t.strip() for t in a.reject_resource_types.split(",") if t.strip()],
    )
    settings.log_level = a.log_level  # type: ignore[attr-defined]
    return settings


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    from .server import serve_forever  # imported late so --help stays fast

    serve_forever(settings, getattr(settings, "log_level", "warning"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
