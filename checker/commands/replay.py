"""Replay a trace file (from `check --json` or `--itf`) through the model, step by step.

Every recorded state must be reproduced exactly, and the last one must violate the
trace's property. Exit codes: 0 every trace in the file replays to its violation,
1 a trace diverges from the model or does not end in a violation, 2 bad file.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from checker.cli import EXIT_HOLDS, EXIT_VIOLATED, UsageError
from checker.render import itf_to_trace_data
from checker.trace import ReplayError, replay
from model import Config, ConfigError, ReplicationModel


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="a JSON report, a JSON trace, or an ITF trace")


def traces_in(document: Any) -> list[dict[str, Any]]:
    """The traces a file holds: a `check --json` report, one trace, or an ITF trace."""
    if not isinstance(document, dict):
        raise UsageError("not a leaderless trace file: expected a JSON object")
    if "vars" in document and "states" in document:
        return [itf_to_trace_data(document)]
    if "properties" in document:
        traces = [p["trace"] for p in document["properties"] if p.get("trace")]
        for trace in traces:
            trace.setdefault("config", document.get("config"))
        return traces
    if "states" in document and "property" in document:
        return [document]
    raise UsageError("not a leaderless trace file: no 'states' and 'property', "
                     "no 'properties', no ITF 'vars'")


def run(args: argparse.Namespace) -> int:
    try:
        with open(args.file, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as error:
        raise UsageError(f"{args.file}: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"{args.file}: not valid JSON ({error})") from None
    traces = traces_in(document)
    if not traces:
        print(f"{args.file}: no traces to replay (no property was violated)")
        return EXIT_HOLDS
    code = EXIT_HOLDS
    for trace in traces:
        try:
            config = Config.from_json(trace.get("config"))
        except (ConfigError, TypeError) as error:
            raise UsageError(f"{args.file}: bad config in trace: {error}") from None
        model = ReplicationModel(config)
        name = trace.get("property")
        try:
            states, reason = replay(model, trace)
        except ReplayError as error:
            print(f"{name}: does NOT replay: {error}")
            code = EXIT_VIOLATED
            continue
        if reason is None:
            print(f"{name}: replays {len(states) - 1} steps, but the last state does not "
                  f"violate {name}")
            code = EXIT_VIOLATED
        else:
            print(f"{name}: replays {len(states) - 1} steps, every state matches; "
                  f"violated: {reason}")
    return code
