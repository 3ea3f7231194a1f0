"""Counterexample traces as plain data: rebuilt by replaying steps, and replayable.

A `Trace` is the run itself (model states and step labels). `trace_data` turns it
into plain data (views of every state and action) for the renderers, which never
recompute the model. `replay` checks such data against a model step by step.

The data is trace format SCHEMA_VERSION (docs/schemas/trace.schema.json): messages,
versions and actions are records whose fields the renderers read; a record's `name`
is only ever shown, never parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from leaderless.checker.protocol import Label, Model, State

# The stored trace format; a reader refuses any other (a change to what the fields
# mean, not to display wording, bumps it).
SCHEMA_VERSION = 1


class ReplayError(Exception):
    """A trace that the model does not reproduce; the message says where and how."""


class InconsistentModel(RuntimeError):
    """The model contradicts itself (nondeterministic successors, or violations() and
    explain() disagreeing): an internal error, never a verdict."""


@dataclass(frozen=True)
class Trace:
    property_index: int
    property_id: str
    initial: State
    steps: tuple[tuple[Label, State], ...]  # (label, state after the step)
    reason: str  # why the last state violates the property

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def final(self) -> State:
        return self.steps[-1][1] if self.steps else self.initial


class ParentOf(Protocol):
    """Each visited state's parent fingerprint (None for an initial state), by its own."""

    def __getitem__(self, fingerprint: int) -> int | None: ...


def rebuild_trace(
    model: Model,
    parents: ParentOf,
    target: int,
    fingerprint: Callable[[State], int],
    property_index: int,
) -> Trace:
    """Replay from an initial state along the chain of parent fingerprints to `target`.

    Under symmetry the chain names symmetry classes; each step picks the first
    successor in the class, so the result is a concrete run of the model.
    """
    chain = []
    fp: int | None = target
    while fp is not None:
        chain.append(fp)
        fp = parents[fp]
    chain.reverse()
    state = next((s for s in model.initial_states() if fingerprint(s) == chain[0]), None)
    if state is None:
        raise InconsistentModel(
            "no initial state has the trace's first fingerprint; "
            "initial_states must be deterministic"
        )
    initial = state
    steps = []
    for depth, wanted in enumerate(chain[1:], start=1):
        for label, nxt in model.successors(state):
            if fingerprint(nxt) == wanted:
                steps.append((label, nxt))
                state = nxt
                break
        else:
            raise InconsistentModel(
                f"cannot rebuild step {depth} of a trace: no successor has the recorded "
                "fingerprint. The model's successors must be deterministic (the usual "
                "cause is iterating over a set or dict whose order changes between runs)"
            )
    reason = model.explain(property_index, state)
    if reason is None:
        # The search recorded a violation that the model's own explanation denies: a
        # verdict resting on it would be a guess, so this is a bug to report, not a finding.
        raise InconsistentModel(
            f"the rebuilt trace to {model.properties[property_index].id} ends in a state "
            "that the model's explain() says does not violate it; violations() and "
            "explain() must agree"
        )
    return Trace(property_index, model.properties[property_index].id, initial, tuple(steps), reason)


def trace_data(model: Model, trace: Trace) -> dict[str, Any]:
    """The trace as plain data: who takes part, the operations, every state's view and
    every action's view and words."""
    states = [model.state_view(trace.initial)]
    steps = []
    before = trace.initial
    for label, after in trace.steps:
        steps.append(
            {
                "action": model.action_view(label),
                "description": model.describe_action(label, before),
                **model.action_effects(label),
            }
        )
        states.append(model.state_view(after))
        before = after
    return {
        "schema_version": SCHEMA_VERSION,
        "property": trace.property_id,
        "length": len(trace.steps),
        "reason": trace.reason,
        "config": model.config_view(),
        "participants": model.participants(),
        "operations": model.operations(),
        "states": states,
        "steps": steps,
    }


def normalize(value: Any) -> Any:
    """A view value as JSON data: sets become lists in `member_order`, tuples lists."""
    if isinstance(value, Mapping):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted((normalize(v) for v in value), key=member_order)
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    return value


