"""Helpers shared by tests: run the explorer, pick steps by name, read state views."""

from __future__ import annotations

from leaderless.checker.explorer import explore
from leaderless.checker.trace import normalize
from leaderless.model import Config, ReplicationModel


def verdicts(config: Config, symmetry: bool = True) -> dict[str, tuple[str, int | None]]:
    """property id -> (verdict, shortest trace length or None)."""
    result = explore(ReplicationModel(config), symmetry=symmetry)
    return {v.property_id: (v.status, len(v.trace) if v.trace else None) for v in result.verdicts}


def step(model: ReplicationModel, state: tuple, action: str, **fields) -> tuple:
    """The one successor of `state` by `action` whose action view has these fields."""
    matches = []
    for label, nxt in model.successors(state):
        view = model.action_view(label)
        if view["action"] == action and all(view.get(k) == v for k, v in fields.items()):
            matches.append(nxt)
    assert len(matches) == 1, f"{len(matches)} steps {action} {fields}"
    return matches[0]


def enabled(model: ReplicationModel, state: tuple, action: str) -> list[dict]:
    return [model.action_view(label) for label, _ in model.successors(state) if label[0] == action]


def view(model: ReplicationModel, state: tuple) -> dict:
    return normalize(model.state_view(state))


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
