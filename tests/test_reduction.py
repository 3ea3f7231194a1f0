"""The partial-order reduction (model/reduction.py, docs/MODEL.md "Partial-order
reduction"): checked against the full relation, not only argued.

- every verdict, situation, reason and (after checker/shortest.py's recovery) every
  shortest trace equals the full search's, on the configurations of
  test_reference_agreement.py and test_model_pins.py and on random tiny scopes;
- the proof obligations themselves, on every reachable state of a few scopes: the
  progress measure falls on every step (the graph is acyclic); a step offered alone
  is a step of the full relation, never takes a violation or a situation away, and
  commutes with every other step (and still qualifies after it), or that step
  removes it too, or is matched after it (a drop of the response for a drop of the
  request), or leads where it leads with one drop fewer spent;
- configurations outside the argument are refused, naming the option.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import replace

import pytest
from hypothesis import given, settings

from leaderless.checker import shortest
from leaderless.checker.cli import main
from leaderless.checker.explorer import explore
from leaderless.checker.shortest import NOT_SHORTEST, explore_with_recovery
from leaderless.model import PROPERTY_IDS, Config, ReplicationModel
from leaderless.model.reduction import (
    ReducedModel,
    UnsupportedReduction,
    progress_measure,
    refusal,
)
from leaderless.model.state import DROPS, NET, RREQ, STORE, WACK
from test_model_pins import EXTRA
from test_reference_agreement import (
    CONFIGS,
    EXTENSION_CONFIGS,
    HINTED_CONFIGS,
    LEVEL_PAIR_CONFIGS,
    PARTITION_CONFIGS,
    SIBLINGS_CONFIGS,
)
from test_reference_random import tiny_configs, tiny_extension_configs


def _supported(configs: list[dict]) -> list[dict]:
    return [c for c in configs if refusal(ReplicationModel(Config(**c))) is None]


def _name(config: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in config.items())


def _outcome(exploration) -> list:
    return [
        (
            v.property_id,
            v.status,
            v.reached,
            v.reason,
            None if v.trace is None else (v.trace.initial, v.trace.steps),
        )
        for v in exploration.verdicts
    ]


def assert_same_verdicts(config: dict, symmetry: bool = True) -> tuple[int, int]:
    model = ReplicationModel(Config(**config))
    full = explore(model, symmetry=symmetry, max_states=200_000)
    reduced, _ = explore_with_recovery(
        ReducedModel(model), model, symmetry=symmetry, max_states=200_000
    )
    assert full.complete and reduced.complete
    assert _outcome(reduced) == _outcome(full)
    assert reduced.states <= full.states
    return full.states, reduced.states


# Every configuration of both files whose options the argument covers: every one of
# CONFIGS and EXTRA; of the extension's, all but purging with deletes, stand-ins and
# siblings (refused, see test_refused_options_are_named).
AGREEMENT = _supported(CONFIGS + EXTRA + EXTENSION_CONFIGS + LEVEL_PAIR_CONFIGS + PARTITION_CONFIGS)


def test_the_supported_configurations_are_most_of_them():
    assert len(_supported(CONFIGS + EXTRA)) == len(CONFIGS + EXTRA)
    assert len(AGREEMENT) >= 100


@pytest.mark.parametrize("config", AGREEMENT, ids=[_name(c) for c in AGREEMENT])
def test_verdicts_situations_and_shortest_traces_agree(config):
    assert_same_verdicts(config, symmetry=True)


@pytest.mark.parametrize("config", CONFIGS[::3], ids=[_name(c) for c in CONFIGS[::3]])
def test_verdicts_agree_without_symmetry(config):
    assert_same_verdicts(config, symmetry=False)


def test_the_reduction_reduces():
    # Without faults most deliveries qualify; with them, fewer (drops and crashes keep
    # a request's fate open): the figures are in docs/MODEL.md.
    full, reduced = assert_same_verdicts({"n": 3, "w": 2, "r": 2, "clients": ("w", "rr")})
    assert (full, reduced) == (2310, 946)


@settings(max_examples=25, deadline=None)
@given(tiny_configs())
def test_random_tiny_scopes_agree(config):
    assert_same_verdicts(config)


@settings(max_examples=25, deadline=None)
@given(tiny_extension_configs())
def test_random_tiny_extension_scopes_agree(config):
    if refusal(ReplicationModel(Config(**config))) is None:
        assert_same_verdicts(config)


# Small scopes that switch on every option the argument covers, for the obligations
# checked state by state (each a few thousand states at most).
OBLIGATION_SCOPES = [
    {"n": 3, "w": 2, "r": 2, "clients": ("w", "r")},
    {"n": 2, "w": 1, "r": 1, "clients": ("w", "wr"), "drift": 1},
    {"n": 2, "w": 1, "r": 2, "clients": ("w", "r"), "max_drops": 1, "timeouts": True},
    {"n": 2, "w": 1, "r": 1, "clients": ("w", "r"), "anti_entropy": True, "max_drops": 1},
    {"n": 3, "w": 2, "r": 2, "clients": ("w", "r"), "max_crashes": 1},
    {"n": 2, "w": 1, "r": 2, "clients": ("w", "rr"), "read_repair": "blocking"},
    {"n": 2, "w": 1, "r": 2, "clients": ("wr", "w"), "read_repair": "async", "timeouts": True},
    {"n": 2, "w": 1, "r": 1, "clients": ("w", "w", "r"), "resolution": "arrival"},
    {"n": 2, "w": 1, "r": 1, "clients": ("wd", "r")},
    {"n": 2, "w": 1, "r": 2, "clients": ("w", "r"), "max_partitions": 1},
    {
        "n": 3,
        "w": 2,
        "r": 1,
        "clients": ("w", "r"),
        **{"datacenters": (("dc1", 2), ("dc2", 1))},
        "client_dcs": ("dc1", "dc2"),
        "write_level": "LOCAL_QUORUM",
        "read_level": "LOCAL_ONE",
    },
]


def _reachable(model: ReplicationModel):
    start = model.initial_states()[0]
    seen = {start}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        yield state
        for _, nxt in model.successors(state):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)


def same(label, other) -> bool:
    # Labels are named tuples: a Drop(m) equals a delivery of m as a tuple.
    return type(label) is type(other) and label == other


def _spent_one_drop_more(this: tuple, that: tuple) -> bool:
    """`that` is `this` with one more drop spent: everything `that` can do, `this` can."""
    return that[DROPS] == this[DROPS] + 1 and that[:DROPS] + that[DROPS + 1 :] == (
        this[:DROPS] + this[DROPS + 1 :]
    )


@pytest.mark.parametrize("config", OBLIGATION_SCOPES, ids=[_name(c) for c in OBLIGATION_SCOPES])
def test_proof_obligations_hold_on_every_reachable_state(config):
    model = ReplicationModel(Config(**config))
    reduced = ReducedModel(model)
    everything = model.applicable
    in_flight = 1 << PROPERTY_IDS.index("availability")
    checked = 0
    for state in _reachable(model):
        steps = list(model.successors(state))
        for _, nxt in steps:
            assert progress_measure(model.scope, nxt) < progress_measure(model.scope, state)
        for code in reduced.qualifying(state):
            checked += 1
            [(label, after)] = list(reduced._deliver(state, code))
            assert any(same(label, other) and moved == after for other, moved in steps)
            # Never takes a violation or a situation away (quiescent ones only appear),
            # but for availability's situation, an op in flight, which an ack may end:
            # every search is in it after its first step (docs/MODEL.md).
            broken = model.violations(state, everything)
            assert model.violations(after, everything) & broken == broken
            found = model.reached(state, everything) & ~in_flight
            assert model.reached(after, everything) & found == found
            then = {nxt for _, nxt in model.successors(after)}
            for other, moved in steps:
                if same(other, label):
                    continue
                if moved in then or after == moved:
                    continue  # the other step takes the message out too, or is matched
                if any(_spent_one_drop_more(nxt, moved) for nxt in then | {after}):
                    continue  # a drop of the request: the delivery keeps the drop in hand
                # Otherwise they commute: the delivery is still there after the other
                # step, and leads where the other step leads after the delivery.
                assert code in moved[NET], (other, label)
                # And it still qualifies there, so this check, made at every reachable
                # state, covers every state of a path on which it waits.
                assert code in set(reduced.qualifying(moved)), (other, label)
                # (or where the delivery alone leads: an ack that completes its write
                # takes the other step's ack out, and leads there from either state).
                delivered = {nxt for lab, nxt in model.successors(moved) if same(lab, label)}
                assert delivered and delivered <= then | {after}, (other, label)
    assert checked > 0


REFUSED = {
    "--hinted-handoff": HINTED_CONFIGS[0],
    "--resolution siblings": next(c for c in SIBLINGS_CONFIGS if c.get("resolution")),
    "--gc-grace": {"n": 2, "w": 1, "r": 1, "clients": ("wd", "r"), "gc_grace": 0},
}


@pytest.mark.parametrize("option", sorted(REFUSED))
def test_refused_options_are_named(option):
    model = ReplicationModel(Config(**REFUSED[option]))
    with pytest.raises(UnsupportedReduction, match=option):
        ReducedModel(model)


def test_a_property_the_argument_does_not_cover_is_refused():
    model = ReplicationModel(Config(n=2, w=1, r=1, clients=("w", "r")))
    unknown = replace(model.properties[0], id="made-up")
    other = ReplicationModel(model.config, properties=(unknown, *model.properties[1:]))
    with pytest.raises(UnsupportedReduction, match="made-up"):
        ReducedModel(other)


class _Interrupted:
    """A model whose search Ctrl-C stops after a number of expansions."""

    def __init__(self, model: ReplicationModel, expansions: int) -> None:
        self.model = model
        self.left = expansions

    def successors(self, state):
        self.left -= 1
        if self.left == -1:  # once: rebuilding traces afterwards expands states too
            raise KeyboardInterrupt
        return self.model.successors(state)

    def __getattr__(self, name):
        return getattr(self.model, name)


def test_a_trace_not_recovered_says_it_may_not_be_the_shortest():
    model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "rr")))
    found, bounded = explore_with_recovery(ReducedModel(model), _Interrupted(model, 5))
    assert bounded is not None and not bounded.complete
    violated = [v for v in found.verdicts if v.status == "violated"]
    assert violated and all(NOT_SHORTEST in v.reason for v in violated)
    # The reduced search's own traces are kept: real runs of the model, just longer.
    full = explore(model)
    for verdict in violated:
        assert len(verdict.trace) >= len(full.verdict(verdict.property_id).trace)


def _cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _without_counts(text: str) -> list[str]:
    # The counts line is the reduced search's; every other line is the same.
    return [line for line in text.splitlines() if not line.startswith("explored ")]


@pytest.mark.parametrize("command", ["check", "matrix"])
def test_the_command_line_gives_the_same_report_with_the_reduction(capsys, command):
    argv = [command, "--n", "3", "--clients", "w,rr", "--quiet", "--no-times", "--workers", "1"]
    if command == "check":
        argv += ["--w", "2", "--r", "2", "--json"]
    off = _cli(capsys, *argv)
    por = _cli(capsys, *argv, "--reduction", "por")
    assert off[0] == por[0] == 1  # monotonic-reads and linearizable are violated
    if command == "check":
        off_data, por_data = json.loads(off[1]), json.loads(por[1])
        assert por_data["states"] < off_data["states"]
        assert por_data["properties"] == off_data["properties"]
    else:
        assert _without_counts(por[1]) == _without_counts(off[1])


def test_gate_takes_the_reduction(capsys, tmp_path):
    path = tmp_path / "leaderless.toml"
    path.write_text(
        '[[scenario]]\nname = "one"\nn = 3\nw = 1\nr = 1\nclients = "w,r"\n'
        'expect_violated = ["stale-read"]\n'
    )
    code, out, _ = _cli(
        capsys, "gate", str(path), "--quiet", "--workers", "1", "--reduction", "por"
    )
    assert code == 0, out


def test_a_refused_option_is_one_line_and_exit_2(capsys):
    code, out, err = _cli(
        capsys,
        "check",
        "--clients",
        "w,r",
        "--hinted-handoff",
        "sloppy",
        "--stand-ins",
        "1",
        "--reduction",
        "por",
        "--quiet",
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--hinted-handoff" in err


def test_the_reduction_and_its_recovery_run_on_several_workers():
    model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "rr")))
    one, _ = explore_with_recovery(ReducedModel(model), model, workers=1)
    two, _ = explore_with_recovery(ReducedModel(model), model, workers=2, parallel_from=50)
    assert _outcome(two) == _outcome(one) == _outcome(explore(model))
    assert two.states == one.states


def test_each_kind_of_step_offered_alone_is_exercised_by_the_obligations():
    # N: a request its replica already has; R: a read request; W: a request that raises
    # the store; A: an ack. The obligation scopes must put each to the test.
    kinds = set()
    for config in OBLIGATION_SCOPES[:2]:
        model = ReplicationModel(Config(**config))
        reduced = ReducedModel(model)
        for state in _reachable(model):
            for code in reduced.qualifying(state):
                m = model.transitions.table[code]
                if m.kind == RREQ:
                    kinds.add("R")
                elif m.kind == WACK:
                    kinds.add("A")
                else:
                    kinds.add("N" if m.version <= state[STORE][m.replica] else "W")
    assert kinds == {"N", "R", "W", "A"}


def test_after_ctrl_c_no_second_search_runs_and_the_traces_say_so():
    model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "rr")))
    # Interrupted once its violations are found, at the 900th state it expands.
    found, bounded = explore_with_recovery(_Interrupted(ReducedModel(model), 900), model)
    assert bounded is None and found.stopped_by == "interrupted (Ctrl-C)"
    violated = [v for v in found.verdicts if v.status == "violated"]
    assert violated and all(v.reason.endswith("interrupted (Ctrl-C))") for v in violated)


def test_no_time_left_for_the_recovery_names_the_users_limit(monkeypatch):
    class Clock:  # the reduced search seems to take 100 s of the 50 given
        readings = iter([0.0, 100.0])

        @classmethod
        def monotonic(cls):
            return next(cls.readings)

    monkeypatch.setattr(shortest, "time", Clock)
    model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "rr")))
    found, bounded = explore_with_recovery(ReducedModel(model), model, max_seconds=50)
    assert bounded is None and found.complete
    violated = [v for v in found.verdicts if v.status == "violated"]
    assert violated and all(v.reason.endswith("--max-seconds 50 reached)") for v in violated)
