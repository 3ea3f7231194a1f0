"""Helpers shared by tests: run the explorer, pick steps by name, read state views."""

from __future__ import annotations

import functools

from leaderless.checker.explorer import explore
from leaderless.checker.trace import normalize
from leaderless.model import Config, ReplicationModel


def verdicts(config: Config, symmetry: bool = True) -> dict[str, tuple[str, int | None]]:
    """property id -> (verdict, shortest trace length or None), explored as `check`
    explores (the compiled kernel from a large level on; tests/test_kernel.py shows
    it finds what the Python model finds)."""
    model = ReplicationModel(config)
    result = explore(model, symmetry=symmetry, compiled=functools.partial(model.compiled, symmetry))
    return {v.property_id: (v.status, len(v.trace) if v.trace else None) for v in result.verdicts}


def _shown(value: object) -> object:
    """A record with a display name (a message, a version) as that name."""
    return value["name"] if isinstance(value, dict) and "name" in value else value


def step(model: ReplicationModel, state: tuple, action: str, **fields) -> tuple:
    """The one successor of `state` by `action` whose action view has these fields (a
    message or a version given by its name)."""
    matches = []
    for label, nxt in model.successors(state):
        view = model.action_view(label)
        if view["action"] == action and all(_shown(view.get(k)) == v for k, v in fields.items()):
            matches.append(nxt)
    assert len(matches) == 1, f"{len(matches)} steps {action} {fields}"
    return matches[0]


def enabled(model: ReplicationModel, state: tuple, action: str) -> list[dict]:
    """The views of the enabled steps by `action`, records by name (see `named`)."""
    views = (named(model.action_view(label)) for label, _ in model.successors(state))
    return [view for view in views if view["action"] == action]  # type: ignore[index]


def named(value: object) -> object:
    """A normalized view with every record that has a display name (a message, a
    version) replaced by that name, for assertions that read like the trace text."""
    if isinstance(value, dict):
        return value["name"] if "name" in value else {k: named(v) for k, v in value.items()}
    if isinstance(value, list):
        return [named(v) for v in value]
    return value


def view(model: ReplicationModel, state: tuple) -> dict:
    """The state's normalized view, records by name (see `named`)."""
    shown = named(normalize(model.state_view(state)))
    assert isinstance(shown, dict)
    return shown


def reachable(model: ReplicationModel) -> set[tuple]:
    """Every reachable state (no fingerprints, no symmetry): plain BFS over whole states."""
    seen = set(model.initial_states())
    frontier = list(seen)
    while frontier:
        nxt = []
        for state in frontier:
            for _, succ in model.successors(state):
                if succ not in seen:
                    seen.add(succ)
                    nxt.append(succ)
        frontier = nxt
    return seen


def outcome(result) -> tuple:
    """Everything a search reports, traces as their labels and states: what two ways of
    exploring must agree on."""
    verdicts = [
        (
            v.property_id,
            v.status,
            v.reason,
            v.reached,
            None if v.trace is None else (v.trace.initial, v.trace.steps),
        )
        for v in result.verdicts
    ]
    return result.states, result.transitions, result.depth, result.stopped_by, verdicts
