"""The options subcommands share: the model (MODEL.md's configuration table, generated
from `leaderless.model.config.OPTIONS`), the search limits of the subcommands that
explore, and lists of property ids."""

from __future__ import annotations

import argparse
import difflib
import math
import re
from collections.abc import Iterable
from typing import Any

from leaderless.checker.cli import UsageError
from leaderless.checker.cluster import parse_address
from leaderless.checker.explorer import default_workers, describe_bytes, memory_available
from leaderless.model import (
    CATALOGUE,
    PROPERTY_IDS,
    Config,
    ConfigError,
    ReplicationModel,
    parse_clients,
)
from leaderless.model.config import (
    BOOL,
    CHOICE,
    CLIENTS,
    DATACENTERS,
    NAMES,
    NEEDS,
    OPTION,
    OPTIONAL_CHOICE,
    OPTIONAL_INT,
    OPTIONS,
    Option,
    Words,
    parse_datacenters,
    parse_names,
)

DEFAULT = Config()
# Config field -> the option that sets it, so errors name what the user typed.
FLAGS = {option.field: option.flag for option in OPTIONS}
DEFAULT_MEMORY_SHARE = 0.5  # of the memory available, when --max-memory is not given
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


class CommandLineWords(Words):
    """The options as the command line has them: `--crashes`, `--resolution lww`,
    `drop --anti-entropy`."""

    def name(self, option: Option) -> str:
        return option.flag

    def value(self, option: Option, value: Any) -> str:
        return option.shown(value)

    def setting(self, option: Option, value: Any) -> str:
        if option.kind == BOOL:
            return option.flag if value else f"no {option.flag}"
        return f"{option.flag} {option.shown(value)}"

    def change(self, option: Option, value: Any) -> str:
        if option.kind == BOOL:
            return f"pass {option.flag}" if value else f"drop {option.flag}"
        return f"use {self.setting(option, value)}"


CLI_WORDS = CommandLineWords()


def _help(option: Option, default: Any) -> str:
    """The option's --help line: what it means, its range, its default and what it needs.
    The default is argparse's own (%(default)s), so that a command that changes it after
    adding the options (matrix's --r and --w) shows its own."""
    facts = [] if option.kind in (BOOL, CHOICE, OPTIONAL_CHOICE) else [option.allowed]
    facts.append(
        f"default {option.shown(default)}"
        if option.kind == BOOL or default is None
        else "default %(default)s"
    )
    for needs in NEEDS:
        if needs.field == option.field:
            other = OPTION[needs.other]
            condition = "" if option.kind == BOOL else f"other than {option.shown(needs.unless)} "
            settings = [CLI_WORDS.setting(other, value) for value in (needs.value, *needs.also)]
            facts.append(f"{condition}needs {' or '.join(settings)}")
    return f"{option.help.replace('%', '%%')} ({'; '.join(facts)})"


def add_model_arguments(parser: argparse.ArgumentParser, default: Config = DEFAULT) -> None:
    """One option per entry of OPTIONS, with `default`'s values as the defaults."""
    group = parser.add_argument_group("model (MODEL.md)")
    for option in OPTIONS:
        value = getattr(default, option.field)
        help = _help(option, value)
        if option.kind == BOOL:
            group.add_argument(option.flag, action="store_true", default=value, help=help)
        elif option.kind == CHOICE:
            group.add_argument(option.flag, default=value, choices=option.choices, help=help)
        elif option.kind == OPTIONAL_CHOICE:
            group.add_argument(
                option.flag, default=value, choices=option.choices, metavar="LEVEL", help=help
            )
        elif option.kind in (CLIENTS, DATACENTERS, NAMES):
            group.add_argument(option.flag, default=option.shown(value), help=help)
        elif option.kind == OPTIONAL_INT:
            group.add_argument(option.flag, type=_int_or_none, default=value, help=help)
        else:
            group.add_argument(option.flag, type=int, default=value, help=help)


def _int_or_none(text: str) -> int | None:
    """An argparse type: an integer, or `none` (the option off), as --help shows it."""
    if text.strip().lower() == "none":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer or none") from None


