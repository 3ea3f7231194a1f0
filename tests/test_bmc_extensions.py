"""BMC on docs/MODEL.md's partitions, hinted handoff and no-lost-update, against the explorer.

Three cross-checks, each on small configurations:

- shortest depths: BMC unrolled to the explorer's depth finds each violation at the
  explorer's shortest trace length, none where the explorer says a property holds, and
  traces that replay through the explicit model;
- properties: on every reachable state, each property's Z3 formula is true exactly when
  the explicit predicate reports a violation;
- steps: from every reachable state, the symbolic transition relation reaches exactly
  the explicit successors (so a guard or an update that no shortest trace exercises is
  still compared).
"""

from __future__ import annotations

import dataclasses

import pytest
import z3

from leaderless.checker.cli import main
from leaderless.checker.explorer import HOLDS, NOT_APPLICABLE, VIOLATED, explore
from leaderless.checker.trace import normalize, replay, trace_data
from leaderless.model import CATALOGUE, Config, ReplicationModel
from leaderless.model.state import (
    CRASHES,
    DROPS,
    HINTS,
    HIST,
    LIVE,
    NET,
    NOW,
    RREQ,
    RRESP,
    STORE,
    UP,
    WACK,
    WREQ,
)
from leaderless.proofs import bmc as bmc_module
from leaderless.proofs.kinduction import PROVED, prove
from leaderless.proofs.symbolic import Encoding, SymState
from tests.support import reachable

PARTITIONS = [
    Config(n=2, w=1, r=1, clients=("w", "r"), max_partitions=1),
    Config(
        n=2, w=1, r=1, clients=("w", "r"), max_partitions=1, anti_entropy=True, read_repair="async"
    ),
    Config(n=2, w=1, r=1, clients=("w", "r"), max_partitions=2, max_crashes=1),
    Config(n=2, w=1, r=1, clients=("w", "w"), max_partitions=1, resolution="arrival"),
]
HINTED = [
    Config(n=2, w=1, r=1, clients=("w", "r"), hinted_handoff="sloppy", stand_ins=1),
    Config(n=2, w=1, r=1, clients=("w", "r"), hinted_handoff="strict", stand_ins=1),
    Config(n=1, w=1, r=1, clients=("w",), hinted_handoff="sloppy", stand_ins=1, max_crashes=1),
    Config(n=2, w=1, r=1, clients=("w", "w"), hinted_handoff="sloppy", stand_ins=2, max_drops=1),
]
LOST_UPDATES = [
    Config(n=2, w=1, r=1, clients=("w", "w")),
    Config(n=2, w=1, r=1, clients=("w", "w"), resolution="arrival"),
    # A client's next write supersedes what it read: these hold only with contexts.
    Config(n=1, w=1, r=1, clients=("wrw",)),
    Config(n=1, w=1, r=1, clients=("wrw",), resolution="arrival"),
    Config(n=1, w=1, r=1, clients=("drw",)),
    Config(n=2, w=1, r=1, clients=("wr", "w"), resolution="arrival"),
]
# docs/MODEL.md, hinted handoff across a partition: stand-ins take sides, and a write's
# request waits for the cut to heal.
ACROSS = [
    Config(
        n=2, w=1, r=1, clients=("w", "r"), max_partitions=1, hinted_handoff="sloppy", stand_ins=1
    ),
    Config(
        n=2, w=1, r=1, clients=("w", "r"), max_partitions=1, hinted_handoff="strict", stand_ins=1
    ),
]
# docs/MODEL.md, siblings: a version is a sibling set, a write carries its context.
SIBLINGS = [
    Config(n=2, w=1, r=1, clients=("w", "w"), resolution="siblings"),
    Config(n=2, w=1, r=1, clients=("w", "w"), resolution="siblings", max_drops=1),
    Config(
        n=2, w=1, r=1, clients=("w", "w"), resolution="siblings", max_drops=1, anti_entropy=True
    ),
    Config(n=1, w=1, r=1, clients=("wrw", "w"), resolution="siblings"),
    Config(n=2, w=1, r=1, clients=("w", "rr"), resolution="siblings", timeouts=True),
]
SUITE = PARTITIONS + HINTED + ACROSS + LOST_UPDATES + SIBLINGS


def _agree(model: ReplicationModel, properties: list[str] | None = None) -> bmc_module.BmcResult:
    exploration = explore(model, symmetry=False)
    result = bmc_module.bmc(model, exploration.depth, properties)
    compared = 0
    for verdict in exploration.verdicts:
        if properties is not None and verdict.property_id not in properties:
            continue
        found = result.verdict(verdict.property_id)
        if verdict.property_id == "linearizable" and verdict.status != NOT_APPLICABLE:
            assert found.status == bmc_module.NOT_ENCODED_STATUS
            continue
        compared += 1
        if verdict.status == VIOLATED:
            assert verdict.trace is not None
            assert (found.status, found.depth) == (bmc_module.VIOLATED, len(verdict.trace)), (
                verdict.property_id
            )
            assert found.trace is not None and found.depth is not None
            states, reason = replay(model, normalize(trace_data(model, found.trace)))
            assert (len(states), reason) == (found.depth + 1, found.reason)
        elif verdict.status == HOLDS:
            assert found.status == bmc_module.NONE_WITHIN, verdict.property_id
        else:
            assert found.status == bmc_module.NOT_APPLICABLE, verdict.property_id
    assert compared
    return result


