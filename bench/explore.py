"""Explorer speed and memory on reference configurations; prints figures, asserts nothing.

Each measurement runs in a fresh subprocess, so peak memory (ru_maxrss) is that run's
alone; bytes per state is (peak - the same process's baseline before exploring) / states.
Seconds are CPU seconds of the exploring process (less disturbed by other load than
wall time); the machine is noisy, so compare ratios within one run.

Scaling (--scaling): the same configurations on 1, 2, ... workers (--workers-curve),
wall and CPU seconds of all the processes, the speedup in wall time over one worker,
and bytes per state as the peak proportional set size (PSS, so that pages a forked
worker shares with the coordinator count once) of all the processes together, sampled
every 0.1 s, less the baseline before exploring. Wall time is what workers buy, so run
it on a machine with nothing else busy.

    python bench/explore.py              # the reference set
    python bench/explore.py --growth 60  # also w,r -> w,w,r growth, 60 s limit each
    python bench/explore.py --scaling --workers-curve 1,2,4,8,16 --only-scaling
"""

from __future__ import annotations

import argparse
import json
import os
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


# Large enough that the levels go to the workers (the reference config, mostly small
# levels, shows the cost of switching), and with and without symmetry.
SCALING = [
    ("reference", REFERENCE, False),
    ("two writers", "--n 3 --w 2 --r 2 --clients w,w,r", False),
    ("two writers, drift", "--n 3 --w 2 --r 2 --clients w,w,r --drift 1", True),
    ("two writers, drift", "--n 3 --w 2 --r 2 --clients w,w,r --drift 1", False),
]

_SCALING_CHILD = r"""
import argparse, json, os, resource, sys, threading, time
from leaderless.checker.commands.options import add_model_arguments, config_from_args
from leaderless.checker.explorer import explore
from leaderless.model import ReplicationModel

def pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0

def children():
    found = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as listed:
                found.extend(listed.read().split())
        except OSError:
            pass
    return found

parser = argparse.ArgumentParser()
add_model_arguments(parser)
args = parser.parse_args(sys.argv[4:])
symmetry, workers, limit = sys.argv[1] == "1", int(sys.argv[2]), float(sys.argv[3]) or None
model = ReplicationModel(config_from_args(args))
base = pss("self")
peak = [base]
done = threading.Event()

def sample():
    while not done.wait(0.1):
        peak[0] = max(peak[0], pss("self") + sum(map(pss, children())))

threading.Thread(target=sample, daemon=True).start()
wall, cpu = time.monotonic(), time.process_time()
result = explore(model, symmetry=symmetry, max_seconds=limit, workers=workers)
wall, cpu = time.monotonic() - wall, time.process_time() - cpu
done.set()
reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"states": result.states, "complete": result.complete, "wall": wall,
                  "cpu": cpu + reaped.ru_utime + reaped.ru_stime, "grown": peak[0] - base}))
"""


def scaling_rows(curve: list[int], limit: float) -> list[list]:
    rows = []
    for name, options, symmetry in SCALING:
        one = None
        for workers in curve:
            command = [
                sys.executable,
                "-c",
                _SCALING_CHILD,
                "1" if symmetry else "0",
                str(workers),
                str(limit),
                *options.split(),
            ]
            m = json.loads(
                subprocess.run(command, capture_output=True, text=True, check=True).stdout
            )
            one = one or m
            rows.append(
                [
                    name,
                    "on" if symmetry else "off",
                    workers,
                    f"{m['states']:,}",
                    f"{m['wall']:.2f}",
                    f"{m['cpu']:.2f}",
                    f"{one['wall'] / m['wall']:.2f}x",
                    f"{m['grown'] / m['states']:,.0f}" if m["states"] else "-",
                    "yes" if m["complete"] else "NO (time limit)",
                ]
            )
            print(
                tabulate([rows[-1]], headers=SCALING_HEADERS, disable_numparse=True).splitlines()[
                    -1
                ],
                file=sys.stderr,
            )
    return rows


SCALING_HEADERS = [
    "config",
    "symmetry",
    "workers",
    "states",
    "wall s",
    "cpu s (all)",
    "speedup",
    "bytes/state",
    "complete",
]


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
    parser.add_argument(
        "--scaling", action="store_true", help="also measure 1, 2, ... workers (wall time)"
    )
    parser.add_argument(
        "--workers-curve",
        default="1,2",
        metavar="K1,K2",
        help="the numbers of workers --scaling measures (default 1,2)",
    )
    parser.add_argument(
        "--scaling-seconds",
        type=float,
        default=0.0,
        metavar="S",
        help="a time limit per scaling run (default none)",
    )
    parser.add_argument(
        "--only-scaling", action="store_true", help="skip the one-worker reference set"
    )
    args = parser.parse_args()
    print(f"reference: leaderless check {REFERENCE}\n")
    if args.scaling or args.only_scaling:
        curve = [int(k) for k in args.workers_curve.split(",")]
        print(f"scaling on {os.cpu_count()} cores:")
        rows = scaling_rows(curve, args.scaling_seconds)
        print(tabulate(rows, headers=SCALING_HEADERS, disable_numparse=True) + "\n")
        if args.only_scaling:
            return
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
