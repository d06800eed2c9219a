"""Start-up objects are frozen out of the garbage collector once per process (core/memory.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from risk_register.core import memory


@pytest.fixture
def thawed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    gc.unfreeze()
    monkeypatch.setattr(memory, "_frozen", False)
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("thawed")
def test_the_heap_is_frozen_once_and_later_objects_are_still_collected() -> None:
    memory.freeze_startup_heap()
    frozen = gc.get_freeze_count()
    assert frozen > 1000
    memory.freeze_startup_heap()
    assert gc.get_freeze_count() == frozen

    class Node:
        itself: object = None

    later = Node()
    later.itself = later  # a reference cycle: only the collector frees it
    gone = weakref.ref(later)
    del later
    gc.collect()
    assert gone() is None
