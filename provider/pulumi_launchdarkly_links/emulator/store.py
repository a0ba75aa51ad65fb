"""In-memory emulator state guarded by one lock, with optional atomic JSON persistence.

The whole account is one JSON-ready dict so that persisting, dumping (GET /_emulator/state) and
reloading are trivial. Route code takes the lock through `read()` / `write()`; `write()` saves the
file after the block succeeds so a crash never leaves half-written state behind.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import ApiError, not_found

State = dict[str, Any]

ACCOUNT_ID = "5e0c0ffee0c0ffee0c0ffee0"


def empty_state() -> State:
    return {"accountId": ACCOUNT_ID, "projects": {}}


class Store:
    """Thread-safe holder of the account state (the server runs on its own thread/loop)."""

    def __init__(self, state_path: str | None = None) -> None:
        self._lock = threading.RLock()
        self._state: State = empty_state()
        self._state_path = state_path
        self._last_ms = 0

    # -- locking -------------------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[State]:
        with self._lock:
            yield self._state

    @contextmanager
    def write(self) -> Iterator[State]:
        with self._lock:
            yield self._state
            self._persist()

    # -- whole-state operations ----------------------------------------------------------------
    def replace(self, state: State) -> None:
        with self._lock:
            self._state = state
            self._persist()

    def snapshot(self) -> State:
        with self._lock:
            return copy.deepcopy(self._state)

    def load_file(self) -> bool:
        """Load state from `state_path` if the file exists; returns whether it did."""
        if not self._state_path or not os.path.exists(self._state_path):
            return False
        with open(self._state_path, encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, dict) or not isinstance(data.get("projects"), dict):
            raise ValueError(f"{self._state_path} is not an emulator state file")
        with self._lock:
            self._state = data
            self._last_ms = int(data.get("clockMs", 0))
        return True

    def now_ms(self) -> int:
        """Wall-clock epoch ms, but strictly increasing so `linkedAt` orders links reliably."""
        with self._lock:
            self._last_ms = max(int(time.time() * 1000), self._last_ms + 1)
            return self._last_ms

    def _persist(self) -> None:
        if not self._state_path:
            return
        # Remember the clock so a restarted emulator keeps linkedAt increasing.
        self._state["clockMs"] = self._last_ms
        directory = os.path.dirname(os.path.abspath(self._state_path))
        fd, tmp = tempfile.mkstemp(prefix=".emulator-state-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self._state, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            # os.replace is atomic on POSIX: readers see the old or the new file, never a mix.
            os.replace(tmp, self._state_path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


# -- lookups shared by the route modules (callers hold the lock) ---------------------------------
def get_project(state: State, project_key: str) -> dict[str, Any]:
    project = state["projects"].get(project_key)
    if project is None:
        raise not_found(f"project '{project_key}' not found")
    return project  # type: ignore[no-any-return]


def get_view(project: dict[str, Any], view_key: str) -> dict[str, Any]:
    view = project["views"].get(view_key.lower())
    if view is None:
        raise not_found(f"view '{view_key}' not found in project '{project['key']}'")
    return view  # type: ignore[no-any-return]


def get_flag(project: dict[str, Any], flag_key: str) -> dict[str, Any]:
    flag = project["flags"].get(flag_key)
    if flag is None:
        raise not_found(f"flag '{flag_key}' not found in project '{project['key']}'")
    return flag  # type: ignore[no-any-return]


def get_segment(project: dict[str, Any], env: dict[str, Any], segment_key: str) -> dict[str, Any]:
    segment = project["segments"].get(env["key"], {}).get(segment_key)
    if segment is None:
        raise not_found(f"segment '{segment_key}' not found in environment '{env['key']}'")
    return segment  # type: ignore[no-any-return]


def get_metric(project: dict[str, Any], metric_key: str) -> dict[str, Any]:
    metric = project["metrics"].get(metric_key)
    if metric is None:
        raise not_found(f"metric '{metric_key}' not found in project '{project['key']}'")
    return metric  # type: ignore[no-any-return]


def get_ai_config(project: dict[str, Any], config_key: str) -> dict[str, Any]:
    config = project["aiConfigs"].get(config_key)
    if config is None:
        raise not_found(f"AI config '{config_key}' not found in project '{project['key']}'")
    return config  # type: ignore[no-any-return]


def get_environment(project: dict[str, Any], env_key: str) -> dict[str, Any]:
    env = project["environments"].get(env_key)
    if env is None:
        raise not_found(f"environment '{env_key}' not found in project '{project['key']}'")
    return env  # type: ignore[no-any-return]


def environment_by_id(project: dict[str, Any], env_id: str) -> dict[str, Any] | None:
    for env in project["environments"].values():
        if env["_id"] == env_id:
            return env  # type: ignore[no-any-return]
    return None


def conflict_if(exists: bool, message: str) -> None:
    if exists:
        raise ApiError(409, "conflict", message)