def member_order(value: Any) -> str:
    """The key that orders the members of a normalized set: a record with a name by its
    name, anything else by its repr with every named record in it standing as its name
    (so a set sorts as the display strings of its members did before records)."""
    return repr(_as_shown(value))


def _as_shown(value: Any) -> Any:
    if isinstance(value, Mapping):
        if "name" in value:
            return value["name"]
        return {k: _as_shown(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_shown(v) for v in value]
    return value


def _first_difference(expected: Any, actual: Any, path: str = "") -> str:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            if expected.get(key) != actual.get(key):
                return _first_difference(expected.get(key), actual.get(key), f"{path}.{key}")
    return f"{path.lstrip('.') or 'state'} is {actual!r} in the model, {expected!r} in the trace"


# The keys of a step that say what a diagram draws for it (Model.action_effects).
STEP_EFFECTS = ("fate", "marks", "loses")

# Keys whose values are display text: a stored trace keeps its meaning when the model's
# wording changes, so replay compares everything but these.
DISPLAY_KEYS = frozenset({"name", "label", "description", "reason"})


def structure(value: Any) -> Any:
    """A normalized view without its display text (see DISPLAY_KEYS). Lists of records
    are sets ordered by their members' names, so without names they are put in one
    order again; lists of plain values keep theirs."""
    if isinstance(value, Mapping):
        return {k: structure(v) for k, v in value.items() if k not in DISPLAY_KEYS}
    if isinstance(value, list):
        items = [structure(v) for v in value]
        if any(isinstance(v, Mapping | list) for v in items):
            return sorted(items, key=repr)
        return items
    return value


def replay(model: Model, data: dict[str, Any]) -> tuple[list[State], str | None]:
    """Replay trace data through `model`, checking every state; return the states and
    the model's reason the property breaks in the last one (None if it does not).

    Each recorded step is matched by its action view when the data has one, else by
    the state it leads to, comparing structure only (`structure`): display names may
    have changed since the trace was written. Raises ReplayError naming the first
    step that differs.
    """
    try:
        recorded_states = data["states"]
        recorded_steps = data.get("steps") or [None] * (len(recorded_states) - 1)
        property_id = data["property"]
    except (KeyError, TypeError) as error:
        raise ReplayError(f"not a trace: missing {error}") from None
    if len(recorded_steps) != len(recorded_states) - 1:
        raise ReplayError(
            f"a trace of {len(recorded_steps)} steps needs "
            f"{len(recorded_steps) + 1} states, found {len(recorded_states)}"
        )
    ids = [p.id for p in model.properties]
    if property_id not in ids:
        raise ReplayError(f"unknown property {property_id!r}")

    def shape(view: Any) -> Any:
        return structure(normalize(view))

    candidates = [
        s
        for s in model.initial_states()
        if shape(model.state_view(s)) == structure(recorded_states[0])
    ]
    if not candidates:
        first = shape(model.state_view(model.initial_states()[0]))
        raise ReplayError(
            "the initial state differs: " + _first_difference(structure(recorded_states[0]), first)
        )
    state = candidates[0]
    states = [state]
    for number, (step, expected) in enumerate(zip(recorded_steps, recorded_states[1:]), 1):
        action = step.get("action") if isinstance(step, dict) else None
        options = list(model.successors(state))
        if action is not None:
            wanted = structure(action)
            options = [
                (lab, nxt) for lab, nxt in options if shape(model.action_view(lab)) == wanted
            ]
            if not options:
                raise ReplayError(f"step {number}: the model has no step {action} here")
        expected = structure(expected)
        match = next((nxt for _, nxt in options if shape(model.state_view(nxt)) == expected), None)
        if match is None:
            closest = shape(model.state_view(options[0][1])) if options else {}
            raise ReplayError(
                f"step {number}: the state after it differs: "
                + _first_difference(expected, closest)
            )
        state = match
        states.append(state)
    return states, model.explain(ids.index(property_id), state)
