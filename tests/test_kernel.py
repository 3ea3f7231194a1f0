"""The compiled kernel (model/kernel.py) against the Python model it restates.

On the reachable states of every reference configuration it covers (the first few
thousand in BFS order), and on random small scopes: a state packs to a row and back
unchanged, a row's fingerprint is `hash()` of its state (under symmetry, of its
canonical key), a row's successors are the
Python successors in the same order, and the kernel's property and situation bits are
the catalogue's. Then whole searches: exploring with the kernel reports exactly what
the Python search reports (counts, verdicts, reasons, situations, traces) on every
pinned configuration it covers.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import test_model_pins
from leaderless.checker import cli
from leaderless.checker.explorer import explore
from leaderless.model import Config, ReplicationModel
from leaderless.model.properties import CATALOGUE, STATE, Property
from support import outcome

WORD = 2**64


def _covered(configs):
    return [c for c in configs if ReplicationModel(Config(**c)).compiled() is not None]


PINNED = _covered(test_model_pins.ALL)
# The extensions it covers: deletes (tombstones are versions like any other), and
# datacenters without levels (the base model, but replicas of different datacenters are
# not interchangeable, so the kernel leaves symmetry to Python there).
EXTENDED: list[dict] = [
    {"n": 2, "w": 1, "r": 1, "clients": ("wd", "r"), "drift": 1, "timeouts": True},
    {"n": 2, "w": 1, "r": 1, "clients": ("w", "d", "r"), "max_drops": 1},
    {"n": 3, "w": 1, "r": 2, "clients": ("w", "dr"), "read_repair": "blocking"},
    {"n": 2, "w": 1, "r": 2, "clients": ("d", "wr"), "anti_entropy": True, "max_crashes": 1},
    {"n": 3, "w": 1, "r": 1, "clients": ("w", "r"), "datacenters": (("a", 2), ("b", 1))},
]
CONFIGS = PINNED + EXTENDED


def agree_on_reachable_states(model: ReplicationModel, limit: int) -> int:
    """Check the kernel on the first `limit` states in BFS order; return how many."""
    kernel = model.compiled()
    classes = model.compiled(symmetry=True)
    assert kernel is not None
    assert (classes is None) == (model.config.datacenters is not None)
    everything = model.applicable
    start = model.initial_states()[0]
    queue, seen, checked = deque([start]), {start}, 0
    while queue and checked < limit:
        state = queue.popleft()
        checked += 1
        row = kernel.pack([state])
        assert kernel.unpack(row[0]) == state
        assert int(kernel.fingerprints(row)[0]) == hash(state) % WORD
        successors = [nxt for _, nxt in model.successors(state)]
        rows, parents, fingerprints = kernel.expand(row)
        assert [kernel.unpack(r) for r in rows] == successors
        assert parents.tolist() == [0] * len(successors)
        assert fingerprints.tolist() == [hash(nxt) % WORD for nxt in successors]
        if classes is not None:
            key = model.canonical_key(state)
            assert int(classes.fingerprints(row)[0]) == hash(key) % WORD
        violated, reached = kernel.check(row, everything, everything)
        assert int(violated[0]) == model.violations(state, everything)
        assert int(reached[0]) == model.reached(state, everything)
        for nxt in successors:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return checked


def test_the_kernel_covers_the_base_model_and_most_pinned_configurations():
    assert len(PINNED) >= 0.9 * len(test_model_pins.ALL)


@pytest.mark.parametrize("config", CONFIGS, ids=[test_model_pins._key(c) for c in CONFIGS])
def test_each_reachable_state_agrees_with_the_python_model(config):
    assert agree_on_reachable_states(ReplicationModel(Config(**config)), 400) > 0


@pytest.mark.parametrize("config", CONFIGS, ids=[test_model_pins._key(c) for c in CONFIGS])
def test_a_search_with_the_kernel_reports_what_the_python_search_reports(config):
    for symmetry in (False, True):
        model = ReplicationModel(Config(**config))
        python = explore(model, symmetry=symmetry, max_states=100_000)
        compiled = model.compiled(symmetry)
        if compiled is None:  # symmetry with datacenters: the Python model's
            assert symmetry and model.config.datacenters is not None
            continue
        rows = explore(
            ReplicationModel(Config(**config)),
            symmetry=symmetry,
            max_states=100_000,
            compiled=compiled,
            compiled_from=1,
        )
        assert python.complete
        assert outcome(rows) == outcome(python)


def test_a_batch_of_rows_expands_in_row_order():
    model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "r"), drift=1, max_drops=1))
    kernel = model.compiled()
    assert kernel is not None
    level = [model.initial_states()[0]]
    for _ in range(4):
        level = list(dict.fromkeys(nxt for state in level for _, nxt in model.successors(state)))
    rows, parents, _ = kernel.expand(kernel.pack(level))
    expected = [(i, nxt) for i, state in enumerate(level) for _, nxt in model.successors(state)]
    assert parents.tolist() == [i for i, _ in expected]
    assert [kernel.unpack(r) for r in rows] == [nxt for _, nxt in expected]


def scripts(letters: str) -> st.SearchStrategy[list[str]]:
    return st.lists(st.text(letters, min_size=1, max_size=2), min_size=1, max_size=3)


@st.composite
def base_configs(draw) -> Config:
    n = draw(st.integers(1, 3))
    resolution = draw(st.sampled_from(["lww", "arrival"]))
    return Config(
        n=n,
        w=draw(st.integers(1, n)),
        r=draw(st.integers(1, n)),
        clients=tuple(draw(scripts("wrd" if resolution == "lww" else "wr"))),
        drift=draw(st.integers(0, 2)) if resolution == "lww" else 0,
        max_drops=draw(st.integers(0, 1)),
        max_crashes=draw(st.integers(0, n)),
        timeouts=draw(st.booleans()),
        anti_entropy=resolution == "lww" and draw(st.booleans()),
        read_repair=draw(st.sampled_from(["off", "async", "blocking"]))
        if resolution == "lww"
        else "off",
        resolution=resolution,
    )


@settings(max_examples=40, deadline=None)
@given(base_configs())
def test_random_small_scopes_agree_state_by_state(config):
    assert agree_on_reachable_states(ReplicationModel(config), 150) > 0


@pytest.mark.parametrize(
    "options",
    [
        {"resolution": "siblings", "clients": ("w", "r")},
        {"max_partitions": 1, "clients": ("w", "r")},
        {"stand_ins": 1, "hinted_handoff": "sloppy", "clients": ("w", "r")},
        {"clients": ("d", "r"), "gc_grace": 0},
        {"write_level": "QUORUM", "clients": ("w", "r")},
    ],
    ids=["siblings", "partitions", "stand-ins", "purging", "levels"],
)
def test_what_the_kernel_does_not_cover_stays_with_the_python_model(options):
    assert ReplicationModel(Config(**options)).compiled() is None


def test_a_state_property_the_kernel_does_not_know_stays_with_the_python_model():
    nobody_down = Property(
        "nobody-down",
        "every replica is up",
        lambda c: True,
        STATE,
        lambda catalogue, state: None if state[1] == 7 else "a replica is down",
        "a state",
        lambda catalogue, state: True,
    )
    model = ReplicationModel(Config(clients=("w", "r")), properties=(*CATALOGUE, nobody_down))
    assert model.compiled() is None


def test_check_reports_the_same_with_the_kernel_and_without(capsys):
    # The reference configuration, exact: a level of 26,113 states, so auto switches.
    argv = [
        "check",
        *["--clients", "w,r", "--drift", "1", "--drops", "1", "--timeouts", "--anti-entropy"],
        "--no-symmetry",
        "--json",
        "--quiet",
        "--no-times",
    ]
    reports = []
    for kernel in ("auto", "python"):
        code = cli.main([*argv, "--kernel", kernel])
        reports.append((code, json.loads(capsys.readouterr().out)))
    assert reports[0] == reports[1]
    assert reports[0][0] == 1 and reports[0][1]["complete"]


def test_more_ops_than_an_op_bitmask_holds_stay_with_the_python_model():
    # 65 ops: op 64 would share op 0's bit in the kernel's int64 masks.
    many = Config(n=1, w=1, r=1, clients=("w", "r" * 63, "w"), resolution="arrival")
    assert ReplicationModel(many).compiled() is None
    fewer = Config(n=1, w=1, r=1, clients=("w", "r" * 59, "w"), resolution="arrival")
    assert ReplicationModel(fewer).compiled() is not None


def test_a_known_state_property_given_twice_stays_with_the_python_model():
    availability = next(p for p in CATALOGUE if p.id == "availability")
    twice = (*CATALOGUE, dataclasses.replace(availability, id="availability-again"))
    assert ReplicationModel(Config(clients=("w", "r")), properties=twice).compiled() is None
    other_situation = dataclasses.replace(availability, reached=lambda catalogue, x: True)
    changed = tuple(other_situation if p is availability else p for p in CATALOGUE)
    assert ReplicationModel(Config(clients=("w", "r")), properties=changed).compiled() is None


def test_a_small_check_loads_no_compiled_code():
    # numba costs some tenths of a second a process: only a large search pays them.
    script = (
        "import sys\n"
        "from leaderless.checker.cli import main\n"
        "code = main(['check', '--quiet', '--no-symmetry'])\n"
        "print(code, 'numba' in sys.modules)\n"
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert ran.stdout.splitlines()[-1].split() == ["1", "False"]


def test_a_compiled_model_given_as_a_function_is_made_only_at_the_switch():
    config = Config(n=3, w=2, r=2, clients=("w", "r"), drift=1, max_drops=1)
    python = outcome(explore(ReplicationModel(config), symmetry=False))
    made = []

    def none_after_all():
        made.append(True)
        return None

    model = ReplicationModel(config)
    declined = explore(model, symmetry=False, compiled=none_after_all, compiled_from=1)
    assert outcome(declined) == python and made == [True]
    model = ReplicationModel(config)
    switched = explore(model, symmetry=False, compiled=model.compiled, compiled_from=1)
    assert outcome(switched) == python
    never = explore(model, symmetry=False, compiled=none_after_all, compiled_from=10**9)
    assert outcome(never) == python and made == [True]
