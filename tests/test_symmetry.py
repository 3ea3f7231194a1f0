"""Replica symmetry: a sound and complete quotient, and invisible in verdicts."""

from itertools import permutations

import pytest

from leaderless.model import Config, ReplicationModel
from support import reachable, verdicts

CONFIGS = [
    Config(n=2, w=1, r=1, clients=("w", "r")),
    Config(n=2, w=2, r=1, clients=("w", "r"), timeouts=True),
    Config(n=2, w=1, r=2, clients=("wr",), max_drops=1),
    Config(n=2, w=1, r=1, clients=("w", "w"), resolution="arrival"),
    Config(n=2, w=1, r=1, clients=("w", "r"), drift=1, anti_entropy=True),
    Config(n=3, w=1, r=1, clients=("w", "r")),
    Config(n=3, w=2, r=2, clients=("w", "r")),
    Config(n=3, w=2, r=2, clients=("w", "rr")),
    Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True),
    Config(n=3, w=2, r=2, clients=("w", "r"), max_crashes=2),
    Config(n=3, w=1, r=2, clients=("w", "r"), read_repair="async"),
    Config(n=3, w=1, r=2, clients=("w", "r"), read_repair="blocking", max_crashes=1),
    Config(n=3, w=1, r=2, clients=("w", "r"), read_repair="blocking", timeouts=True),
    Config(n=3, w=1, r=1, clients=("w", "r"), anti_entropy=True, max_drops=1),
    Config(n=3, w=2, r=2, clients=("w", "r"), drift=1, max_drops=1),
    Config(n=2, w=1, r=1, clients=("wr", "w"), drift=1),
    Config(n=2, w=1, r=1, clients=("w", "rr"), resolution="arrival", max_crashes=1),
    Config(n=4, w=2, r=2, clients=("w", "r")),
    Config(n=4, w=3, r=2, clients=("w", "r"), max_crashes=1),
    Config(n=3, w=2, r=2, clients=("w", "r"), hinted_handoff="strict", stand_ins=1, max_crashes=1),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.describe())
def test_symmetry_changes_no_verdict_and_no_trace_length(config):
    assert verdicts(config, symmetry=True) == verdicts(config, symmetry=False)


@pytest.mark.parametrize(
    "config",
    [
        Config(n=3, w=2, r=2, clients=("w", "r"), timeouts=True, max_crashes=1),
        Config(n=3, w=1, r=2, clients=("w", "r"), read_repair="blocking", max_drops=1),
        # Two writes in flight with their own acks: a key that forgot which op an ack
        # belongs to would merge states that are no renaming of each other.
        Config(n=3, w=2, r=1, clients=("w", "w"), max_drops=1),
        # Hints belong to the replica they are for; a stand-in's ack to no replica.
        Config(n=3, w=2, r=2, clients=("w", "r"), hinted_handoff="sloppy", stand_ins=1),
        Config(
            n=2, w=1, r=1, clients=("w", "w"), hinted_handoff="sloppy", stand_ins=2, max_drops=1
        ),
        Config(
            n=2,
            w=1,
            r=1,
            clients=("w", "r"),
            max_partitions=1,
            hinted_handoff="sloppy",
            stand_ins=1,
        ),
    ],
    ids=lambda c: c.describe(),
)
def test_canonical_key_identifies_exactly_the_replica_renamings(config):
    model = ReplicationModel(config)
    states = reachable(model)
    perms = list(permutations(range(config.n)))
    orbits = {min(model.permute(s, p) for p in perms) for s in states}
    keys = {model.canonical_key(s) for s in states}
    assert len(keys) == len(orbits)
    for state in list(states)[:300]:
        key = model.canonical_key(state)
        for perm in perms:
            renamed = model.permute(state, perm)
            assert renamed in states  # the renamed state is reachable too
            assert model.canonical_key(renamed) == key


def test_symmetry_shrinks_the_reference_space_by_nearly_the_replica_permutations():
    from leaderless.checker.explorer import explore

    config = Config(n=3, w=2, r=2, clients=("w", "r"), drift=1, timeouts=True)
    exact = explore(ReplicationModel(config), symmetry=False).states
    reduced = explore(ReplicationModel(config), symmetry=True).states
    assert 4 < exact / reduced <= 6
