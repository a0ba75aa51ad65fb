"""Reading every page of an offset-paginated list, the later pages in parallel.

LaunchDarkly's lists answer `{items, totalCount}` for a `limit`/`offset` window. Once the first
page says how many items there are and how many one page holds (the server may cap `limit`),
the other offsets are known and can be read at once: a 10,000-member view is then one round
trip plus 99 pages spread over a few connections, instead of 100 round trips in a row.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from ._constants import MAX_CONNECTIONS

ItemT = TypeVar("ItemT")

# Pages read at once by one list call: one per connection of the client's pool (a 10,000-member
# view is 100 pages); the shared rate-limit gate still paces every request.
MAX_PARALLEL_PAGES = MAX_CONNECTIONS


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    items: Sequence[ItemT]
    total_count: int


class OffsetIgnored(Exception):
    """A full page added nothing new: the server ignores `offset`."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"page at offset {offset} repeats earlier items (offset ignored?)")
        self.offset = offset


# Reads of a list that keeps changing while it is read, before the last read is taken as is.
MAX_READS = 3


def read_all_pages(
    fetch: Callable[[int], Page[ItemT]],
    identity: Callable[[ItemT], Hashable],
    *,
    parallel: int = MAX_PARALLEL_PAGES,
) -> list[ItemT]:
    """Every item, once, in page order. `fetch(offset)` reads one page.

    After the first page the remaining offsets are read `parallel` at a time; if the list
    changed meanwhile (a short page, another total), reading goes on one page at a time from
    where the pages read so far end, until `totalCount` is reached or a page is empty.
    A list whose total changed between pages is read again from the start (up to `MAX_READS`
    times): an item removed before an offset shifts the later items one page back, so the
    pages read around the change can miss an item that is there.
    """
    for _attempt in range(MAX_READS):
        items, steady = _read_pages_once(fetch, identity, parallel)
        if steady:
            break
    return items


def _read_pages_once(
    fetch_page: Callable[[int], Page[ItemT]],
    identity: Callable[[ItemT], Hashable],
    parallel: int,
) -> tuple[list[ItemT], bool]:
    """One read of every page, and whether every page gave the same total."""
    totals: set[int] = set()

    def fetch(offset: int) -> Page[ItemT]:
        page = fetch_page(offset)
        totals.add(page.total_count)
        return page

    items = _read_every_page(fetch, identity, parallel)
    return items, len(totals) <= 1


def _read_every_page(
    fetch: Callable[[int], Page[ItemT]],
    identity: Callable[[ItemT], Hashable],
    parallel: int,
) -> list[ItemT]:
    seen: dict[Hashable, ItemT] = {}

    def take(offset: int, page: Page[ItemT]) -> None:
        before = len(seen)
        for item in page.items:
            seen.setdefault(identity(item), item)
        if page.items and len(seen) == before:
            raise OffsetIgnored(offset)

    first = fetch(0)
    take(0, first)
    step, total = len(first.items), first.total_count
    offset = step
    if step and offset < total and parallel > 1:
        offsets = list(range(step, total, step))
        with ThreadPoolExecutor(max_workers=min(parallel, len(offsets))) as pool:
            pages = list(pool.map(fetch, offsets))
        for page_offset, page in zip(offsets, pages, strict=True):
            if not page.items:
                return list(seen.values())  # the list shrank meanwhile: this is its end
            take(page_offset, page)
            offset = page_offset + len(page.items)
            total = page.total_count
            if len(page.items) < step:
                break  # a short page before the end: the list changed; go on one by one
    while step and offset < total:
        page = fetch(offset)
        if not page.items:
            break
        take(offset, page)
        offset += len(page.items)
        total = page.total_count
    return list(seen.values())
