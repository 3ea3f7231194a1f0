"""Bench: Merkle tree build time and memory, and sync cost as differences grow.

Prints figures and asserts none, since timings depend on the machine:

    python bench/merkle.py                       # builds of 10^5 and 10^6 keys, syncs at 10^5
    python bench/merkle.py --build 100000 --sync-keys 1000000

Build: write N keys into an empty store at the default depth and hash the tree, timed
with the cyclic GC paused as the CLI does; memory is the tracemalloc peak of a
second, identical build (tracing slows allocation, so it is never timed).

Sync: two replicas of the same store, then D keys made newer on one side or the
other, chosen by a seeded RNG; Merkle sync and the naive full scan each run on their
own copy of the pair. The Merkle time includes rehashing the paths the D writes
made stale, which a live replica pays once per batch of writes.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from tabulate import tabulate

from leaderless.model.antientropy import Store, default_depth, merkle_sync, naive_sync

T = TypeVar("T")
DIFFERENCES = (10, 100, 1000, 10_000)
MIB = 1 << 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--build",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000],
        metavar="KEYS",
        help="key counts to build (default 100000 1000000)",
    )
    parser.add_argument(
        "--sync-keys",
        type=int,
        default=100_000,
        help="key count for the sync runs (default 100000)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rows = []
    for keys in args.build:
        depth = default_depth(keys)
        seconds, _ = _timed(_build, keys, depth)
        peak = _peak_bytes(_build, keys, depth)
        rows.append(
            [
                keys,
                depth,
                1 << depth,
                f"{seconds:.2f}",
                f"{seconds / keys * 1e6:.1f}",
                f"{peak / MIB:.1f}",
                f"{peak / keys:.0f}",
            ]
        )
    print("Build: write every key into an empty store and hash the tree")
    print(
        tabulate(
            rows,
            headers=["keys", "depth", "leaves", "seconds", "us/key", "peak MiB", "bytes/key"],
            intfmt=",",
        )
    )
    print()

    keys, depth = args.sync_keys, default_depth(args.sync_keys)
    base = _build(keys, depth)
    rows = []
    for differences in DIFFERENCES:
        if differences > keys:
            continue
        a, b = _pair(base, differences, random.Random(args.seed))
        a_naive, b_naive = a.copy(), b.copy()
        merkle_seconds, report = _timed(merkle_sync, a, b)
        naive_seconds, naive = _timed(naive_sync, a_naive, b_naive)
        assert a.content == b.content == a_naive.content == b_naive.content
        leaves = len(report.differing_leaves)
        cost = report.cost
        rows.append(
            [
                differences,
                leaves,
                cost.hashes,
                f"{cost.hashes / (leaves * depth):.2f}",
                cost.keys,
                cost.round_trips,
                cost.bytes,
                f"{merkle_seconds * 1e3:.1f}",
                naive.bytes,
                f"{naive_seconds * 1e3:.1f}",
                f"{naive.bytes / cost.bytes:.1f}x",
            ]
        )
    print(
        f"Sync: two replicas of {keys:,} keys (depth {depth}, {1 << depth:,} leaves) "
        "differing on D keys"
    )
    print(
        tabulate(
            rows,
            headers=[
                "D",
                "diff leaves",
                "hashes",
                "hashes/(leaves*depth)",
                "keys sent",
                "round trips",
                "bytes",
                "ms",
                "naive bytes",
                "naive ms",
                "naive/merkle bytes",
            ],
            intfmt=",",
        )
    )


def _build(keys: int, depth: int) -> Store:
    store = Store(depth)
    for key in range(keys):
        store.write(key, (1, key % 3))
    store.root()
    return store


def _pair(base: Store, differences: int, rng: random.Random) -> tuple[Store, Store]:
    """Two copies of `base`, each chosen key then written newer on one side at random."""
    a, b = base.copy(), base.copy()
    for key in rng.sample(range(len(base)), differences):
        rng.choice((a, b)).write(key, (2, 0))
    return a, b


@contextmanager
def _gc_paused() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _timed(function: Callable[..., T], *args: object) -> tuple[float, T]:
    with _gc_paused():
        started = time.perf_counter()
        result = function(*args)
        return time.perf_counter() - started, result


def _peak_bytes(function: Callable[..., object], *args: object) -> int:
    with _gc_paused():
        tracemalloc.start()
        try:
            function(*args)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


if __name__ == "__main__":
    main()
