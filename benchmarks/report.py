"""Tables for stdout and the BENCHMARKS.md report: sections of a title, a table and sentences."""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.harness import pulumi_bin_dir


@dataclass
class Section:
    """One benchmark's result: what it measured (table) and what that means for its goals."""

    title: str
    method: str
    headers: list[str]
    rows: list[list[str]]
    goals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)
    ]
    render = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=False))  # noqa: E731
    return "\n".join(
        [render(headers), render(["-" * w for w in widths])] + [render(r) for r in rows]
    )


def print_section(section: Section) -> None:
    print(f"\n== {section.title}", flush=True)
    print(text_table(section.headers, section.rows))
    for line in section.goals + section.notes:
        print(f"  * {line}")
    print(flush=True)


def machine() -> dict[str, str]:
    version = subprocess.run(
        [str(pulumi_bin_dir() / "pulumi"), "version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "pulumi": version or "unknown",
        "os": f"{platform.system()} {platform.release()}",
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def render_section(section: Section) -> list[str]:
    parts = [f"## {section.title}", "", section.method, ""]
    parts += [markdown_table(section.headers, section.rows), ""]
    if section.goals:
        parts += ["Goals:", ""] + [f"* {goal}" for goal in section.goals] + [""]
    if section.notes:
        parts += [f"* {note}" for note in section.notes] + [""]
    return parts


def replace_sections(
    report: str, sections: list[Section], host: dict[str, str], quick: bool
) -> str:
    """`report` (a BENCHMARKS.md) with each of `sections` put in place of the section of the same
    number, or added in number order; each says when it was measured, apart from the rest."""
    chunks = re.split(r"(?m)^(?=## )", report)
    head, by_number = chunks[0], {_number(chunk): chunk for chunk in chunks[1:]}
    for section in sections:
        section.notes.append(
            f"Measured {host['date']}{' with BENCH_QUICK=1' if quick else ''} by "
            f"`BENCH_ONLY={_number(section.title)} make bench`, apart from the whole run above."
        )
        by_number[_number(section.title)] = "\n".join(render_section(section)) + "\n"
    body = "".join(by_number[number] for number in sorted(by_number, key=_sort_key))
    return head + body.rstrip("\n") + "\n"


def _number(title: str) -> str:
    return title.removeprefix("## ").split(".", 1)[0].strip()


def _sort_key(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (10**6, number)


def render(sections: list[Section], host: dict[str, str], quick: bool, seconds: float) -> str:
    parts = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m benchmarks`); do not edit by hand. Counts come from "
        "the emulator's own request statistics; times are wall-clock seconds of the real "
        "`pulumi` CLI driven through the Automation API. Benchmarks report, they never fail.",
        "",
        f"* Date: {host['date']}" + (" (BENCH_QUICK=1: reduced sizes)" if quick else ""),
        f"* Machine: {host['cores']} cores ({host['cpu']}), {host['os']}",
        f"* Python {host['python']}, pulumi {host['pulumi']}",
        f"* Whole run: {seconds:.0f} s",
        "* The Pulumi SDK (3.259) wraps `pickle._Pickler._batch_setitems` once more for every "
        "dynamic resource it serializes and never restores it: one process that constructs "
        "~985 dynamic resources fails with RecursionError. `ViewMembership` and `FlagLink` "
        "peel the wrappers off before they are serialized (`_pickler_guard`); the benchmarks "
        "also do so before each run, for the floor's no-op resources.",
        "",
    ]
    for section in sections:
        parts += render_section(section)
    return "\n".join(parts)
