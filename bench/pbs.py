"""Bench: WARS Monte Carlo throughput (trials per second) of `leaderless pbs`.

Prints figures and asserts none, since timings depend on the machine:

    python bench/pbs.py                      # 2,000,000 trials per row
    python bench/pbs.py --trials 500000

Each row simulates one configuration once, single-threaded (numpy's elementwise work
runs on one core), timing the whole simulate() call: sampling the four legs, commit
and read completion, staleness windows, and the final sort of the samples. Time is
the process's CPU time, so other work on a shared machine does not count against it.
"""

from __future__ import annotations

import argparse
import time

from tabulate import tabulate

from leaderless.model.pbs.latency import PRODUCTION_FITS
from leaderless.model.pbs.quorums import Cluster, Need, Rule, plain_cluster
from leaderless.model.pbs.wars import Faults, simulate


def _two_dc_local_quorum() -> Cluster:
    return Cluster(
        6,
        (0, 0, 0, 1, 1, 1),
        ("dc1", "dc2"),
        Rule((Need((3, 4, 5), (1, 1, 1), 2),), "LOCAL_QUORUM(dc2)"),
        Rule((Need((0, 1, 2), (1, 1, 1), 2),), "LOCAL_QUORUM(dc1)"),
        1,
        0,
    )


CASES = [
    ("n=3 r=1 w=1", plain_cluster(3, 1, 1), "LNKD-SSD", Faults()),
    ("n=3 r=1 w=1", plain_cluster(3, 1, 1), "LNKD-DISK", Faults()),
    ("n=3 r=2 w=1", plain_cluster(3, 2, 1), "YMMR", Faults()),
    ("n=5 r=2 w=2", plain_cluster(5, 2, 2), "LNKD-DISK", Faults()),
    ("n=10 r=1 w=1", plain_cluster(10, 1, 1), "LNKD-DISK", Faults()),
    (
        "n=3 r=1 w=1, down 1%, drop 5%, AE 100 ms",
        plain_cluster(3, 1, 1),
        "LNKD-DISK",
        Faults(down=0.01, drop=0.05, anti_entropy_ms=100.0),
    ),
    (
        "2 DCs LOCAL_QUORUM, 40 ms apart",
        _two_dc_local_quorum(),
        "LNKD-DISK",
        Faults(dc_delay_ms=40.0),
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--trials", type=int, default=2_000_000, help="trials per row")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    for label, cluster, fit, faults in CASES:
        started = time.process_time()
        result = simulate(cluster, PRODUCTION_FITS[fit], args.trials, args.seed, faults)
        seconds = time.process_time() - started
        rows.append(
            [label, fit, f"{result.trials:,}", f"{seconds:.2f}", f"{result.trials / seconds:,.0f}"]
        )
    print(
        tabulate(
            rows,
            headers=["configuration", "latency", "trials", "CPU s", "trials/s"],
            colalign=("left", "left", "right", "right", "right"),
        )
    )


if __name__ == "__main__":
    main()