@pytest.mark.parametrize("config", SUITE, ids=lambda c: c.describe())
def test_bmc_finds_the_explorers_shortest_violations(config: Config) -> None:
    _agree(ReplicationModel(config))


def test_the_dynamo_point_sloppy_breaks_the_overlap_and_strict_keeps_it() -> None:
    # docs/MODEL.md's fact, and what `prove topology` proves of a sloppy quorum.
    sloppy = Config(n=3, w=2, r=2, clients=("w", "r"), hinted_handoff="sloppy", stand_ins=1)
    found = _agree(ReplicationModel(sloppy), ["stale-read"]).verdict("stale-read")
    assert (found.status, found.depth) == (bmc_module.VIOLATED, 10)
    strict = ReplicationModel(dataclasses.replace(sloppy, hinted_handoff="strict"))
    assert explore(strict, symmetry=False).verdict("stale-read").status == HOLDS
    proof = prove(strict, "stale-read", max_k=1)
    assert (proof.outcome, proof.k) == (PROVED, 1)


def test_overlapping_quorums_stay_overlapping_across_a_partition() -> None:
    # docs/MODEL.md: stale-read holds with partitions; k-induction proves it for every depth.
    config = Config(n=3, w=2, r=2, clients=("w", "w", "r"), max_partitions=1)
    model = ReplicationModel(config)
    proof = prove(model, "stale-read", max_k=1)
    assert (proof.outcome, proof.k) == (PROVED, 1)
    small = Config(n=3, w=2, r=2, clients=("w", "r"), max_partitions=1)
    exploration = explore(ReplicationModel(small), symmetry=False)
    assert exploration.verdict("stale-read").status == HOLDS


# The step and property checks read every reachable state: a few hundred states each.
STEPS = [
    Config(
        n=1, w=1, r=1, clients=("w", "r"), max_partitions=1, read_repair="blocking", timeouts=True
    ),
    Config(n=1, w=1, r=1, clients=("w", "r"), max_partitions=1, max_drops=1),
    Config(n=2, w=1, r=1, clients=("w",), max_partitions=2, anti_entropy=True),
    Config(n=2, w=1, r=1, clients=("w",), hinted_handoff="sloppy", stand_ins=2, max_crashes=1),
    Config(n=2, w=2, r=1, clients=("w",), hinted_handoff="strict", stand_ins=2),
    Config(n=1, w=1, r=1, clients=("w", "w"), hinted_handoff="sloppy", stand_ins=1, max_crashes=1),
    Config(n=2, w=2, r=1, clients=("w",), max_partitions=1, hinted_handoff="sloppy", stand_ins=1),
    Config(n=2, w=1, r=1, clients=("w",), max_partitions=1, hinted_handoff="strict", stand_ins=1),
    Config(n=1, w=1, r=1, clients=("wr", "w"), resolution="arrival"),
    Config(n=1, w=1, r=1, clients=("rw", "w")),
    Config(n=1, w=1, r=1, clients=("wr", "w"), resolution="siblings"),
    Config(n=2, w=1, r=1, clients=("w", "w"), resolution="siblings", anti_entropy=True),
    Config(n=1, w=1, r=1, clients=("w", "r"), resolution="siblings", max_partitions=1),
    Config(
        n=1,
        w=1,
        r=1,
        clients=("w", "w"),
        resolution="siblings",
        hinted_handoff="sloppy",
        stand_ins=1,
    ),
]
EVERY_STATE = [
    *STEPS,
    Config(n=2, w=1, r=1, clients=("w", "r"), hinted_handoff="sloppy", stand_ins=1),
    Config(n=2, w=1, r=1, clients=("w", "r"), hinted_handoff="strict", stand_ins=1),
    Config(
        n=1, w=1, r=1, clients=("w", "r"), max_partitions=1, hinted_handoff="sloppy", stand_ins=1
    ),
    *LOST_UPDATES[:5],
    Config(n=2, w=1, r=1, clients=("w", "r"), resolution="siblings"),
    Config(n=1, w=1, r=1, clients=("w", "rr"), resolution="siblings", timeouts=True),
    Config(n=2, w=1, r=1, clients=("w", "rr"), resolution="siblings"),
]


