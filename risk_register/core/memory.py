"""Keep the objects made at start-up out of Python's cyclic garbage collector."""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_heap() -> None:
    """Once per process, after start-up: move every object alive now (modules, classes, configuration, compiled
    statements, the app) to the collector's permanent generation. They live as long as the process anyway, and
    each full collection walked all of them (about 345,000): 100-190 ms, landing on whichever request set it
    off - every other re-import or dry run of a 10,000-row register on PostgreSQL (benchmarks/README.md).
    Objects made later are collected as before."""
    global _frozen
    if _frozen:
        return
    gc.collect()
    gc.freeze()
    _frozen = True
