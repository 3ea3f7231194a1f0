"""The visited table on the explorer's hot path: batches of fingerprints, most of them
already present, added until the table holds --entries. Prints, per stretch of the
run, the time a batch takes and the bytes an entry costs (the table now, and at the
peak of an add: a growth holds old and new arrays together). Asserts nothing.

Two passes over the same batches: one timed, one under tracemalloc (which sees
numpy's allocations) for the peaks. --module measures another version of
checker/visited.py, to compare, e.g. the one before a change:

    python bench/table.py
    git show HEAD~1:checker/visited.py > /tmp/visited_old.py
    python bench/table.py --module /tmp/visited_old.py
"""

from __future__ import annotations

import argparse
import importlib.util
import time
import tracemalloc
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np

from leaderless.checker import visited


def load(path: str | None) -> ModuleType:
    if path is None:
        return visited
    spec = importlib.util.spec_from_file_location("visited_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def batches(args: argparse.Namespace, history: np.ndarray, held: list[int]) -> Iterator[np.ndarray]:
    """Batches of --present old fingerprints (drawn from `history[:held[0]]`, which the
    caller keeps as the table's contents) and new random ones, shuffled."""
    rng = np.random.default_rng(args.seed)
    while held[0] < args.entries:
        old = int(args.present * args.batch) if held[0] else 0
        batch = np.concatenate(
            (
                history[rng.integers(0, max(held[0], 1), size=old)],
                rng.integers(0, 2**60, size=args.batch - old, dtype=np.uint64),
            )
        )
        rng.shuffle(batch)
        yield batch


def run(
    args: argparse.Namespace, table_class: Any, traced: bool
) -> list[tuple[int, float, float, float]]:
    """(entries, seconds, table bytes, bytes at the add's peak) after each batch."""
    history = np.empty(args.entries + args.batch, dtype=np.uint64)
    held = [0]
    table = table_class()
    if traced:
        tracemalloc.start()
    rows = []
    for batch in batches(args, history, held):
        before = tracemalloc.get_traced_memory()[0] if traced else 0
        if traced:
            tracemalloc.reset_peak()
        nbytes = table.nbytes
        start = time.perf_counter()
        new = table.add(batch)
        seconds = time.perf_counter() - start
        peak = nbytes + tracemalloc.get_traced_memory()[1] - before if traced else 0
        history[held[0] : held[0] + len(new)] = batch[new]
        held[0] += len(new)
        rows.append((held[0], seconds, table.nbytes, max(peak, table.nbytes)))
    if traced:
        tracemalloc.stop()
    table.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=20_000_000)
    parser.add_argument("--batch", type=int, default=16_384)
    parser.add_argument("--present", type=float, default=0.7, help="share already present")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--module", help="a visited.py to measure instead of the project's")
    args = parser.parse_args()
    table_class = load(args.module).FingerprintTable
    table_class().add(np.arange(10, dtype=np.uint64))  # compiled code, if any, is loaded
    timed = run(args, table_class, traced=False)
    traced = run(args, table_class, traced=True)
    print(
        f"{args.module or 'checker/visited.py'}: batches of {args.batch}, {args.present:.0%} present"
    )
    print(f"{'entries up to':>14} {'ms/batch':>9} {'B/entry':>11} {'peak B/entry':>13}")
    stretch_end, first = 1 << 20, 0
    for index, (entries, _, _, _) in enumerate(timed):
        if entries >= stretch_end or index == len(timed) - 1:
            part = slice(first, index + 1)
            ms = 1000 * float(np.mean([row[1] for row in timed[part]]))
            now = [row[2] / row[0] for row in timed[part]]
            peak = max(row[3] / row[0] for row in traced[part])
            held = f"{min(now):.1f}-{max(now):.1f}"
            print(f"{entries:>14,} {ms:>9.3f} {held:>11} {peak:>13.1f}")
            first, stretch_end = index + 1, 2 * stretch_end
    total = sum(row[1] for row in timed)
    print(f"{len(timed)} batches, {total:.2f} s, {1000 * total / len(timed):.3f} ms a batch")


if __name__ == "__main__":
    main()
