"""Explorer speed and memory on reference configurations; prints figures, asserts nothing.

Each measurement runs in a fresh subprocess, so peak memory (ru_maxrss) is that run's
alone; bytes per state is (peak - the same process's baseline before exploring) / states.
Seconds are CPU seconds of the exploring process (less disturbed by other load than
wall time); the machine is noisy, so compare ratios within one run.

    python bench/explore.py              # the reference set
    python bench/explore.py --growth 60  # also w,r -> w,w,r growth, 60 s limit each
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from tabulate import tabulate

REFERENCE = "--n 3 --w 2 --r 2 --clients w,r --drift 1 --drops 1 --timeouts --anti-entropy"
CONFIGS = [
    ("reference", REFERENCE),
    ("default", "--n 3 --w 2 --r 2 --clients w,rr"),
    ("two writers", "--n 3 --w 2 --r 2 --clients w,w,r"),
    ("crashes", "--n 3 --w 2 --r 2 --clients w,r --crashes 2 --timeouts"),
    ("blocking repair", "--n 3 --w 1 --r 2 --clients w,rr --read-repair blocking --drops 1"),
]

_CHILD = r"""
import json, resource, sys, time
from leaderless.checker.commands.options import add_model_arguments, config_from_args
from leaderless.checker.explorer import explore
from leaderless.model import ReplicationModel
import argparse
parser = argparse.ArgumentParser()
add_model_arguments(parser)
args = parser.parse_args(sys.argv[3:])
symmetry = sys.argv[1] == "1"
limit = float(sys.argv[2]) or None
model = ReplicationModel(config_from_args(args))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cpu = time.process_time()
result = explore(model, symmetry=symmetry, max_seconds=limit)
cpu = time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"states": result.states, "transitions": result.transitions,
                  "depth": result.depth, "seconds": cpu, "complete": result.complete,
                  "grown_kib": peak - base,
                  "violated": sorted(v.property_id for v in result.verdicts
                                     if v.status == "violated")}))
"""


def measure(options: str, symmetry: bool, limit: float = 0.0) -> dict:
    command = [sys.executable, "-c", _CHILD, "1" if symmetry else "0", str(limit), *options.split()]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def row(name: str, options: str, symmetry: bool, limit: float = 0.0) -> list:
    m = measure(options, symmetry, limit)
    per_state = m["grown_kib"] * 1024 / m["states"] if m["states"] else 0
    return [
        name,
        "on" if symmetry else "off",
        f"{m['states']:,}",
        f"{m['transitions']:,}",
        m["depth"],
        f"{m['seconds']:.2f}",
        f"{m['states'] / m['seconds']:,.0f}",
        f"{m['grown_kib'] / 1024:,.1f}",
        f"{per_state:,.0f}",
        "yes" if m["complete"] else "NO (time limit)",
    ]


HEADERS = [
    "config",
    "symmetry",
    "states",
    "transitions",
    "depth",
    "cpu s",
    "states/s",
    "peak MiB",
    "bytes/state",
    "complete",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--growth",
        type=float,
        metavar="S",
        help="also measure w,r -> w,w,r growth with an S-second limit",
    )
    args = parser.parse_args()
    print(f"reference: leaderless check {REFERENCE}\n")
    rows = []
    for name, options in CONFIGS:
        for symmetry in (False, True):
            rows.append(row(name, options, symmetry))
            print(
                tabulate([rows[-1]], headers=HEADERS, disable_numparse=True).splitlines()[-1],
                file=sys.stderr,
            )
    print(tabulate(rows, headers=HEADERS, disable_numparse=True))
    print(
        "\nfingerprints: 60-bit; collision probability about states^2 / 2^61 "
        "(1e-7 at a million states)"
    )
    if args.growth:
        print(
            f"\ngrowth of the reference from clients w,r to w,w,r "
            f"(symmetry on, {args.growth:g} s limit):"
        )
        growth = [
            row(clients, REFERENCE.replace("w,r", clients), True, args.growth)
            for clients in ("w,r", "w,w,r")
        ]
        print(tabulate(growth, headers=HEADERS, disable_numparse=True))


if __name__ == "__main__":
    main()
