"""One core, the Python model against the compiled kernel (model/kernel.py), side by
side in one run; prints figures, asserts nothing.

Each search runs in a fresh process with one worker: seconds are that process's CPU
seconds, bytes per state its peak resident memory above what it held before exploring
(kernel compiled and loaded, so the figure is the search's own), over the distinct
states. Compiled code (the kernel's, the visited table's) is loaded before the
baseline: some tens of MiB once per process, whatever the search. numba caches the
compilation on disk; the first run after a change compiles (seconds) before it too.

    python bench/kernel.py                 # the per-core target and the reference set
    python bench/kernel.py --limit 120     # cut the Python searches at 120 s each
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from tabulate import tabulate

TARGET = "--n 3 --w 2 --r 2 --clients w,w,r --drift 1"
CONFIGS = [
    ("two writers, drift (the per-core target)", TARGET, False),
    ("two writers, drift", TARGET, True),
    ("reference", "--clients w,r --drift 1 --drops 1 --timeouts --anti-entropy", False),
    ("reference", "--clients w,r --drift 1 --drops 1 --timeouts --anti-entropy", True),
    ("two readers", "--clients w,r,r", False),
    ("blocking repair", "--w 1 --clients w,rr --read-repair blocking --drops 1", False),
]

_CHILD = r"""
import argparse, json, resource, sys, time
from leaderless.checker.commands.options import add_model_arguments, config_from_args
from leaderless.checker.explorer import explore
from leaderless.model import ReplicationModel
parser = argparse.ArgumentParser()
add_model_arguments(parser)
args = parser.parse_args(sys.argv[4:])
kernel, symmetry, limit = sys.argv[1], sys.argv[2] == "1", float(sys.argv[3]) or None
model = ReplicationModel(config_from_args(args))
compiled = model.compiled(symmetry) if kernel == "compiled" else None
# Compiled code (the visited table's, the kernel's) loads once per process, some tens
# of MiB whatever the search: loaded before the baseline, so the figure is per state.
import numpy
from leaderless.checker.visited import FingerprintTable
FingerprintTable().add(numpy.zeros(1, dtype=numpy.uint64))
if kernel == "compiled":
    first = compiled.pack(model.initial_states())
    compiled.check(compiled.expand(first)[0], model.applicable, model.applicable)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cpu = time.process_time()
result = explore(model, symmetry=symmetry, max_seconds=limit, compiled=compiled)
cpu = time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"states": result.states, "transitions": result.transitions,
                  "seconds": cpu, "complete": result.complete, "grown_kib": peak - base,
                  "verdicts": [[v.property_id, v.status, len(v.trace) if v.trace else None]
                               for v in result.verdicts]}))
"""


def measure(kernel: str, options: str, symmetry: bool, limit: float) -> dict:
    command = [
        sys.executable,
        "-c",
        _CHILD,
        kernel,
        "1" if symmetry else "0",
        str(limit),
        *options.split(),
    ]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


HEADERS = [
    "config",
    "symmetry",
    "states",
    "transitions",
    "python s",
    "python states/s",
    "compiled s",
    "compiled states/s",
    "speedup",
    "python B/state",
    "compiled B/state",
    "same result",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--limit", type=float, default=0.0, help="seconds per search at most (0: none)"
    )
    parser.add_argument("--format", default="simple", help="tabulate's table format (github)")
    args = parser.parse_args()
    rows = []
    for name, options, symmetry in CONFIGS:
        python = measure("python", options, symmetry, args.limit)
        compiled = measure("compiled", options, symmetry, args.limit)
        same = all(python[k] == compiled[k] for k in ("states", "transitions", "verdicts"))
        rows.append(
            [
                name,
                "on" if symmetry else "off",
                f"{compiled['states']:,}",
                f"{compiled['transitions']:,}",
                f"{python['seconds']:.2f}" + ("" if python["complete"] else " (cut)"),
                f"{python['states'] / python['seconds']:,.0f}",
                f"{compiled['seconds']:.2f}",
                f"{compiled['states'] / compiled['seconds']:,.0f}",
                f"{python['seconds'] / compiled['seconds']:.1f}x" if python["complete"] else "-",
                f"{python['grown_kib'] * 1024 / python['states']:,.0f}",
                f"{compiled['grown_kib'] * 1024 / compiled['states']:,.0f}",
                "yes" if same else ("-" if not python["complete"] else "NO"),
            ]
        )
        print(
            tabulate([rows[-1]], headers=HEADERS, disable_numparse=True).splitlines()[-1],
            file=sys.stderr,
        )
    print(tabulate(rows, headers=HEADERS, disable_numparse=True, tablefmt=args.format))
    print("\none worker, CPU seconds of the exploring process; bytes/state: peak RSS growth")


if __name__ == "__main__":
    main()