def config_from_args(args: argparse.Namespace, counts_given: bool = True) -> Config:
    """The Config the model options of `args` set; bad values are one UsageError line
    naming the flag."""
    values: dict[str, Any] = {}
    parsers = {CLIENTS: parse_clients, DATACENTERS: parse_datacenters, NAMES: parse_names}
    try:
        for option in OPTIONS:
            value = getattr(args, option.dest)
            if option.kind in parsers and value != "none":
                value = parsers[option.kind](value)
            elif option.kind in parsers:
                value = None
            values[option.field] = value
        for count, level in (("w", "write_level"), ("r", "read_level")):
            # `counts_given` False: --w and --r hold stand-ins (matrix checks its own).
            if (
                counts_given
                and values[level] is not None
                and values[count] != getattr(DEFAULT, count)
            ):
                raise UsageError(
                    f"--{count} and --{level.replace('_', '-')} both say what a "
                    f"{'write' if count == 'w' else 'read'} needs; give one"
                )
        if values["datacenters"] is not None and args.n == DEFAULT.n:
            # n is the datacenters' sum; a conflicting --n is left to Config to refuse.
            values["n"] = sum(replicas for _, replicas in values["datacenters"])
        for count, level in (("w", "write_level"), ("r", "read_level")):
            if values[level] is not None and values[count] == getattr(DEFAULT, count):
                # The level replaces the count, which stays in range of a small n.
                values[count] = min(values[count], values["n"])
        return Config(**values)
    except ConfigError as error:
        raise UsageError(error.worded(CLI_WORDS)) from None


def positive_count(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is out of range; allowed >= 1")
    return value


def positive_seconds(text: str) -> float:
    """An argparse type: a finite number of seconds > 0 (not nan, not inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"{text} is out of range; allowed a finite number of seconds > 0"
        )
    return value


def memory_size(text: str) -> int:
    """An argparse type: bytes, as 512M, 2G, 1.5GiB or a share of the memory available
    such as 50%."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(%|[KMGT]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size; give e.g. 512M, 4G or 50%")
    number, unit = float(match[1]), match[2].upper()
    if unit == "%":
        available = memory_available()
        if available is None:
            raise argparse.ArgumentTypeError(
                "the memory available is unknown here; give a size such as 4G instead of a share"
            )
        if not 0 < number <= 100:
            raise argparse.ArgumentTypeError(f"{text} is out of range; allowed 0%..100%")
        return int(available * number / 100)
    size = int(number * _UNITS[unit])
    if size < 2**20:
        raise argparse.ArgumentTypeError(f"{text} is out of range; allowed >= 1M")
    return size


def default_memory_ceiling() -> int | None:
    available = memory_available()
    return None if available is None else int(available * DEFAULT_MEMORY_SHARE)


def add_memory_limit(
    group: argparse.ArgumentParser | argparse._ArgumentGroup, outcome: str
) -> None:
    """--max-memory, defaulting to a share of the memory available, so that no run is
    killed by the kernel; `outcome` says what the user gets when it is reached."""
    ceiling = default_memory_ceiling()
    shown = f"{DEFAULT_MEMORY_SHARE:.0%} of the memory available"
    if ceiling is not None:
        shown += f", {describe_bytes(ceiling)} here"
    group.add_argument(
        "--max-memory",
        type=memory_size,
        metavar="SIZE",
        default=ceiling,
        help="stop once the process holds SIZE of memory (e.g. 4G or 80%%; "
        f"default {shown.replace('%', '%%')}) {outcome}",
    )


