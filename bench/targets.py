"""The scale targets of the explorer: the smallest scopes where two writers race under
drift with a fault, or two readers meet two writers, explored completely with every
property checked. Prints figures, asserts nothing.

Each target runs in a fresh process with the given workers, reduction and kernel and
a time limit; the table says whether it completed, in how much wall and CPU time, and
what was violated (with the shortest length, recovered after a reduction). By default
as `check` runs it: symmetry, and the compiled kernel from the first large level on
(one process, whatever --workers).

    python bench/targets.py                                    # symmetry, kernel
    python bench/targets.py --reduction por --workers 2        # symmetry + por, Python
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from tabulate import tabulate

TARGETS = [
    (
        "two writers, drift and a fault",
        "--clients w,w,r --drift 1 --drops 1 --timeouts --anti-entropy",
    ),
    ("five replicas", "--n 5 --w 3 --r 3 --clients w,w,r"),
    ("two writers, two readers", "--clients w,w,r,r"),
]

_CHILD = r"""
import argparse, json, resource, sys, time
from leaderless.checker.commands.options import add_model_arguments, config_from_args
from leaderless.checker.explorer import explore
from leaderless.checker.shortest import explore_with_recovery
from leaderless.model import ReplicationModel
from leaderless.model.reduction import ReducedModel
parser = argparse.ArgumentParser()
add_model_arguments(parser)
args = parser.parse_args(sys.argv[5:])
workers, reduction, limit = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
kernel = sys.argv[4]
model = ReplicationModel(config_from_args(args))
wall = time.monotonic()
limits = dict(symmetry=True, max_seconds=limit, workers=workers)
if kernel == "auto" and reduction == "off":
    limits["compiled"] = model.compiled(symmetry=True)
if reduction == "por":
    result, _ = explore_with_recovery(ReducedModel(model), model, **limits)
else:
    result = explore(model, **limits)
wall = time.monotonic() - wall
own, reaped = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime
violated = {v.property_id: len(v.trace) for v in result.verdicts if v.status == "violated"}
print(json.dumps({"states": result.states, "complete": result.complete, "depth": result.depth,
                  "wall": wall, "cpu": cpu, "violated": violated}))
"""


def measure(options: str, workers: int, reduction: str, limit: float, kernel: str) -> dict:
    command = [
        sys.executable,
        "-c",
        _CHILD,
        str(workers),
        reduction,
        str(limit),
        kernel,
        *options.split(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--reduction", choices=("off", "por"), default="off")
    parser.add_argument(
        "--kernel",
        choices=("auto", "python"),
        default="auto",
        help="auto: the compiled kernel where it applies (not with por), as check does",
    )
    parser.add_argument("--limit", type=float, default=600.0, help="seconds per target")
    parser.add_argument("--only", type=int, help="run only target number ONLY (1-based)")
    args = parser.parse_args()
    rows = []
    for number, (name, options) in enumerate(TARGETS, 1):
        if args.only is not None and number != args.only:
            continue
        m = measure(options, args.workers, args.reduction, args.limit, args.kernel)
        violated = ", ".join(f"{p} ({length})" for p, length in sorted(m["violated"].items()))
        rows.append(
            [
                name,
                options,
                f"{m['states']:,}",
                "yes" if m["complete"] else "no (limit)",
                f"{m['wall']:.0f}",
                f"{m['cpu']:.0f}",
                violated or "none",
            ]
        )
        print(rows[-1], file=sys.stderr, flush=True)
    headers = ["target", "options", "classes", "complete", "wall s", "CPU s", "violated (length)"]
    kernel_runs = args.kernel == "auto" and args.reduction == "off"
    processes = "one process (the kernel)" if kernel_runs else f"{args.workers} workers"
    print(tabulate(rows, headers=headers, disable_numparse=True))
    print(
        f"\n{processes}, symmetry, reduction {args.reduction}, kernel {args.kernel}, "
        f"{args.limit:g} s limit per target, on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
