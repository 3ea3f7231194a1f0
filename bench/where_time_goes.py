"""Where one core's time goes: successor generation, canonical keys, property
evaluation, and the explorer around them; prints figures, asserts nothing.

Runs the one-process explorer under cProfile and splits its time by the model entry
points the explorer calls (inclusive time, generators included), so the parts add up
to the whole: what is left is the explorer's own loop (fingerprints, the visited
table, parents). Profiling slows Python code by a roughly constant factor, so read
the shares, not the seconds.

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


if __name__ == "__main__":
    main()