# The explicit state as values of the symbolic variables (the inverse of Encoding.decode;
# a variable the state leaves open, such as the version of a response not in flight, is 0).
def _values(encoding: Encoding, state: tuple) -> dict:
    scope = encoding.scope
    values: dict = {
        key: (key[0] == "up" and bool(state[UP] >> key[1] & 1)) if sort == "bool" else 0
        for key, sort in encoding.keys
    }
    for i, version in enumerate(state[STORE]):
        values["store", i] = version
    if encoding.partitions:
        cut = scope.cut(state[UP])
        for x in range(encoding.participants):
            values["side", x] = bool(cut >> x & 1)
        values["partitions",] = scope.partitions_spent(state[UP])
    values["now",], values["drops",], values["crashes",] = state[NOW], state[DROPS], state[CRASHES]
    names = {WREQ: "wreq", WACK: "wack", RREQ: "rreq", RRESP: "rresp"}
    for code in state[NET]:
        m = scope.decode_message(code)
        values[names[m.kind], m.op, m.replica] = True
        if m.kind == RRESP:
            values["rrespv", m.op, m.replica] = m.version
        elif m.kind == WREQ and m.op in encoding.reads:
            values["rv", m.op] = m.version
    for o, (status, invoked, completed, version, result) in enumerate(state[HIST]):
        values["status", o], values["invoked", o], values["completed", o] = (
            status,
            invoked,
            completed,
        )
        if o in encoding.writes:
            values["version", o] = version
        else:
            values["result", o] = result
    for o, (acks, responses, awaiting) in enumerate(state[LIVE]):
        for x in range(encoding.nodes):
            if acks >> x & 1:
                values["acks", o, x] = True
            if awaiting >> x & 1:
                values["awaiting", o, x] = True
        for i, version in responses:
            values["has", o, i], values["resp", o, i] = True, version
    if encoding.stand_ins:
        for h, held in enumerate(state[HINTS]):
            for i, version in held:
                values["hint", h, (version - 1) % scope.op_count, i] = True
    assert set(values) == encoding.key_set
    return values


def _fix(encoding: Encoding, s: SymState, state: tuple) -> list[z3.BoolRef]:
    """Equations that set the variables of `s` to `state`."""
    return [s[key] == value for key, value in _values(encoding, state).items()]


@pytest.mark.parametrize("config", EVERY_STATE, ids=lambda c: c.describe())
def test_each_property_formula_is_the_explicit_predicate_on_every_reachable_state(
    config: Config,
) -> None:
    model = ReplicationModel(config)
    encoding = Encoding(config)
    s = encoding.state("s")
    ids = [p.id for p in CATALOGUE]
    formulas = {p: encoding.bad[p](s) for p in encoding.bad if model.applicable >> ids.index(p) & 1}
    assert "no-lost-update" in formulas
    solver = z3.Solver()
    for state in reachable(model):
        solver.push()
        solver.add(*_fix(encoding, s, state))
        assert solver.check() == z3.sat
        found = solver.model()
        solver.pop()
        assert encoding.decode(found, s) == state  # _values is decode's inverse
        for p, formula in formulas.items():
            value = found.eval(formula, model_completion=True)
            explicit = model.explain(ids.index(p), state) is not None
            assert z3.is_true(value) == explicit, (p, state)


@pytest.mark.parametrize("config", STEPS, ids=lambda c: c.describe())
def test_the_symbolic_steps_are_the_explicit_steps_from_every_reachable_state(
    config: Config,
) -> None:
    model = ReplicationModel(config)
    encoding = Encoding(config)
    s, t = encoding.state("s"), encoding.state("t")
    solver = z3.Solver()
    solver.add(encoding.transition(s, t))
    for state in reachable(model):
        explicit = {nxt for _, nxt in model.successors(state)}
        symbolic = set()
        solver.push()
        solver.add(*_fix(encoding, s, state))
        while solver.check() == z3.sat:
            found = solver.model()
            symbolic.add(encoding.decode(found, t))
            solver.add(t.act != found.eval(t.act))
        solver.pop()
        assert symbolic == explicit, state


@pytest.mark.parametrize(
    "argv,heading",
    [
        (["--partitions", "1", "--depth", "2", "--require", "availability"], "availability (2"),
        (
            ["--hinted-handoff", "sloppy", "--stand-ins", "1", "--depth", "10"],
            "stale-read (10",
        ),
        (
            ["--n", "2", "--w", "1", "--clients", "w,w", "--depth", "7"],
            "no-lost-update (7",
        ),
    ],
)
def test_bmc_checks_partitions_hints_and_lost_updates(capsys, argv, heading) -> None:
    assert main(["bmc", "--clients", "w,r", "--quiet", *argv]) == 1
    assert f"Counterexample to {heading} steps)" in capsys.readouterr().out


def test_bmc_checks_siblings(capsys) -> None:
    # docs/MODEL.md's facts: a dropped request leaves one replica without a write (6
    # steps); siblings keep every acknowledged write.
    argv = ["bmc", "--clients", "w,w", "--resolution", "siblings", "--drops", "1", "--quiet"]
    assert main([*argv, "--depth", "6", "--require", "convergence"]) == 1
    assert "Counterexample to convergence (6 steps)" in capsys.readouterr().out
    found = bmc_module.bmc(
        ReplicationModel(Config(n=2, w=1, r=1, clients=("w", "w"), resolution="siblings")),
        8,
        ["no-lost-update"],
    )
    assert found.verdict("no-lost-update").status == bmc_module.NONE_WITHIN


def test_bmc_still_refuses_purging_in_one_line(capsys) -> None:
    assert main(["bmc", "--clients", "wd,r", "--gc-grace", "0", "--depth", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--gc-grace" in err
