"""Replay a trace file (from `check --json` or `--itf`) through the model, step by step.

The file must be in trace format 1 (its `schema_version`; docs/schemas/trace.schema.json):
an older or newer one is refused, with the advice to re-run the command that wrote it.
Every recorded state must be reproduced exactly, every recorded action, description
and reason (and an ITF trace's `mbt::actionTaken`) must be the model's own, and the
last state must violate the trace's property. Exit codes: 0 every trace in the file
replays to its violation, 1 a trace diverges from the model or does not end in a
violation, 2 bad file.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from typing import Any

from leaderless.checker.cli import UsageError
from leaderless.checker.commands.options import add_no_times
from leaderless.checker.itf import TraceFormatError, itf_to_trace_data
from leaderless.checker.outcome import Outcome, exit_code
from leaderless.checker.trace import SCHEMA_VERSION, ReplayError, normalize, replay, structure
from leaderless.model import PROPERTY_IDS, Config, ConfigError, ReplicationModel

# Replay tries every timestamp a write may take (2 * drift + 1 of them) at each write;
# beyond this a single step could take minutes, and no explorable trace needs it.
MAX_REPLAY_DRIFT = 50_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="a JSON report, a JSON trace, or an ITF trace")
    add_no_times(parser, prints_times=False)


def traces_in(document: Any) -> list[dict[str, Any]]:
    """The traces a file holds: a `check --json` report, one trace, or an ITF trace."""
    if not isinstance(document, dict):
        raise UsageError("not a leaderless trace file: expected a JSON object")
    if "vars" in document and "states" in document:
        try:
            traces = [itf_to_trace_data(document)]
        except TraceFormatError as error:
            raise UsageError(f"not a valid ITF trace: {error}") from None
    elif "properties" in document:
        properties = document["properties"]
        if not isinstance(properties, list) or not all(isinstance(p, dict) for p in properties):
            raise UsageError("not a leaderless report: 'properties' must be a list of objects")
        traces = [p["trace"] for p in properties if p.get("trace")]
        for trace in traces:
            if isinstance(trace, dict):
                trace.setdefault("config", document.get("config"))
    elif "states" in document and "property" in document:
        traces = [document]
    else:
        raise UsageError(
            "not a leaderless trace file: no 'states' and 'property', "
            "no 'properties', no ITF 'vars'"
        )
    for number, trace in enumerate(traces, 1):
        _check_shape(trace, f"trace {number}" if len(traces) > 1 else "the trace")
    return traces


def _check_shape(trace: Any, which: str) -> None:
    """What the replay relies on, checked up front so a malformed file is bad input."""
    if not isinstance(trace, dict):
        raise UsageError(f"{which} must be an object")
    found = trace.get("schema_version")
    # `type` and not `==` alone: true and 1.0 equal 1 in Python, but name no format.
    if type(found) is not int or found != SCHEMA_VERSION:
        written = (
            "has no schema_version (an older leaderless wrote it)"
            if found is None
            else f"is in trace format {json.dumps(found)}"
        )
        raise UsageError(
            f"{which} {written}; this leaderless reads trace format {SCHEMA_VERSION}: "
            "re-run the command that wrote it"
        )
    if not isinstance(trace.get("property"), str):
        raise UsageError(f"{which} has no property name ('property' must be a string)")
    if trace["property"] not in PROPERTY_IDS:
        close = difflib.get_close_matches(trace["property"], PROPERTY_IDS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(PROPERTY_IDS)}"
        raise UsageError(f"{which}: unknown property {trace['property']!r}{hint}")
    states, steps = trace.get("states"), trace.get("steps")
    if not isinstance(states, list) or not states:
        raise UsageError(f"{which}: 'states' must be a nonempty list")
    if steps is not None and (
        not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps)
    ):
        raise UsageError(f"{which}: 'steps' must be a list of objects")
    for key in ("reason", "length"):
        wanted = str if key == "reason" else int
        if key in trace and not isinstance(trace[key], wanted):
            raise UsageError(f"{which}: '{key}' must be a {wanted.__name__}")
    if "length" in trace and trace["length"] != len(states) - 1:
        raise UsageError(
            f"{which}: 'length' says {trace['length']} steps, but it has {len(states)} states"
        )


def _model_of(trace: dict[str, Any]) -> ReplicationModel:
    try:
        config = Config.from_json(trace.get("config"))
    except (ConfigError, TypeError) as error:
        raise UsageError(f"bad config in trace: {error}") from None
    # The model is as large as the config says, so a config that does not match the
    # recorded states is refused before it is built (n = 10**25 would not fit memory).
    first = trace["states"][0]
    store = first.get("store") if isinstance(first, dict) else None
    if not isinstance(store, dict) or len(store) != config.n:
        held = len(store) if isinstance(store, dict) else "no"
        raise UsageError(
            f"bad config in trace: n={config.n}, but the initial state has "
            f"{held} replicas in 'store'"
        )
    if config.drift > MAX_REPLAY_DRIFT:
        raise UsageError(
            f"bad config in trace: drift {config.drift} is more than replay "
            f"handles (at most {MAX_REPLAY_DRIFT})"
        )
    return ReplicationModel(config)


def check_recorded_words(
    model: ReplicationModel, trace: dict[str, Any], states: list, reason: str | None
) -> list[str]:
    """The parts of a trace that are not states must be the model's own too: the
    participants and operations the diagrams draw (their structure) and ITF
    `mbt::actionTaken`; raises ReplayError naming the first that differs. Display text
    (labels, a step's description, the reason) may have been worded differently by the
    leaderless that wrote the trace: those differences come back as notes."""
    for key, own in (("participants", model.participants()), ("operations", model.operations())):
        expected = structure(normalize(own))
        recorded = structure(trace.get(key, normalize(own)))
        if recorded != expected:
            raise ReplayError(
                f"the trace's {key} are not the model's: "
                + _first_different_entry(key, recorded, expected)
            )
    notes = []
    for number, step in enumerate(trace.get("steps") or [], 1):
        before, after = states[number - 1], states[number]
        labels = [label for label, nxt in model.successors(before) if nxt == after]
        names = sorted({model.action_view(label)["action"] for label in labels})
        if "taken" in step and step["taken"] not in names:
            raise ReplayError(
                f"step {number}: mbt::actionTaken is {step['taken']!r}, but "
                f"the model's step here is {' or '.join(names)}"
            )
        described = sorted({model.describe_action(label, before) for label in labels})
        if "description" in step and step["description"] not in described:
            notes.append(
                f"step {number} is worded {step['description']!r}; this leaderless says "
                f"{' or '.join(map(repr, described))}"
            )
    if reason is not None and "reason" in trace and trace["reason"] != reason:
        notes.append(f"the trace words the reason {trace['reason']!r}; this leaderless: {reason!r}")
    return notes


def _first_different_entry(key: str, recorded: Any, expected: list) -> str:
    """Where a recorded list of header records first differs from the model's (they differ)."""
    if not isinstance(recorded, list):
        return f"{key} is {json.dumps(recorded)}, not a list"

    def at(entries: list, index: int) -> Any:
        return entries[index] if index < len(entries) else None

    index = next(
        i for i in range(max(len(recorded), len(expected))) if at(recorded, i) != at(expected, i)
    )
    return (
        f"{key}[{index}] is {json.dumps(at(recorded, index))}, "
        f"the model's is {json.dumps(at(expected, index))}"
    )


def run(args: argparse.Namespace) -> int:
    try:
        with open(args.file, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as error:
        raise UsageError(f"{args.file}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{args.file}: not a text file (UTF-8)") from None
    except (ValueError, RecursionError) as error:
        # JSONDecodeError is a ValueError; so is an integer of more than 4300 digits.
        raise UsageError(f"{args.file}: not valid JSON ({error})") from None
    try:
        return _replay_all(args.file, document)
    except UsageError as error:
        raise UsageError(f"{args.file}: {error}") from None
    except RecursionError:
        raise UsageError(f"{args.file}: values nested too deeply for a trace") from None


def _replay_all(filename: str, document: Any) -> int:
    traces = traces_in(document)
    if not traces:
        print(f"{filename}: no traces to replay (no property was violated)")
    # Each trace claims a run of the model that violates its property; replay checks
    # that claim, and a trace that does not bear it out fails as a violation would.
    claims: list[Outcome] = []
    for trace in traces:
        model = _model_of(trace)
        name = trace["property"]
        try:
            states, reason = replay(model, trace)
            for note in check_recorded_words(model, trace, states, reason):
                print(f"{name}: note: {note}", file=sys.stderr)
        except ReplayError as error:
            print(f"{name}: does NOT replay: {error}")
            claims.append(Outcome.VIOLATED)
            continue
        if reason is None:
            print(
                f"{name}: replays {len(states) - 1} steps, but the last state does not "
                f"violate {name}"
            )
            claims.append(Outcome.VIOLATED)
        else:
            print(
                f"{name}: replays {len(states) - 1} steps, every state matches; violated: {reason}"
            )
            claims.append(Outcome.HOLDS)
    return exit_code(claims)
