"""Peak resident memory (VmHWM) of our own descendant processes whose command line matches.

psutil is not a dependency: this polls /proc from a thread. Only descendants of this process
count, so `pulumi` runs of other users of the machine never pollute the numbers.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType


def _parent_map() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def _is_descendant(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    while pid > 1:
        pid = parents.get(pid, 0)
        if pid == ancestor:
            return True
    return False


def _peak_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


class PeakMemory:
    """`with PeakMemory("pulumi.dynamic") as probe: ...`; then `probe.peaks` (pid -> KiB)."""

    def __init__(self, needle: str, interval: float = 0.05) -> None:
        self.needle = needle
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True, name="peak-memory")

    def _poll(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            parents = _parent_map()
            for pid in parents:
                if pid in self.peaks or _is_descendant(pid, me, parents):
                    try:
                        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                    except OSError:
                        continue
                    if self.needle.encode() not in cmdline:
                        continue
                    peak = _peak_kib(pid)
                    if peak is not None:
                        self.peaks[pid] = max(peak, self.peaks.get(pid, 0))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