def add_search_arguments(parser: argparse.ArgumentParser, *, per: str = "") -> None:
    """Options of an exhaustive exploration; `per` says what each limit applies to."""
    group = parser.add_argument_group("search")
    group.add_argument(
        "--no-symmetry",
        action="store_true",
        help="explore the exact MODEL.md state space (no replica symmetry)",
    )
    group.add_argument(
        "--max-states",
        type=positive_count,
        metavar="K",
        help=f"stop after K distinct states{per} (unviolated -> inconclusive)",
    )
    group.add_argument(
        "--max-seconds",
        type=positive_seconds,
        metavar="S",
        help=f"stop after S seconds{per} (unviolated -> inconclusive)",
    )
    add_memory_limit(group, "(unviolated -> inconclusive)")
    add_workers_argument(group)
    add_reduction_argument(group)
    add_kernel_argument(group)
    group.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def add_workers_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """--workers: processes sharing an exploration (the same result for every number)."""
    parser.add_argument(
        "--workers",
        type=positive_count,
        metavar="K",
        help=f"explore with K processes (default {default_workers()}: every core here, "
        "or of the --cluster); states, verdicts and traces are the same for every K",
    )


def cluster_address(text: str) -> str:
    try:
        return parse_address(text)
    except ValueError as wrong:
        raise argparse.ArgumentTypeError(str(wrong)) from None


def add_cluster_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """--cluster: share the search among processes of a Ray cluster (README)."""
    parser.add_argument(
        "--cluster",
        type=cluster_address,
        metavar="ADDRESS",
        help="explore on the Ray cluster at ADDRESS (ray://HOST:PORT, HOST:PORT of its "
        "head, or auto), or start one here (local, local:K for K processes); the same "
        "results as on one machine (needs leaderless[cluster])",
    )


def add_reduction_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """--reduction: docs/MODEL.md's partial-order reduction (the same verdicts and traces)."""
    parser.add_argument(
        "--reduction",
        choices=("off", "por"),
        default="off",
        help="por: a partial-order reduction (docs/MODEL.md): fewer states, the same "
        "verdicts and shortest traces (default %(default)s)",
    )


def add_kernel_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """--kernel: the compiled kernel for exact searches, or the Python model alone."""
    parser.add_argument(
        "--kernel",
        choices=("auto", "python"),
        default="auto",
        help="auto: searches of the base model (no --reduction or --cluster) go on in "
        "the compiled kernel once a level has 20,000 states, in one process, with the "
        "same results; python: the Python model only (default %(default)s)",
    )


def add_property_list_argument(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, option: str, help: str
) -> None:
    """A list of property ids, comma separated, that may also be given again to add more."""
    parser.add_argument(option, metavar="P1,P2", action="append", help=help)


def property_ids(
    text: str | Iterable[str], option: str, known: Iterable[str] = PROPERTY_IDS
) -> list[str]:
    """Parse comma-separated property ids (one text, or several given one option each),
    suggesting a fix for a typo; naming none at all is an error, not 'require nothing'."""
    known = list(known)
    given = [text] if isinstance(text, str) else list(text)
    ids: list[str] = []
    for one in given:
        named = [part.strip() for part in one.split(",") if part.strip()]
        if not named:
            raise UsageError(f"{option}: names no property; give one or more of {', '.join(known)}")
        ids.extend(prop for prop in named if prop not in ids)
    for prop in ids:
        if prop not in known:
            close = difflib.get_close_matches(prop, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"
            raise UsageError(f"{option}: unknown property {prop!r}{hint}")
    return ids


def applicable_ids(
    text: str | Iterable[str] | None, option: str, model: ReplicationModel
) -> list[str]:
    """The properties an option names (all that apply when it is not given); naming one
    that cannot apply to the model's configuration is a usage error."""
    applicable = [p.id for i, p in enumerate(CATALOGUE) if model.applicable >> i & 1]
    if text is None:
        return applicable
    ids = property_ids(text, option)
    for prop in ids:
        if prop not in applicable:
            raise UsageError(
                f"{option}: {prop} does not apply to this configuration "
                f"({model.config.describe()}); see the README's applicability table"
            )
    return ids


def add_no_times(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, prints_times: bool = True
) -> None:
    """--no-times: leave every measured duration out of the output (text and JSON), so
    that two runs print the same bytes (for tests, diffs and golden files). A command
    that prints no times takes it too, so that one script can pass it to every command."""
    parser.add_argument(
        "--no-times",
        action="store_true",
        help="leave timings out, so that the output is byte-for-byte stable"
        if prints_times
        else "accepted as every command does; this one prints no times anyway",
    )
