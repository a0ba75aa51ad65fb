"""read_all_pages: every item once, whatever the list does between the first page and the rest."""

from __future__ import annotations

import threading

import pytest

from pulumi_launchdarkly_links.api._pages import OffsetIgnored, Page, read_all_pages


def pages_of(items: list[str], size: int) -> tuple[list[int], object]:
    asked: list[int] = []
    lock = threading.Lock()

    def fetch(offset: int) -> Page[str]:
        with lock:
            asked.append(offset)
        return Page(items[offset : offset + size], len(items))

    return asked, fetch


def test_every_item_once_in_page_order() -> None:
    items = [f"k{n:03d}" for n in range(250)]
    asked, fetch = pages_of(items, 100)
    assert read_all_pages(fetch, str) == items  # type: ignore[arg-type]
    assert sorted(asked) == [0, 100, 200]


def test_a_list_that_grew_after_the_first_page_is_read_to_its_new_end() -> None:
    items = [f"k{n}" for n in range(5)]
    state = {"calls": 0}

    def fetch(offset: int) -> Page[str]:
        state["calls"] += 1
        if state["calls"] == 2:
            items.extend(["late-1", "late-2"])  # someone links two more meanwhile
        return Page(items[offset : offset + 2], len(items))

    assert read_all_pages(fetch, str, parallel=1) == items


def test_a_short_page_in_the_middle_falls_back_to_one_page_at_a_time() -> None:
    items = [f"k{n}" for n in range(6)]

    def fetch(offset: int) -> Page[str]:
        size = 1 if offset == 2 else 2  # the server answered one page short
        return Page(items[offset : offset + size], len(items))

    assert read_all_pages(fetch, str) == items


def test_a_server_that_ignores_offset_is_refused() -> None:
    def fetch(offset: int) -> Page[str]:
        return Page(["a", "b"], 6)

    with pytest.raises(OffsetIgnored):
        read_all_pages(fetch, str)
