"""Bench: how often the search finds what the explorer proves is there, and how fast.

Ground truth: on each configuration the explorer finds a shortest counterexample to
some properties (a violation it finds is real even when a limit stopped it). For
each such property, the search runs with its default budget (DEFAULT_EXAMPLES runs
of up to DEFAULT_STEPS steps, as `leaderless search` without options) under several
seeds; printed per property: the hit rate (seeds that found it), the median runs and seconds to the
first violating run, and the explorer's shortest length beside the search's. A
property the explorer settles as holding must never be found (a find is a bug).
Prints figures; asserts nothing on time.

    python bench/search_hitrate.py [--seeds 5] [--examples N] [--explore-seconds 60]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from leaderless.checker.explorer import HOLDS, VIOLATED, explore
from leaderless.model import Config, ReplicationModel
from leaderless.model.search import DEFAULT_EXAMPLES, NONE_FOUND, search

CONFIGS = (
    Config(n=3, w=1, r=1, clients=("w", "r")),
    Config(n=3, w=1, r=1, clients=("w", "rr")),
    Config(n=3, w=1, r=1, clients=("wr",)),
    Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True),
    Config(n=3, w=2, r=2, clients=("w", "w"), drift=1),
    Config(n=3, w=2, r=2, clients=("w", "r"), max_drops=1, max_crashes=1),
    Config(n=3, w=1, r=1, clients=("w", "r"), anti_entropy=True, read_repair="async"),
    Config(n=3, w=1, r=1, clients=("w", "w", "r"), resolution="arrival"),
    Config(n=3, w=2, r=2, clients=("w", "w", "r"), drift=1),
    Config(n=5, w=2, r=2, clients=("ww", "rr"), timeouts=True, drift=1),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--examples", type=int, default=DEFAULT_EXAMPLES)
    parser.add_argument("--explore-seconds", type=float, default=60.0)
    args = parser.parse_args()
    print(
        f"{'configuration':<52} {'property':<16} {'found':>6} {'runs':>6} {'s':>6} "
        f"{'len':>4} {'bfs':>4}"
    )
    missed = 0
    for config in CONFIGS:
        ground = explore(ReplicationModel(config), max_seconds=args.explore_seconds)
        name = config.describe().split(" drops=")[0]
        if config.max_drops or config.max_crashes or config.timeouts or config.anti_entropy:
            name += " +faults"
        settled = [
            v
            for v in ground.verdicts
            if v.status == VIOLATED or (v.status == HOLDS and ground.complete)
        ]
        for verdict in settled:
            runs, seconds, lengths = [], [], []
            for seed in range(args.seeds):
                [finding] = search(
                    config, properties=[verdict.property_id], examples=args.examples, seed=seed
                )
                if finding.status != NONE_FOUND and finding.trace is not None:
                    runs.append(finding.examples)
                    seconds.append(finding.first_seconds or 0.0)
                    lengths.append(len(finding.trace))
            if verdict.status == HOLDS:
                flag = "" if not runs else "  FOUND WHERE THE EXPLORER PROVES IT HOLDS"
                print(
                    f"{name:<52} {verdict.property_id:<16} {len(runs):>3}/{args.seeds:<2} "
                    f"{'-':>6} {'-':>6} {'-':>4} {'holds':>4}{flag}"
                )
                continue
            assert verdict.trace is not None
            missed += args.seeds - len(runs)
            shown = f"{'-':>6} {'-':>6} {'-':>4}"
            if runs:
                shown = (
                    f"{statistics.median(runs):>6.0f} {statistics.median(seconds):>6.2f} "
                    f"{statistics.median(lengths):>4.0f}"
                )
            print(
                f"{name:<52} {verdict.property_id:<16} {len(runs):>3}/{args.seeds:<2} {shown} "
                f"{len(verdict.trace):>4}"
            )
        sys.stdout.flush()
    print(f"\nmissed: {missed} (property, seed) pairs the explorer shows violated")


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"({time.monotonic() - started:.0f} s)")
