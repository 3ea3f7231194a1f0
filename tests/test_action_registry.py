"""The action registry is the one list of MODEL.md's actions: everything else reads it.

Each registered action has a typed label, is produced by `successors`, has a view and
words, belongs to an op or a replica as search shortening needs, and is either
encoded by the symbolic encoding or registered as not encoded.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from leaderless.checker.trace import normalize
from leaderless.model import Config, ReplicationModel
from leaderless.model.actions import ACTION_OF, ACTIONS
from leaderless.proofs import symbolic
from leaderless.proofs.symbolic import Encoding
from tests.support import reachable

# Every option on, so that every action can occur.
EVERYTHING = Config(
    n=2,
    w=1,
    r=2,
    clients=("w", "r"),
    drift=1,
    max_drops=1,
    max_crashes=1,
    timeouts=True,
    anti_entropy=True,
    read_repair="blocking",
)
# docs/MODEL.md's extensions: a delete, so that tombstones can be purged.
DELETING = dataclasses.replace(EVERYTHING, clients=("d", "r"), drift=0, gc_grace=0)
# ... and network partitions, so that the network can split and heal.
PARTITIONING = Config(n=2, w=1, r=1, clients=("w", "r"), max_partitions=1, anti_entropy=True)
# ... and stand-ins, so that requests can be redirected and hints handed off.
HINTED = Config(n=2, w=1, r=1, clients=("w", "r"), hinted_handoff="sloppy", stand_ins=1)
ROOT = Path(__file__).resolve().parent.parent


def test_registry_follows_model_md_order_and_names() -> None:
    assert [action.number for action in ACTIONS] == list(range(1, len(ACTIONS) + 1))
    # The project's MODEL.md: the base semantics and the extensions, each action in bold.
    text = (ROOT / "docs" / "MODEL.md").read_text()
    missing = [
        action.name
        for action in ACTIONS
        if f"**{action.name}(" not in text and f"**{action.name}**" not in text
    ]
    assert missing == [], "every action is defined in docs/MODEL.md"
    assert len(ACTION_OF) == len(ACTIONS), "one label class per action"


def test_every_registered_action_occurs_and_every_step_is_registered() -> None:
    seen: set[str] = set()
    for config in (EVERYTHING, DELETING, PARTITIONING, HINTED):
        model = ReplicationModel(config)
        for state in reachable(model):
            for label, _ in model.successors(state):
                action = ACTION_OF[type(label)]  # a KeyError here: an unregistered step
                assert action.occurs(config), action.name
                seen.add(action.name)
    assert seen == {action.name for action in ACTIONS}


@pytest.mark.parametrize(
    "config",
    [EVERYTHING, DELETING, PARTITIONING, HINTED],
    ids=["everything", "deleting", "partitioning", "hinted"],
)
def test_every_step_has_a_record_view_words_an_owner_and_a_subject(config: Config) -> None:
    model = ReplicationModel(config)
    ids = {p["id"] for p in model.participants()}
    ops = {o["name"] for o in model.operations()}
    for state in sorted(reachable(model))[:400]:
        for label, _ in model.successors(state):
            action = ACTION_OF[type(label)]
            view = normalize(model.action_view(label))
            assert view["action"] == action.name
            assert view["actor"] is None or view["actor"] in ids
            if "message" in view:
                message = view["message"]
                assert message["from"] in ids and message["to"] in ids
                assert message["op"] in ops
            assert model.describe_action(label, state)
            op, replica = action.owner(label)
            assert op is None or 0 <= op < model.scope.op_count
            assert replica is None or 0 <= replica < model.scope.nodes  # stand-ins from n on
            hash(action.subject(label))


def test_symbolic_encoding_covers_exactly_the_actions_registered_as_encoded() -> None:
    encoded = {
        instance.kind
        for config in (EVERYTHING, PARTITIONING, HINTED)
        for instance in Encoding(config).instances
    }
    assert encoded == {action.name for action in ACTIONS if action.symbolic}
    # An action it lacks stops it only where the configuration can take that action.
    with pytest.raises(symbolic.NotEncoded, match="Purge"):
        Encoding(DELETING)
    Encoding(dataclasses.replace(DELETING, gc_grace=None))


def test_no_module_outside_the_registry_lists_the_actions_by_name() -> None:
    """A second list of the actions is what the registry replaces: no string literal
    naming three or more actions appears outside model/actions.py."""
    names = {action.name for action in ACTIONS}
    offenders = []
    for folder in ("model", "checker", "proofs"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "actions.py" and folder == "model":
                continue
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.Tuple | ast.List | ast.Set):
                    strings = {
                        e.value
                        for e in node.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)
                    }
                    if len(strings & names) >= 3:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_an_action_registered_as_not_encoded_stops_the_symbolic_encoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    not_encoded = tuple(
        dataclasses.replace(a, symbolic=False) if a.name == "Crash" else a for a in ACTIONS
    )
    monkeypatch.setattr(symbolic, "ACTIONS", not_encoded)
    with pytest.raises(symbolic.NotEncoded, match="Crash"):
        Encoding(EVERYTHING)


def test_the_generic_renderers_name_no_action() -> None:
    """Diagrams, text, ITF and HTML draw what a step's data says (its actor, fate, marks,
    losses: Model.action_effects); none of checker/*.py compares with an action's name."""
    names = {action.name for action in ACTIONS}
    offenders = [
        f"{path.name}:{node.lineno}"
        for path in sorted((ROOT / "checker").glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and node.value in names
    ]
    assert offenders == []
