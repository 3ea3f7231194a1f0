"""The model options every subcommand shares (MODEL.md's configuration table)."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Iterable

from checker.cli import UsageError
from model import CATALOGUE, PROPERTY_IDS, Config, ConfigError, ReplicationModel, parse_clients

DEFAULT = Config()


def add_model_arguments(parser: argparse.ArgumentParser, default: Config = DEFAULT) -> None:
    group = parser.add_argument_group("model (MODEL.md)")
    group.add_argument("--n", type=int, default=default.n, help="replicas (>= 1)")
    group.add_argument("--w", type=int, default=default.w, help="write quorum (1..n)")
    group.add_argument("--r", type=int, default=default.r, help="read quorum (1..n)")
    group.add_argument("--clients", default=",".join(default.clients),
                       help="one script of w/r per client, comma separated (default %(default)s)")
    group.add_argument("--drift", type=int, default=default.drift,
                       help="clock error bound: a write's timestamp is within D of real time")
    group.add_argument("--drops", type=int, default=default.max_drops,
                       help="messages the network may lose, in total")
    group.add_argument("--crashes", type=int, default=default.max_crashes,
                       help="replicas that may crash-stop, in total (0..n)")
    group.add_argument("--timeouts", action="store_true", default=default.timeouts,
                       help="a client may give up on a pending operation")
    group.add_argument("--anti-entropy", action="store_true", default=default.anti_entropy,
                       help="background replica-to-replica repair (needs lww)")
    group.add_argument("--read-repair", default=default.read_repair,
                       choices=("off", "async", "blocking"), help="read repair mode")
    group.add_argument("--resolution", default=default.resolution, choices=("lww", "arrival"),
                       help="lww: last write wins by timestamp; arrival: last arrival wins")


def config_from_args(args: argparse.Namespace) -> Config:
    try:
        return Config(n=args.n, w=args.w, r=args.r, clients=parse_clients(args.clients),
                      drift=args.drift, max_drops=args.drops, max_crashes=args.crashes,
                      timeouts=args.timeouts, anti_entropy=args.anti_entropy,
                      read_repair=args.read_repair, resolution=args.resolution)
    except ConfigError as error:
        raise UsageError(str(error)) from None


def property_ids(text: str, option: str, known: Iterable[str] = PROPERTY_IDS) -> list[str]:
    """Parse a comma-separated list of property ids, suggesting a fix for a typo."""
    known = list(known)
    ids = [part.strip() for part in text.split(",") if part.strip()]
    for prop in ids:
        if prop not in known:
            close = difflib.get_close_matches(prop, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"
            raise UsageError(f"{option}: unknown property {prop!r}{hint}")
    return ids


def applicable_ids(text: str | None, option: str, model: ReplicationModel) -> list[str]:
    """The properties an option names (all that apply when it is not given); naming one
    that cannot apply to the model's configuration is a usage error."""
    applicable = [p.id for i, p in enumerate(CATALOGUE) if model.applicable >> i & 1]
    if text is None:
        return applicable
    ids = property_ids(text, option)
    for prop in ids:
        if prop not in applicable:
            raise UsageError(f"{option}: {prop} does not apply to this configuration "
                             f"({model.config.describe()}); see the README's applicability table")
    return ids
