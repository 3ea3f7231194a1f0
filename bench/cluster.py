"""What the Ray engine costs on one machine; prints figures, asserts nothing.

The same configuration explored in one process, with K forked workers and with K
workers on a local Ray cluster (`--cluster local:K`), in wall seconds (what workers
buy), and whether the three report the same states, transitions, depth, verdicts and
traces. Starting the local cluster is timed apart: on a real cluster it is started once
(`ray start`), not per search. Run it on a machine with nothing else busy.

    python bench/cluster.py                      # the reference configuration, K = 2
    python bench/cluster.py --workers 8 --no-symmetry --clients w,w,r
"""

from __future__ import annotations

import argparse
import time

from tabulate import tabulate

from leaderless.checker.cluster import connect
from leaderless.checker.explorer import explore
from leaderless.model import Config, ReplicationModel, parse_clients

REFERENCE = Config(
    n=3, w=2, r=2, clients=("w", "r"), drift=1, max_drops=1, timeouts=True, anti_entropy=True
)


def _outcome(result) -> tuple:
    return (
        result.states,
        result.transitions,
        result.depth,
        [
            (v.property_id, v.status, None if v.trace is None else v.trace.steps)
            for v in result.verdicts
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", default="w,r", help="the reference's clients instead")
    parser.add_argument("--no-symmetry", action="store_true")
    args = parser.parse_args()
    config = Config(**{**REFERENCE.to_json(), "clients": parse_clients(args.clients)})
    symmetry = not args.no_symmetry
    rows, outcomes = [], []
    for name in ("one process", f"{args.workers} forked", f"{args.workers} on Ray"):
        transport, started = None, time.monotonic()
        if name.endswith("Ray"):
            cluster = connect(f"local:{args.workers}")
            rows.append(["start the local Ray cluster", "", f"{time.monotonic() - started:.1f}"])
            transport = cluster.transport
        started = time.monotonic()
        result = explore(
            ReplicationModel(config),
            symmetry=symmetry,
            workers=1 if name == "one process" else args.workers,
            transport=transport,
        )
        rows.append([name, f"{result.states:,}", f"{time.monotonic() - started:.1f}"])
        outcomes.append(_outcome(result))
        if transport is not None:
            cluster.close()
    print(f"{config.describe()}, symmetry {'on' if symmetry else 'off'}")
    print(tabulate(rows, headers=["search", "states", "wall s"]))
    print("same outcome everywhere:", all(o == outcomes[0] for o in outcomes))


if __name__ == "__main__":
    main()
