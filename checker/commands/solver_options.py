"""The limits of every subcommand that runs the solver: one option, one spelling each.

--timeout-ms bounds each Z3 check (its answer is then unknown); --max-seconds and
--max-memory bound the whole command, as they bound `check`'s exploration.
"""

from __future__ import annotations

import argparse

from leaderless.checker.commands.options import add_memory_limit, positive_seconds
from leaderless.proofs.solve import MAX_TIMEOUT_MS


def _milliseconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a whole number of milliseconds"
        ) from None
    if not 1 <= value <= MAX_TIMEOUT_MS:
        raise argparse.ArgumentTypeError(f"{value} is out of range; allowed 1..{MAX_TIMEOUT_MS}")
    return value


def add_solver_limits(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--timeout-ms",
        type=_milliseconds,
        metavar="MS",
        help="give up on a Z3 check after MS milliseconds; its answer is then "
        "unknown (default: no limit)",
    )
    parser.add_argument(
        "--max-seconds",
        type=positive_seconds,
        metavar="S",
        help="stop the whole command after S seconds, keeping what was found "
        "(what is open is then inconclusive)",
    )
    add_memory_limit(parser, "(what is open is then inconclusive)")
