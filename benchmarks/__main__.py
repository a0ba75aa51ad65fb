"""`python -m benchmarks`: run every benchmark, print its table, (re)write BENCHMARKS.md.

`BENCH_QUICK=1` runs smaller sizes; `BENCH_ONLY=1,3` runs a subset (numbers as in the report)
and then replaces only those sections of BENCHMARKS.md (each says when it was measured).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from . import (
    flag_links_bulk,
    footprint,
    many_stacks,
    rate_limited,
    requests_per_operation,
    scaling,
    startup,
    wall_time,
)
from .emulator_process import EmulatorProcess
from .environment import QUICK, REPO_ROOT, Bench
from .report import Section, machine, print_section, render, replace_sections

BENCHMARKS: dict[str, Callable[[Bench], Section]] = {
    "1": requests_per_operation.run,
    "2": wall_time.run,
    "3": rate_limited.run,
    "4": footprint.run,
    "5": flag_links_bulk.run,
    "6": scaling.run,
    "7": many_stacks.run,
    "8": startup.run,
}


def main() -> int:
    # The provider process must import benchmarks.noop_provider, pickled by reference.
    paths = [str(REPO_ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    only = [key for key in os.environ.get("BENCH_ONLY", "").split(",") if key] or list(BENCHMARKS)
    started = time.perf_counter()
    host = machine()
    print(f"benchmarks on {host['cores']} cores, Python {host['python']}, pulumi {host['pulumi']}")
    sections = []
    with tempfile.TemporaryDirectory(prefix="ldlinks-bench-") as root, EmulatorProcess() as emu:
        bench = Bench(emu.as_server(), Path(root))
        for key in only:
            section = BENCHMARKS[key](bench)
            print_section(section)
            sections.append(section)
    elapsed = time.perf_counter() - started
    output = REPO_ROOT / "BENCHMARKS.md"
    if len(sections) == len(BENCHMARKS):
        output.write_text(render(sections, host, QUICK, elapsed) + "\n", encoding="utf-8")
        print(f"wrote {output} ({elapsed:.0f} s)")
    else:
        text = replace_sections(output.read_text(encoding="utf-8"), sections, host, QUICK)
        output.write_text(text, encoding="utf-8")
        titles = ", ".join(section.title.split(".", 1)[0] for section in sections)
        print(f"ran {len(sections)} of {len(BENCHMARKS)} benchmarks; replaced section(s) {titles}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
