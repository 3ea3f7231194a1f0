"""Where one core's time goes: successor generation, canonical keys, property
evaluation, and the explorer around them; prints figures, asserts nothing.

Runs the one-process explorer under cProfile and splits its time by the model entry
points the explorer calls (inclusive time, generators included), so the parts add up
to the whole: what is left is the explorer's own loop (fingerprints, the visited
table, parents). Profiling slows Python code by a roughly constant factor, so read
the shares, not the seconds. Then the same search with the compiled kernel (as
`check` runs it), its CPU time split by the calls the explorer makes to the kernel,
unprofiled.

    python bench/where_time_goes.py                       # the reference configuration
    python bench/where_time_goes.py --clients w,w,r --drift 1 --max-seconds 60
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from tabulate import tabulate

from leaderless.checker.commands.options import add_model_arguments, config_from_args
from leaderless.checker.explorer import explore
from leaderless.model import ReplicationModel

REFERENCE = "--n 3 --w 2 --r 2 --clients w,r --drift 1 --drops 1 --timeouts --anti-entropy"

# Part of the work -> the model functions whose inclusive time it is.
PARTS = {
    "successor generation": ("successors",),
    "canonical keys (symmetry)": ("canonical_key", "_canonical_key_with_stand_ins"),
    "property evaluation": ("violations", "reached"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_arguments(parser)
    parser.add_argument("--no-symmetry", action="store_true")
    parser.add_argument("--max-seconds", type=float, default=None)
    argv = None
    known, rest = parser.parse_known_args()
    if not rest and known.clients == parser.get_default("clients"):
        argv = REFERENCE.split() + (["--no-symmetry"] if known.no_symmetry else [])
    args = parser.parse_args(argv)
    model = ReplicationModel(config_from_args(args))

    started = time.process_time()
    plain = explore(model, symmetry=not args.no_symmetry, max_seconds=args.max_seconds)
    unprofiled = time.process_time() - started

    model = ReplicationModel(config_from_args(args))
    profiler = cProfile.Profile()
    profiler.enable()
    explore(model, symmetry=not args.no_symmetry, max_seconds=args.max_seconds)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = max(
        cumulative for (_, _, name), (_, _, _, cumulative, _) in stats.items() if name == "explore"
    )
    rows = []
    accounted = 0.0
    for part, names in PARTS.items():
        seconds = sum(
            cumulative
            for (path, _, name), (_, _, _, cumulative, _) in stats.items()
            if name in names and "/model/" in path
        )
        accounted += seconds
        rows.append([part, f"{seconds:.2f}", f"{100 * seconds / total:.0f}%"])
    rest = total - accounted
    rows.append(
        ["explorer (fingerprints, table, parents)", f"{rest:.2f}", f"{100 * rest / total:.0f}%"]
    )
    print(
        f"{plain.states:,} states, {plain.transitions:,} transitions, "
        f"{'complete' if plain.complete else 'cut short'}; "
        f"{unprofiled:.2f} CPU s unprofiled ({plain.states / unprofiled:,.0f} states/s), "
        f"{total:.2f} s under the profiler"
    )
    print(tabulate(rows, headers=["part", "profiled s", "share"]))
    compiled_split(args)


class _Timed:
    """The model's compiled kernel with a stopwatch on each call the explorer makes."""

    def __init__(self, kernel) -> None:  # type: ignore[no-untyped-def]
        self.kernel = kernel
        self.width = kernel.width
        self.seconds = {"pack": 0.0, "expand": 0.0, "check": 0.0}

    def _timed(self, name: str, *args):  # type: ignore[no-untyped-def]
        started = time.process_time()
        result = getattr(self.kernel, name)(*args)
        self.seconds[name] += time.process_time() - started
        return result

    def pack(self, states):  # type: ignore[no-untyped-def]
        return self._timed("pack", states)

    def expand(self, rows):  # type: ignore[no-untyped-def]
        return self._timed("expand", rows)

    def check(self, rows, wanted, unreached):  # type: ignore[no-untyped-def]
        return self._timed("check", rows, wanted, unreached)


def compiled_split(args: argparse.Namespace) -> None:
    """The same search with the compiled kernel (as check runs it), its CPU time split
    by what the explorer asks of the kernel; no profiler, so the seconds are real."""
    model = ReplicationModel(config_from_args(args))
    kernel = model.compiled(not args.no_symmetry)
    if kernel is None:
        print("\nthe compiled kernel does not cover this configuration")
        return
    warm = kernel.pack(model.initial_states())  # compiled (or loaded) before timing
    kernel.check(kernel.expand(warm)[0], model.applicable, model.applicable)
    timed = _Timed(kernel)
    started = time.process_time()
    result = explore(
        model, symmetry=not args.no_symmetry, max_seconds=args.max_seconds, compiled=timed
    )
    total = time.process_time() - started
    parts = {
        "successors and fingerprints (kernel)": timed.seconds["expand"],
        "properties (kernel, histories in Python)": timed.seconds["check"],
        "packing the level where it switches": timed.seconds["pack"],
    }
    parts["explorer (levels before, table, parents, frontier)"] = total - sum(parts.values())
    print(
        f"\nwith the compiled kernel: {result.states:,} states, "
        f"{'complete' if result.complete else 'cut short'}, {total:.2f} CPU s "
        f"({result.states / total:,.0f} states/s)"
    )
    rows = [
        [part, f"{seconds:.2f}", f"{100 * seconds / total:.0f}%"] for part, seconds in parts.items()
    ]
    print(tabulate(rows, headers=["part", "CPU s", "share"]))


if __name__ == "__main__":
    main()
