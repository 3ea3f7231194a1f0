"""Beyond enumeration: configurations the explorer cannot finish within its budget,
where BMC and k-induction still answer. Prints times for all three; asserts nothing.

    python bench/bmc.py                  # explorer budget 180 s per configuration
    python bench/bmc.py --explore-seconds 30
"""

from __future__ import annotations

import argparse
import time

from leaderless.checker.explorer import explore
from leaderless.model import Config, ReplicationModel
from leaderless.proofs.bmc import bmc
from leaderless.proofs.kinduction import Prover, prove

CASES = (
    # Quorums overlap, drift 0: everything encoded holds; k-induction proves it.
    (Config(n=5, w=3, r=3, clients=("w", "w", "r", "r")), 6),
    # Quorums do not overlap: BMC finds the stale read.
    (Config(n=5, w=2, r=2, clients=("w", "w", "r", "r")), 10),
    # Clock drift: BMC finds the lww-order inversion.
    (Config(n=5, w=1, r=1, clients=("w", "w", "r", "r"), drift=1), 6),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--explore-seconds", type=float, default=180.0)
    args = parser.parse_args()
    for config, depth in CASES:
        model = ReplicationModel(config)
        print(f"== {config.describe()}")
        exploration = explore(model, symmetry=True, max_seconds=args.explore_seconds)
        status = "complete" if exploration.complete else f"INCOMPLETE ({exploration.stopped_by})"
        print(
            f"  explorer (symmetry): {exploration.states:,} states to depth "
            f"{exploration.depth} in {exploration.seconds:.1f} s; {status}"
        )
        for verdict in exploration.verdicts:
            if verdict.status != "n/a":
                length = f" ({len(verdict.trace)} steps)" if verdict.trace else ""
                print(f"    {verdict.property_id:16} {verdict.status}{length}")
        result = bmc(model, depth)
        print(f"  bmc --depth {depth}: {result.seconds:.1f} s")
        prover = Prover(model)
        for verdict in result.verdicts:
            if verdict.status == "n/a":
                continue
            line = f"    {verdict.property_id:16} {verdict.status}"
            if verdict.depth is not None:
                line += f" ({verdict.depth} steps)"
            if verdict.status == "none within K":
                started = time.monotonic()
                proof = prove(model, verdict.property_id, prover=prover)
                line += (
                    f"; k-induction: {proof.outcome} (k={proof.k}) "
                    f"in {time.monotonic() - started:.1f} s"
                )
            print(line)


if __name__ == "__main__":
    main()
