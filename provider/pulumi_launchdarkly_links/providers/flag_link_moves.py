"""Is an existing link moving to this resource from another resource of this deployment?

The deployment record (`deployment_declarations`) knows once the other resource's check has
run: it has the link in its state. The engine checks resources in the order the program
registers them, but starts a create or update as soon as that one is planned, so a receiver
registered before the giver can meet the link (a 409) before the giver is checked. Before a
create calls a link "not this stack's" and refuses it, it therefore waits a moment for the
checks still to come: at most LATER_CHECKS_GRACE_SECONDS per provider call, shared by all the
links of that call. Only a refusal waits; a link that is moving is taken as soon as it is known.
"""

from __future__ import annotations

import threading
import time

from .deployment_declarations import current_deployment
from .flag_link_plan import LinkItem

# How long a refusal waits for checks of resources registered later in the program.
LATER_CHECKS_GRACE_SECONDS = 3.0
_POLL_SECONDS = 0.05


class MovesHere:
    """Answers `moving_here(item)` for the links of one provider call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deadline: float | None = None

    def moving_here(self, item: LinkItem) -> bool:
        deployment = current_deployment()
        with self._lock:
            if self._deadline is None:
                self._deadline = time.monotonic() + LATER_CHECKS_GRACE_SECONDS
            deadline = self._deadline
        while not deployment.owned_in_state_elsewhere(item):
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SECONDS)
        return True
