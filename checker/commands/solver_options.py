"""The Z3 time limit: one option, one spelling, for every subcommand that runs the solver."""

from __future__ import annotations

import argparse

from proofs.solve import MAX_TIMEOUT_MS


def _milliseconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a whole number of milliseconds") from None
    if not 1 <= value <= MAX_TIMEOUT_MS:
        raise argparse.ArgumentTypeError(
            f"{value} is out of range; allowed 1..{MAX_TIMEOUT_MS}")
    return value


def add_timeout_ms(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--timeout-ms", type=_milliseconds, metavar="MS",
                        help="give up on a Z3 check after MS milliseconds; its answer is then "
                             "unknown (default: no limit)")
