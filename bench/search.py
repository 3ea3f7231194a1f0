"""Bench: time and runs until the search first finds an LWW anomaly and an atomicity
violation, and how short its counterexample comes out, median over several seeds.
Prints figures; asserts nothing on time.

    python bench/search.py [--seeds 5] [--examples 2000]

Times are to the first violating run (before shrinking), as a user waits for them;
then the length of the shortened trace (median and longest) and the time shortening
took.
"""

from __future__ import annotations

import argparse
import statistics
import time

from leaderless.model import Config
from leaderless.model.clocks import ClientClocks
from leaderless.model.search import VIOLATED, search

BIG = ("wwrr", "wrwr", "rrww", "wwww", "rrrr", "wrrw")
CASES = (
    (
        "lww-order, 3 replicas, w,w,r, drift 1",
        Config(n=3, w=2, r=2, clients=("w", "w", "r"), drift=1),
        None,
        "lww-order",
    ),
    (
        "stale-read by drift, 3 replicas, drift 1",
        Config(n=3, w=2, r=2, clients=("w", "w", "r"), drift=1),
        None,
        "stale-read",
    ),
    (
        "lww-order, 7 replicas, client clocks",
        Config(n=7, w=4, r=4, clients=("ww", "ww", "rr")),
        ClientClocks(max_offset=1, max_skew=10, ntp_steps=1, max_step=2),
        "lww-order",
    ),
    (
        "lww-order, 9 replicas, 6x4 ops, drift 3, faults",
        Config(n=9, w=5, r=5, clients=BIG, drift=3, max_drops=2, max_crashes=2),
        None,
        "lww-order",
    ),
    (
        "write-atomicity, 3 replicas, timeouts",
        Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True),
        None,
        "write-atomicity",
    ),
    (
        "aborted-read, 3 replicas, timeouts",
        Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True),
        None,
        "aborted-read",
    ),
    (
        "write-atomicity, 9 replicas, 6x4 ops, faults",
        Config(n=9, w=5, r=5, clients=BIG, drift=3, max_drops=2, max_crashes=2, timeouts=True),
        None,
        "write-atomicity",
    ),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--examples", type=int, default=2000)
    args = parser.parse_args()
    print(
        f"{'case':<48} {'found':>7} {'runs (median)':>14} {'s to first':>11} "
        f"{'trace':>6} {'max':>4} {'s shorten':>10}"
    )
    for name, config, clock, prop in CASES:
        runs, seconds, lengths, shortening = [], [], [], []
        started = time.monotonic()
        for seed in range(args.seeds):
            [finding] = search(
                config,
                clock=clock,
                properties=[prop],
                examples=args.examples,
                seed=seed,
                shrink=False,
            )
            if finding.status == VIOLATED and finding.trace is not None:
                runs.append(finding.examples)
                seconds.append(finding.first_seconds or 0.0)
                lengths.append(len(finding.trace))
                # From the first violating run to the shortened trace.
                shortening.append(finding.seconds - (finding.first_seconds or 0.0))
        found = f"{len(runs)}/{args.seeds}"
        if runs:
            print(
                f"{name:<48} {found:>7} {statistics.median(runs):>14.0f} "
                f"{statistics.median(seconds):>11.2f} {statistics.median(lengths):>6.0f} "
                f"{max(lengths):>4} {statistics.median(shortening):>10.2f}"
            )
        else:
            print(
                f"{name:<48} {found:>7} {'-':>14} {'-':>11} {'-':>6} {'-':>4} {'-':>10}  "
                f"({time.monotonic() - started:.0f} s)"
            )


if __name__ == "__main__":
    main()
