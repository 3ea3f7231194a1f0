"""Fingerprints differ by chance only, never by construction.

The explorer keeps a hash per state (of the canonical key under symmetry), so two
states whose keys differ only in values with equal hashes would always collide. In
CPython every int of a state's size hashes to itself except -1 (hash(-1) == hash(-2)),
so a key is safe when -1 appears in no place that can also hold -2.
"""

from itertools import combinations

import pytest

from leaderless.checker.explorer import FINGERPRINT_BITS
from leaderless.model import Config, ReplicationModel
from leaderless.model.state import H_RESULT, HIST, LIVE, NIL, NO_LIVE, NO_RESULT
from support import reachable

CONFIGS = [
    # op 0 a write (its acks) and op 0 a read (its repair slots), every slot kind
    Config(n=3, w=2, r=3, clients=("w", "r"), read_repair="blocking", timeouts=True),
    Config(n=2, w=2, r=2, clients=("r", "w"), read_repair="blocking", max_drops=1),
    Config(n=2, w=1, r=1, clients=("w", "r"), drift=1, max_crashes=1, anti_entropy=True),
    Config(n=2, w=1, r=2, clients=("w", "r"), resolution="arrival", timeouts=True),
]


def ints(value) -> list[int]:
    if isinstance(value, int):
        return [value]
    return [x for item in value for x in ints(item)]


def fingerprint(key: tuple) -> int:
    return hash(key) & ((1 << FINGERPRINT_BITS) - 1)  # as the explorer keeps it


def without_results(hist: tuple) -> tuple:
    return tuple(record[:H_RESULT] + record[H_RESULT + 1 :] for record in hist)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.describe())
def test_every_int_a_fingerprint_hashes_is_its_own_hash(config):
    model = ReplicationModel(config)
    for state in reachable(model):
        signatures, *rest, hist = model.canonical_key(state)
        assert rest == [state[2], state[4], state[5]]  # now, drops, crashes
        stripped = state[:HIST] + (without_results(state[HIST]),) + state[HIST + 1 :]
        for x in ints(signatures) + ints(stripped):
            assert hash(x) == x, (x, state)
        # -1 marks "no result"; a result is otherwise a version, never -2.
        assert all(rec[H_RESULT] == NO_RESULT or rec[H_RESULT] >= NIL for rec in hist)


def test_an_ack_and_a_repair_wait_of_the_same_op_and_replica_get_different_fingerprints():
    # Not reachable (an op is a write or a read, never both), but the key does not know
    # that; with markers -1 and -2 for op 0 these two fingerprints were equal.
    model = ReplicationModel(Config(n=2, w=2, r=2, clients=("w", "r")))
    init = model.initial_states()[0]
    assert init[LIVE] == (NO_LIVE, NO_LIVE)
    for op in range(2):
        for replica in range(2):
            bit = 1 << replica
            slots = [(bit, (), 0), (0, (), bit), (0, ((replica, NIL),), 0), (0, ((replica, 1),), 0)]
            states = []
            for slot in slots:
                live = list(init[LIVE])
                live[op] = slot
                states.append(init[:LIVE] + (tuple(live),))
            for a, b in combinations(states, 2):
                assert model.canonical_key(a) != model.canonical_key(b)
                assert fingerprint(model.canonical_key(a)) != fingerprint(model.canonical_key(b))
            assert all(
                fingerprint(model.canonical_key(s)) != fingerprint(model.canonical_key(init))
                for s in states
            )


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.describe())
def test_distinct_keys_of_reachable_states_have_distinct_fingerprints(config):
    model = ReplicationModel(config)
    keys = {model.canonical_key(s) for s in reachable(model)}
    assert len({fingerprint(k) for k in keys}) == len(keys)
