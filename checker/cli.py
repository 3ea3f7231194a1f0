"""The `leaderless` console script: one entry point, one exit-code convention.

Exit codes, shared by every subcommand:
  0  holds / proved          1  violated / refuted
  2  bad input or usage      3  inconclusive / unknown
  4  internal error (a bug in leaderless, never a verdict)

Set LEADERLESS_DEBUG=1 (or pass --debug) to see the traceback of an internal error.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import os
import sys
import traceback

# The verdicts' codes (0, 1, 3) come from the outcomes (checker/outcome.py), re-exported
# here beside the two that are no verdict.
from leaderless.checker.outcome import EXIT_HOLDS as EXIT_HOLDS
from leaderless.checker.outcome import EXIT_INCONCLUSIVE as EXIT_INCONCLUSIVE
from leaderless.checker.outcome import EXIT_VIOLATED as EXIT_VIOLATED

EXIT_USAGE = 2
EXIT_INTERNAL = 4

# Subcommand name -> module. Each module offers `add_arguments(parser)` and
# `run(args) -> int`; its docstring's first line is the subcommand's help.
COMMANDS: dict[str, str] = {
    "check": "leaderless.checker.commands.check",
    "replay": "leaderless.checker.commands.replay",
    "matrix": "leaderless.checker.commands.matrix",
    "gate": "leaderless.checker.commands.gate",
    "prove": "leaderless.checker.commands.prove",
    "search": "leaderless.checker.commands.search",
    "bmc": "leaderless.checker.commands.bmc",
    "anti-entropy": "leaderless.checker.commands.anti_entropy",
    "history": "leaderless.checker.commands.history",
    "pbs": "leaderless.checker.commands.pbs",
}


class UsageError(Exception):
    """Bad input that the user must fix; reported as one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse prints the whole usage block; one line naming the problem is kinder.
        if "unrecognized arguments: --properties" in message:
            message += " (the option is --require, as in every subcommand)"
        raise UsageError(f"{self.prog}: {message} (see --help)")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; given the subcommand about to run, only its module is imported (the
    others pull in Z3 and Hypothesis, which a plain `check` does not need to wait for)."""
    parser = _Parser(
        prog="leaderless",
        description="Model checker for leaderless (Dynamo-style) replication.",
        epilog="Exit codes: 0 holds/proved, 1 violated/refuted, 2 bad input, 3 inconclusive, "
        "4 internal error.",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the traceback of an internal error (or set LEADERLESS_DEBUG=1)",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"leaderless {importlib.metadata.version('leaderless')}",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module_name in COMMANDS.items():
        if command in COMMANDS and name != command:
            sub.add_parser(name)
            continue
        module = importlib.import_module(module_name)
        summary = (module.__doc__ or "").strip().splitlines()[0]
        command_parser = sub.add_parser(
            name,
            help=summary,
            description=module.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(command_parser)
        command_parser.set_defaults(run=module.run)
    return parser


class _StdoutGuard:
    """Stdout that a closed pipe cannot break: `leaderless check | head -1` must still exit
    with the verdict's code, so once the reader is gone the rest of the output is
    discarded instead of raising BrokenPipeError mid-report."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._discard_from_now_on()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._discard_from_now_on()

    def _discard_from_now_on(self) -> None:
        # Point the descriptor at /dev/null so buffered bytes and the interpreter's final
        # flush go nowhere instead of raising again at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        except (OSError, ValueError):
            pass  # not a real descriptor (captured output); dropping writes is enough
        finally:
            os.close(devnull)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        # The quick start: `leaderless` alone runs the built-in default check.
        argv = ["check"]
    debug = bool(os.environ.get("LEADERLESS_DEBUG")) or "--debug" in argv
    command = next((word for word in argv if not word.startswith("-")), None)
    stdout = sys.stdout
    sys.stdout = _StdoutGuard(stdout)
    try:
        parser = build_parser(command)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        return args.run(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as stop:
        # Searches catch Ctrl-C (and limits, which travel as a KeyboardInterrupt that
        # names them) themselves and report what they found; this is the rest.
        print(str(stop) or "interrupted", file=sys.stderr)
        return EXIT_INCONCLUSIVE
    except Exception as error:  # noqa: BLE001 - a crash must never read as a verdict
        if debug:
            traceback.print_exc()
        detail = f"{type(error).__name__}: {error}".strip().rstrip(":")
        print(
            f"internal error: {detail[:300]} (a bug in leaderless; exit 4; "
            "rerun with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    finally:
        try:
            sys.stdout.flush()
        finally:
            sys.stdout = stdout
