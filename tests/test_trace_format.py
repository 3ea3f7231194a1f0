"""Trace format 1: real trace data validates against docs/schemas/trace.schema.json, ITF
carries the same records and reads back to the same data, and nothing in the checker
reads a display string (renaming every message and version leaves every diagram's
structure and every exported history as it was)."""

from __future__ import annotations

import ast
import json
from collections import deque
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from leaderless.checker.explorer import explore
from leaderless.checker.itf import itf_to_trace_data, trace_itf
from leaderless.checker.render import exploration_data
from leaderless.checker.sequence import build_diagram
from leaderless.checker.trace import SCHEMA_VERSION, Trace, normalize, trace_data
from leaderless.model import Config, ReplicationModel, parse_clients
from leaderless.model.actions import ACTIONS
from leaderless.model.history.export import history_from_trace

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "docs" / "schemas"
SCHEMA = json.loads((SCHEMAS / "trace.schema.json").read_text())
# The schemas $ref each other by file name (config.schema.json): resolved offline.
REGISTRY = Registry().with_resources(
    (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
    for schema in (json.loads(path.read_text()) for path in sorted(SCHEMAS.glob("*.json")))
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, registry=REGISTRY)

# Every fault and every option: drops, crashes, timeouts, read repair (both kinds),
# anti-entropy, and arrival resolution (versions without timestamps).
CONFIGS = [
    Config(n=3, w=2, r=1, clients=parse_clients("w,r"), timeouts=True, max_drops=1, max_crashes=1),
    Config(n=3, w=1, r=2, clients=parse_clients("w,r"), read_repair="blocking", max_crashes=1),
    Config(n=3, w=1, r=2, clients=parse_clients("w,r"), read_repair="async", timeouts=True),
    Config(n=2, w=1, r=1, clients=parse_clients("w,w,r"), resolution="arrival", max_drops=1),
    Config(n=2, w=1, r=1, clients=parse_clients("w,rr"), max_drops=1, anti_entropy=True),
    # docs/MODEL.md's extensions: a delete whose tombstone is purged, datacenters, and
    # a network that splits and heals.
    Config(n=3, w=2, r=2, clients=parse_clients("wd,r"), gc_grace=0),
    Config(n=2, w=1, r=1, clients=parse_clients("w,r"), max_partitions=1, anti_entropy=True),
    Config(n=3, w=2, r=2, clients=parse_clients("w,r"), hinted_handoff="sloppy", stand_ins=1),
    Config(
        n=3,
        clients=parse_clients("w,r"),
        datacenters=(("dc1", 2), ("dc2", 1)),
        client_dcs=("dc1", "dc2"),
        write_level="LOCAL_QUORUM",
        read_level="LOCAL_ONE",
    ),
]
# One scope where every action is enabled somewhere, for the walks below.
EVERYTHING = Config(
    n=2,
    w=1,
    r=1,
    clients=parse_clients("w,r"),
    timeouts=True,
    max_drops=1,
    max_crashes=1,
    anti_entropy=True,
    read_repair="blocking",
)
ACTION_NAMES = {action.label.__name__ for action in ACTIONS}
NONE = {"tag": "None", "value": {"#tup": []}}  # ITF's (Quint's) None


def counterexamples(config: Config) -> list[dict[str, Any]]:
    """The traces of a `check --json` report, as JSON text would give them back."""
    model = ReplicationModel(config)
    data = json.loads(json.dumps(exploration_data(model, explore(model))))
    return [p["trace"] for p in data["properties"] if p["trace"] is not None]


def walks_to_every_action(model: ReplicationModel) -> list[Trace]:
    """For each action, a shortest run whose last step is that action (a breadth-first
    search): shortest counterexamples avoid some actions (anti-entropy only ever helps),
    so these runs make sure every action's record is in the data validated."""
    initial = model.initial_states()[0]
    parents: dict[Any, tuple[Any, Any] | None] = {initial: None}
    queue, walks = deque([initial]), {}
    while queue and len(walks) < len(ACTION_NAMES):
        state = queue.popleft()
        for label, nxt in model.successors(state):
            name = model.action_view(label)["action"]
            if name not in walks:
                steps, at = [(label, nxt)], state
                while parents[at] is not None:
                    before, step = parents[at]
                    steps.append(step)
                    at = before
                walks[name] = Trace(0, model.properties[0].id, initial, tuple(reversed(steps)), "")
            if nxt not in parents:
                parents[nxt] = (state, (label, nxt))
                queue.append(nxt)
    return list(walks.values())


@pytest.fixture(scope="module")
def traces() -> list[dict[str, Any]]:
    found = [trace for config in CONFIGS for trace in counterexamples(config)]
    # Healing never helps break a property: walks reach Heal, on a network that splits.
    splitting = Config(n=2, w=1, r=1, clients=parse_clients("w,r"), max_partitions=1)
    hinted = Config(
        n=2, w=1, r=1, clients=parse_clients("w,r"), hinted_handoff="strict", stand_ins=1
    )
    for model in map(ReplicationModel, (EVERYTHING, splitting, hinted)):
        found += [normalize(trace_data(model, walk)) for walk in walks_to_every_action(model)]
    return found


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["schema_version"] == {
        "const": SCHEMA_VERSION,
        "description": SCHEMA["properties"]["schema_version"]["description"],
    }


def test_real_traces_validate_and_cover_every_action(traces: list[dict[str, Any]]) -> None:
    for trace in traces:
        VALIDATOR.validate(trace)
    steps = [step["action"] for trace in traces for step in trace["steps"]]
    assert {action["action"] for action in steps} == ACTION_NAMES
    versions = [v for trace in traces for v in trace["states"][-1]["store"].values()]
    # Arrival resolution's versions have no timestamp; last-writer-wins' have one.
    assert any(v["writer"] and v["ts"] is None for v in versions)
    assert any(v["writer"] and v["ts"] is not None for v in versions)
    statuses = {r["status"] for t in traces for s in t["states"] for r in s["ops"].values()}
    assert statuses == {"idle", "pending", "repairing", "ok", "fail"}


def test_the_schema_refuses_display_strings_and_other_formats(
    traces: list[dict[str, Any]],
) -> None:
    trace = next(t for t in traces if any(s["net"] for s in t["states"]))
    assert VALIDATOR.is_valid(trace)
    older = json.loads(json.dumps(trace))
    del older["schema_version"]
    assert not VALIDATOR.is_valid(older)
    for state in older["states"]:  # the format before records: messages as strings
        state["net"] = [message["name"] for message in state["net"]]
    older["schema_version"] = SCHEMA_VERSION
    assert not VALIDATOR.is_valid(older)
    stored = json.loads(json.dumps(trace))
    stored["states"][0]["store"]["0"] = "NIL"
    assert not VALIDATOR.is_valid(stored)
    assert not VALIDATOR.is_valid(dict(trace, config={"n": "three"}))


def test_sets_of_named_records_are_sorted_by_name(traces: list[dict[str, Any]]) -> None:
    for trace in traces:
        for state in trace["states"]:
            names = [message["name"] for message in state["net"]]
            assert names == sorted(names)


@pytest.mark.parametrize("config", CONFIGS[:4], ids=lambda c: c.describe())
def test_itf_carries_records_and_reads_back_to_the_same_data(config: Config) -> None:
    model = ReplicationModel(config)
    for verdict in explore(model).verdicts:
        if verdict.trace is None:
            continue
        raw = trace_data(model, verdict.trace)
        document = json.loads(json.dumps(trace_itf(raw)))
        back = itf_to_trace_data(document)
        data = normalize(raw)
        assert back["states"] == data["states"]
        # Each step: its action, words and what a diagram draws for it (not mbt's "taken").
        assert [{k: v for k, v in s.items() if k != "taken"} for s in back["steps"]] == data[
            "steps"
        ]
        for key in ("schema_version", "property", "reason", "config", "participants"):
            assert back[key] == data[key], key
        assert back["operations"] == data["operations"]
        # A Quint user reads a message's fields and a version's writer without parsing.
        messages = [m for s in document["states"] for m in s["net"]["#set"]]
        assert messages and all(
            set(m) == {"name", "kind", "op", "from", "to", "version"} for m in messages
        )
        # ITF has no null: a field null anywhere in the file is an option everywhere in it.
        optional = any(m["version"] == NONE for m in messages)
        writes = {op["name"] for op in document["#meta"]["operations"] if op["type"] == "write"}
        for wreq in (m for m in messages if m["kind"] == "wreq"):
            version = wreq["version"]["value"] if optional else wreq["version"]
            # A write sends its own version; a read repairs with another write's.
            assert version["writer"]["tag"] == "Some" and version["writer"]["value"] in writes
            assert wreq["op"] not in writes or version["writer"]["value"] == wreq["op"]


def _renamed(value: Any, names: dict[str, str]) -> Any:
    """`value` with the display name of every message and version replaced by an opaque
    token: what a reworded model/views.py would give, structure unchanged."""
    if isinstance(value, dict):
        renamed = {k: _renamed(v, names) for k, v in value.items()}
        if "name" in value and ("kind" in value or "writer" in value):
            renamed["name"] = names.setdefault(value["name"], f"x{len(names)}")
        return renamed
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    return value


def test_renamed_messages_and_versions_change_no_structure(
    traces: list[dict[str, Any]],
) -> None:
    for trace in traces:
        renamed = _renamed(trace, {})
        before, after = build_diagram(trace), build_diagram(renamed)
        shape = [
            (a.kind, a.op, a.source, a.target, a.sent, a.ended, a.fate, a.why)
            for a in before.arrows
        ]
        assert sorted(shape) == sorted(
            (a.kind, a.op, a.source, a.target, a.sent, a.ended, a.fate, a.why) for a in after.arrows
        )
        assert [(m.step, m.lifeline, m.kind) for m in before.marks] == [
            (m.step, m.lifeline, m.kind) for m in after.marks
        ]
        assert before.activations == after.activations
        assert before.lifelines == after.lifelines
        assert [(s.lifeline, s.start, s.end, s.up) for s in before.segments] == [
            (s.lifeline, s.start, s.end, s.up) for s in after.segments
        ]
        assert [s.actor for s in before.steps] == [s.actor for s in after.steps]
        assert history_from_trace(trace) == history_from_trace(renamed)


DISPLAY_WORDS = ("wreq", "wack", "rreq", "rresp", "NIL", "@", r"[wr]\(", r"\d+,\d+")
READERS = [*sorted((ROOT / "checker").rglob("*.py")), ROOT / "model" / "history" / "export.py"]


def _regexes(path: Path) -> list[str]:
    """The string patterns a module passes to the `re` module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.args
        ):
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append(first.value)
            elif isinstance(first, ast.JoinedStr):
                found.extend(
                    part.value
                    for part in first.values
                    if isinstance(part, ast.Constant) and isinstance(part.value, str)
                )
    return found


@pytest.mark.parametrize("path", READERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_reader_of_traces_matches_display_strings(path: Path) -> None:
    for pattern in _regexes(path):
        assert not any(word in pattern for word in DISPLAY_WORDS), (path.name, pattern)


def test_the_string_parsers_are_gone() -> None:
    sequence = (ROOT / "checker" / "sequence.py").read_text()
    export = (ROOT / "model" / "history" / "export.py").read_text()
    for name in ("def parse_message", "def op_client", "_MESSAGE", "import re"):
        assert name not in sequence, name
    for name in ("def _parse_name", "_OP_NAME", "import re", ".split("):
        assert name not in export, name
    assert _regexes(ROOT / "checker" / "render.py")  # the AST scan does see regexes
