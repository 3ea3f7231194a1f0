"""The `leaderless` console script: one entry point, one exit-code convention.

Exit codes, shared by every subcommand:
  0  holds / proved          1  violated / refuted
  2  bad input or usage      3  inconclusive / unknown
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys

EXIT_HOLDS = 0
EXIT_VIOLATED = 1
EXIT_USAGE = 2
EXIT_INCONCLUSIVE = 3

# Subcommand name -> module. Each module offers `add_arguments(parser)` and
# `run(args) -> int`; its docstring's first line is the subcommand's help.
COMMANDS: dict[str, str] = {
    "check": "checker.commands.check",
    "replay": "checker.commands.replay",
    "matrix": "checker.commands.matrix",
    "gate": "checker.commands.gate",
    "prove": "checker.commands.prove",
    "search": "checker.commands.search",
    "bmc": "checker.commands.bmc",
    "anti-entropy": "checker.commands.anti_entropy",
}


class UsageError(Exception):
    """Bad input that the user must fix; reported as one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse prints the whole usage block; one line naming the problem is kinder.
        raise UsageError(f"{self.prog}: {message} (see --help)")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; given the subcommand about to run, only its module is imported (the
    others pull in Z3 and Hypothesis, which a plain `check` does not need to wait for)."""
    parser = _Parser(
        prog="leaderless",
        description="Model checker for leaderless (Dynamo-style) replication.",
        epilog="Exit codes: 0 holds/proved, 1 violated/refuted, 2 bad input, 3 inconclusive.",
    )
    parser.add_argument("--version", action="version",
                        version=f"leaderless {importlib.metadata.version('leaderless')}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module_name in COMMANDS.items():
        if command in COMMANDS and name != command:
            sub.add_parser(name)
            continue
        module = importlib.import_module(module_name)
        summary = (module.__doc__ or "").strip().splitlines()[0]
        command_parser = sub.add_parser(name, help=summary, description=module.__doc__,
                                        formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command_parser)
        command_parser.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        # The quick start: `leaderless` alone runs the built-in default check.
        argv = ["check"]
    parser = build_parser(argv[0])
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        return args.run(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        # Searches catch Ctrl-C themselves and report what they found; this is the rest.
        print("interrupted", file=sys.stderr)
        return EXIT_INCONCLUSIVE
    except BrokenPipeError:
        return EXIT_HOLDS

