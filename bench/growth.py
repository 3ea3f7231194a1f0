"""How the state space grows with clients, operations and replicas, with each
reduction off and on: the README's growth table. Prints figures, asserts nothing.

Each cell is one exploration in a fresh process (one worker, every property checked),
cut at --limit seconds: a cut cell shows the states reached so far as "> K". Modes:
exact (no reduction), symmetry (one state per renaming of replicas), and symmetry
with the partial-order reduction (docs/MODEL.md; shortest traces recovered by a
bounded full search, whose time is included), all in the Python model; then exact and
symmetry again as `check` runs them, with the compiled kernel from the first large
level on (model/kernel.py). Runs --jobs cells at once: on a
machine with many cores, give it as many as it has; the CPU seconds of a cell do not
depend on that, its wall seconds somewhat do (shared caches).

    python bench/growth.py                    # 60 s per cell, one cell at a time
    python bench/growth.py --limit 600 --jobs 16 --markdown
    python bench/growth.py --modes "exact (kernel),symmetry (kernel)" --limit 120
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from tabulate import tabulate

FAULTS = "--drift 1 --drops 1 --timeouts --anti-entropy"
# (what grows, options): clients, then ops per client, then replicas, then faults.
CONFIGS = [
    ("clients", "--clients w,r"),
    ("clients", "--clients w,rr"),
    ("clients", "--clients w,w,r"),
    ("clients", "--clients w,w,r,r"),
    ("ops", "--clients wr,r"),
    ("ops", "--clients wr,rw"),
    ("replicas", "--n 4 --w 3 --r 2 --clients w,w,r"),
    ("replicas", "--n 5 --w 3 --r 3 --clients w,w,r"),
    ("faults", f"--clients w,r {FAULTS}"),
    ("faults", f"--clients w,w,r {FAULTS}"),
]
MODES = {
    "exact": ("0", "off", "python"),
    "symmetry": ("1", "off", "python"),
    "symmetry + por": ("1", "por", "python"),
    "exact (kernel)": ("0", "off", "auto"),
    "symmetry (kernel)": ("1", "off", "auto"),
}

_CHILD = r"""
import argparse, json, sys, time
from leaderless.checker.commands.options import add_model_arguments, config_from_args
from leaderless.checker.explorer import explore
from leaderless.checker.shortest import explore_with_recovery
from leaderless.model import ReplicationModel
from leaderless.model.reduction import ReducedModel, UnsupportedReduction
parser = argparse.ArgumentParser()
add_model_arguments(parser)
args = parser.parse_args(sys.argv[5:])
symmetry, reduction, limit = sys.argv[1] == "1", sys.argv[2], float(sys.argv[3])
model = ReplicationModel(config_from_args(args))
cpu = time.process_time()
wall = time.monotonic()
limits = dict(symmetry=symmetry, max_seconds=limit, workers=1)
if sys.argv[4] == "auto":  # as check runs it: the kernel from the first large level on
    limits["compiled"] = model.compiled(symmetry)
if reduction == "por":
    try:
        result, _ = explore_with_recovery(ReducedModel(model), model, **limits)
    except UnsupportedReduction as refused:
        print(json.dumps({"refused": str(refused)}))
        sys.exit(0)
else:
    result = explore(model, **limits)
print(json.dumps({"states": result.states, "complete": result.complete,
                  "cpu": time.process_time() - cpu, "wall": time.monotonic() - wall}))
"""


def measure(options: str, mode: str, limit: float) -> dict:
    symmetry, reduction, kernel = MODES[mode]
    command = [
        sys.executable,
        "-c",
        _CHILD,
        symmetry,
        reduction,
        str(limit),
        kernel,
        *options.split(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def cell(result: dict) -> str:
    if "refused" in result:
        return "refused"
    states = f"{result['states']:,}" if result["complete"] else f"> {result['states']:,}"
    return f"{states} ({result['cpu']:.1f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per cell")
    parser.add_argument("--jobs", type=int, default=1, help="cells explored at once")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table")
    parser.add_argument(
        "--modes", help=f"comma-separated modes to run (default all: {', '.join(MODES)})"
    )
    args = parser.parse_args()
    modes = args.modes.split(",") if args.modes else list(MODES)
    unknown = [mode for mode in modes if mode not in MODES]
    if unknown:
        parser.error(f"--modes: unknown {', '.join(unknown)}; known: {', '.join(MODES)}")
    cells = [(options, mode) for _, options in CONFIGS for mode in modes]
    with ThreadPoolExecutor(args.jobs) as pool:
        results = dict(zip(cells, pool.map(lambda c: measure(*c, args.limit), cells)))
    rows = [
        [grows, options, *(cell(results[options, mode]) for mode in modes)]
        for grows, options in CONFIGS
    ]
    headers = ["grows", "options (n=3 w=2 r=2 unless given)", *modes]
    print(tabulate(rows, headers=headers, tablefmt="github" if args.markdown else "simple"))
    print(f"\nstates (CPU seconds) per cell, one worker, cut at {args.limit:g} s: '> K' was cut")


if __name__ == "__main__":
    main()
