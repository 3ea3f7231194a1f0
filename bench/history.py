"""Bench: `leaderless history` on Porcupine's test data, and how the linearizability
search grows with concurrency rather than with history length. Prints figures (CPU
seconds, less disturbed by other load than wall time); asserts nothing.

    python bench/history.py            # everything (about a minute)
    python bench/history.py --quick    # Porcupine's data only

Verdict: the linearizability search alone. Full: every property, and each violation's
witness shrunk (up to its step cap).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from tabulate import tabulate

from leaderless.model.history import Budget, check_history, parse
from leaderless.model.history.linear import items, search
from leaderless.model.history.records import Recorder

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "porcupine"


def cpu(function):
    started = time.process_time()
    result = function()
    return result, time.process_time() - started


def verdict_seconds(history) -> tuple[bool, float]:
    def run():
        return all(
            search(items(ops), history.initial, Budget())[0] for ops in history.by_key().values()
        )

    return cpu(run)


def porcupine() -> None:
    expected = dict(
        line.split("\t")
        for line in (DATA / "expected.tsv").read_text().splitlines()
        if not line.startswith("#")
    )
    etcd = sorted(name for name in expected if name.startswith("jepsen/"))
    verdicts, fulls, ops = [], [], []
    for name in etcd:
        history = parse((DATA / name).read_text())
        ops.append(len(history.ops))
        _, seconds = verdict_seconds(history)
        verdicts.append(seconds)
        _, seconds = cpu(lambda history=history: check_history(history))
        fulls.append(seconds)
    print(
        f"Porcupine's {len(etcd)} etcd histories ({min(ops)}-{max(ops)} operations, one "
        "register, 5 clients with crashed ones replaced):"
    )
    print(
        tabulate(
            [
                ("verdict", sum(verdicts), statistics.median(verdicts), max(verdicts)),
                ("full", sum(fulls), statistics.median(fulls), max(fulls)),
            ],
            headers=("CPU s", "all", "median", "slowest"),
            floatfmt=".3f",
        )
    )
    rows = []
    for name in sorted(n for n in expected if n.startswith("kv/")):
        history = parse((DATA / name).read_text())
        holds, seconds = verdict_seconds(history)
        _, full = cpu(lambda history=history: check_history(history))
        rows.append(
            (name, len(history.ops), len(history.keys()), "yes" if holds else "no", seconds, full)
        )
    print("\nPorcupine's key-value histories (get, put, append):")
    print(
        tabulate(
            rows,
            headers=("file", "operations", "keys", "linearizable", "verdict s", "full s"),
            floatfmt=".3f",
        )
    )


def synthetic(length: int, concurrency: int, stale_end: bool = False, seed: int = 0):
    """A linearizable register history: op i takes effect at 10 i and is open for
    10 * concurrency around it, so about `concurrency` operations overlap anywhere; op i
    belongs to process i mod concurrency, whose operations then never overlap. With
    `stale_end`, a last read returns the first value written, long overwritten: not
    linearizable, and refuting it means exhausting every choice the history allows."""
    rng = random.Random(seed)
    events, value = [], None
    for i in range(length):
        f = rng.choice(("read", "write"))
        if f == "write" or i == 0:
            f, value = "write", i
        if stale_end and i == length - 1:
            f, value = "read", 0
        half = 5 * concurrency
        events.append((10 * i - half + 0.5, "invoke", i, f, value))
        events.append((10 * i + half - 0.5, "ok", i, f, value))
    recorder = Recorder("jsonl")
    for _, kind, i, f, value in sorted(events):
        process = i % concurrency
        if kind == "invoke":
            recorder.invoke("", process, f, None, value if f == "write" else None)
        else:
            recorder.complete("", process, f, "ok", value)
    return recorder.history()


def growth() -> None:
    rows = []
    shapes = [(length, 5) for length in (1000, 2000, 5000, 10000, 20000)]
    shapes += [(2000, concurrency) for concurrency in (2, 4, 8, 12)]
    for length, concurrency in shapes:
        row = [length, concurrency]
        for stale_end in (False, True):
            holds, seconds = verdict_seconds(synthetic(length, concurrency, stale_end))
            assert holds != stale_end  # the construction, not a timing
            row += [seconds, 1e6 * seconds / length]
        rows.append(row)
    print(
        "\nSynthetic registers, linearizable and with a stale read at the end "
        "(refuted only after every choice is exhausted):"
    )
    print(
        tabulate(
            rows,
            headers=("operations", "concurrency", "holds: s", "us/op", "stale end: s", "us/op"),
            floatfmt=".3f",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Porcupine's data only")
    args = parser.parse_args()
    porcupine()
    if not args.quick:
        growth()


if __name__ == "__main__":
    main()
