"""BMC and k-induction against the explicit explorer: two engines, one semantics.

On each small configuration the explorer gives every property a verdict and a
shortest trace; BMC, unrolled to the explorer's depth, must find a violation of
exactly that length, none where the explorer says the property holds, and traces
that replay through the explicit model (`leaderless.checker.trace.replay`, by views).
k-induction must never prove a property the explorer finds violated.
"""

from __future__ import annotations

import argparse
import json

import pytest

from leaderless.checker.commands import bmc as bmc_command
from leaderless.checker.explorer import HOLDS, NOT_APPLICABLE, VIOLATED, explore
from leaderless.checker.trace import normalize, replay, trace_data
from leaderless.model import Config, ReplicationModel
from leaderless.proofs import bmc as bmc_module
from leaderless.proofs import kinduction
from leaderless.proofs.kinduction import NOT_INDUCTIVE, PROVED, REFUTED, Prover, prove

SUITE = [
    Config(n=3, w=1, r=1, clients=("w", "r")),
    Config(n=2, w=1, r=1, clients=("w", "w"), resolution="arrival"),
    Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True),
    Config(n=2, w=2, r=1, clients=("w", "r"), read_repair="blocking", max_drops=1),
    Config(n=2, w=1, r=2, clients=("w", "r"), read_repair="async", anti_entropy=True),
    Config(n=2, w=1, r=1, clients=("ww", "r"), drift=1),
    Config(n=2, w=1, r=2, clients=("w", "r"), resolution="arrival", timeouts=True),
    Config(n=2, w=1, r=1, clients=("w", "r"), max_crashes=1),
    # docs/MODEL.md's extensions: deletes, and consistency levels over datacenters.
    Config(n=2, w=1, r=1, clients=("wd", "r")),
    Config(
        n=3,
        clients=("w", "r"),
        datacenters=(("dc1", 2), ("dc2", 1)),
        client_dcs=("dc1", "dc2"),
        write_level="LOCAL_QUORUM",
        read_level="LOCAL_ONE",
    ),
    Config(
        n=2,
        clients=("w", "r"),
        datacenters=(("dc1", 1), ("dc2", 1)),
        client_dcs=("dc1", "dc2"),
        write_level="EACH_QUORUM",
        read_level="LOCAL_ONE",
        max_crashes=1,
    ),
]


@pytest.fixture(scope="module", params=SUITE, ids=lambda c: c.describe())
def engines(request: pytest.FixtureRequest) -> tuple:
    model = ReplicationModel(request.param)
    exploration = explore(model, symmetry=False)
    return model, exploration, bmc_module.bmc(model, exploration.depth)


def test_bmc_agrees_with_the_explorer(engines: tuple) -> None:
    _, exploration, result = engines
    for verdict in exploration.verdicts:
        found = result.verdict(verdict.property_id)
        if verdict.property_id == "linearizable" and verdict.status != NOT_APPLICABLE:
            assert found.status == bmc_module.NOT_ENCODED_STATUS
        elif verdict.status == VIOLATED:
            assert verdict.trace is not None
            assert (found.status, found.depth) == (bmc_module.VIOLATED, len(verdict.trace)), (
                verdict.property_id
            )
        elif verdict.status == HOLDS:
            assert found.status == bmc_module.NONE_WITHIN, verdict.property_id
        else:
            assert found.status == bmc_module.NOT_APPLICABLE, verdict.property_id


def test_every_bmc_trace_replays(engines: tuple) -> None:
    model, _, result = engines
    for found in result.verdicts:
        if found.trace is not None:
            data = normalize(trace_data(model, found.trace))
            states, reason = replay(model, data)
            assert len(states) == found.depth + 1
            assert reason == found.reason


def test_k_induction_never_proves_a_violated_property(engines: tuple) -> None:
    model, exploration, _ = engines
    prover = Prover(model)
    for verdict in exploration.verdicts:
        if verdict.status in (HOLDS, VIOLATED) and verdict.property_id != "linearizable":
            outcome = prove(model, verdict.property_id, max_k=1, prover=prover).outcome
            assert outcome != PROVED or verdict.status == HOLDS, verdict.property_id


def test_model_md_fact_monotonic_reads_at_twelve_steps() -> None:
    model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "rr")))
    found = bmc_module.bmc(model, 12, ["monotonic-reads"]).verdict("monotonic-reads")
    assert (found.status, found.depth) == (bmc_module.VIOLATED, 12)


def test_quorum_overlap_proves_stale_read_and_lww_order_for_every_depth() -> None:
    model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "w", "r")))
    prover = Prover(model)
    for prop in ("stale-read", "lww-order", "convergence", "availability"):
        proof = prove(model, prop, prover=prover)
        assert (proof.outcome, proof.k) == (PROVED, 1), prop
        names = [ob.name for ob in proof.result.obligations]  # type: ignore[union-attr]
        assert f"step1/DeliverReadResponse/{prop}" in names
        assert "DeliverWriteAck/write-quorum" in names
        assert all(
            ob.z3_result == "unsat"
            for ob in proof.result.obligations  # type: ignore
            if not ob.name.startswith("init/")
        )


def test_no_overlap_leaves_a_counterexample_to_induction() -> None:
    model = ReplicationModel(Config(n=3, w=1, r=1, clients=("w", "r")))
    proof = prove(model, "stale-read", max_k=1)
    assert proof.outcome == NOT_INDUCTIVE
    assert proof.cti is not None and proof.cti["last_action"] == "DeliverReadResponse"
    assert ("reads-see-writes", "DeliverReadResponse") in proof.dropped


def test_base_case_refutes_with_a_replayable_trace() -> None:
    model = ReplicationModel(Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True))
    proof = prove(model, "write-atomicity", max_k=4)
    assert proof.outcome == REFUTED and proof.trace is not None and len(proof.trace) == 3
    replay(model, normalize(trace_data(model, proof.trace)))


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    bmc_command.add_arguments(parser)
    return bmc_command.run(parser.parse_args(argv))


def test_cli_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    small = ["--n", "3", "--w", "1", "--r", "1", "--clients", "w,r"]
    assert _run(small + ["--depth", "6"]) == 1
    assert "Counterexample to stale-read (6 steps)" in capsys.readouterr().out
    assert _run(small + ["--depth", "4"]) == 3
    assert "linearizable: not encoded" in capsys.readouterr().out
    overlap = [
        "--n",
        "3",
        "--w",
        "2",
        "--r",
        "2",
        "--clients",
        "w,w,r",
        "--depth",
        "3",
        "--k-induction",
        "--no-times",
        "--quiet",
    ]
    encoded = ["--require", "stale-read,lww-order,convergence,availability"]
    assert _run(overlap + encoded + ["--json"]) == 0
    properties = json.loads(capsys.readouterr().out)["properties"]
    assert {p["k_induction"]["verdict"] for p in properties} == {"proved"}


def test_a_required_property_not_encoded_is_inconclusive(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Every encoded property is proved, but linearizable (required by default) was never
    # checked: exit 0 would claim it holds.
    overlap = [
        "--n",
        "3",
        "--w",
        "2",
        "--r",
        "2",
        "--clients",
        "w,w,r",
        "--depth",
        "3",
        "--k-induction",
        "--no-times",
        "--quiet",
    ]
    assert _run(overlap) == 3
    out = capsys.readouterr().out
    assert out.count("proved (k=1)") == 4
    assert "linearizable: required but not encoded in Z3, so this run cannot exit 0" in out
    assert _run(overlap + ["--require", "linearizable"]) == 3


def test_properties_that_cannot_apply_or_name_nothing_are_bad_input() -> None:
    from leaderless.checker.cli import UsageError

    with pytest.raises(UsageError, match="--require: aborted-read does not apply"):
        _run(["--clients", "w,r", "--depth", "2", "--require", "aborted-read"])
    with pytest.raises(UsageError, match="--require: names no property"):
        _run(["--clients", "w,r", "--depth", "2", "--require", ","])


def test_cli_rejects_a_negative_depth() -> None:
    from leaderless.checker.cli import UsageError

    with pytest.raises(UsageError, match="--depth"):
        _run(["--depth", "-1"])


def _ctrl_c_on_solver_call(monkeypatch: pytest.MonkeyPatch, call: int) -> list[int]:
    """Make the `call`-th solver check of the BMC unrolling raise KeyboardInterrupt."""
    real, calls = bmc_module.interruptible_check, []

    def check(solver, timed=True):
        calls.append(1)
        if len(calls) == call:
            raise KeyboardInterrupt
        return real(solver, timed)

    monkeypatch.setattr(bmc_module, "interruptible_check", check)
    return calls


@pytest.mark.parametrize(
    "config,prop,max_k",
    [
        # violated at depth 2; without a base case the step proves it at k = 3
        (Config(n=1, w=1, r=1, clients=("w",), max_crashes=1), "availability", 4),
        # violated at depth 6; without a base case the step proves it at k = 7
        (Config(n=1, w=1, r=1, clients=("w", "r"), timeouts=True), "aborted-read", 8),
    ],
)
def test_a_base_case_cut_short_by_ctrl_c_is_never_a_proof(monkeypatch, config, prop, max_k):
    model = ReplicationModel(config)
    _ctrl_c_on_solver_call(monkeypatch, 2)  # depth 0 answered, Ctrl-C during depth 1
    proof = prove(model, prop, max_k=max_k)
    assert (proof.outcome, proof.interrupted) == (bmc_module.UNKNOWN, True)
    assert proof.result is not None and "interrupted (Ctrl-C)" in proof.result.reason  # type: ignore
    base = [ob for ob in proof.result.obligations if ob.name.startswith("base")]
    assert [(ob.z3_result, ob.reason) for ob in base] == [
        ("unknown", "interrupted (Ctrl-C): no violation in runs of at most 0 steps")
    ]
    monkeypatch.undo()
    assert prove(model, prop, max_k=max_k).outcome == REFUTED


def test_bmc_interrupted_at_a_depth_reports_it() -> None:
    model = ReplicationModel(Config(n=2, w=1, r=1, clients=("w", "r")))

    def ctrl_c_at_depth_3(depth: int, open_properties: int, seconds: float) -> None:
        if depth == 3:
            raise KeyboardInterrupt

    result = bmc_module.bmc(model, 5, progress=ctrl_c_at_depth_3)
    assert (result.bound, result.interrupted) == (2, True)
    assert not bmc_module.bmc(model, 2).interrupted


def test_no_k_induction_after_an_interrupted_bmc(monkeypatch, capsys) -> None:
    attempted: list[str] = []
    monkeypatch.setattr(bmc_command, "prove", lambda model, prop, *args: attempted.append(prop))
    _ctrl_c_on_solver_call(monkeypatch, 3)
    argv = [
        "--n",
        "3",
        "--w",
        "2",
        "--r",
        "2",
        "--clients",
        "w,w,r",
        "--depth",
        "3",
        "--k-induction",
        "--quiet",
        "--require",
        "stale-read,convergence",
    ]
    assert _run(argv) == 3
    assert attempted == []
    assert "k-induction not attempted" in capsys.readouterr().err


def test_ctrl_c_during_k_induction_stops_every_attempt(monkeypatch, capsys) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(kinduction, "check", interrupted)
    argv = [
        "--n",
        "3",
        "--w",
        "2",
        "--r",
        "2",
        "--clients",
        "w,w,r",
        "--depth",
        "1",
        "--k-induction",
        "--quiet",
        "--no-times",
        "--require",
        "stale-read,convergence",
    ]
    assert _run(argv) == 3
    captured = capsys.readouterr()
    assert (
        "bmc: interrupted (Ctrl-C) during k-induction of stale-read; not attempted: "
        "convergence" in captured.err
    )
    assert "stale-read: unknown: interrupted (Ctrl-C)" in captured.out


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--depth", "-1"], "--depth: -1 is out of range; allowed 0..1000"),
        (["--depth", "99999999999999999999"], "--depth: 99999999999999999999 is out of range"),
        (["--depth", "nan"], "argument --depth: invalid int value: 'nan'"),
        (["--depth", "2", "--max-k", "0"], "--max-k: 0 is out of range; allowed 1..1000"),
        (["--depth", "2", "--max-k", "10000"], "--max-k: 10000 is out of range"),
        (["--depth", "2", "--timeout-ms", "-5"], "argument --timeout-ms: -5 is out of range"),
        (["--depth", "2", "--timeout-ms", "nan"], "argument --timeout-ms: 'nan' is not a whole"),
        (["--depth", "2", "--timeout-ms", str(2**32)], "allowed 1..4294967295"),
        (["--depth", "2", "--drift", "99999999999999999999"], "the largest is 1000"),
    ],
)
def test_nonsense_options_are_one_line_errors(capsys, argv, message) -> None:
    from leaderless.checker.cli import main

    assert main(["bmc", "--quiet", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert message in captured.err


def test_interrupted_before_depth_0_nothing_is_claimed() -> None:
    def ctrl_c_at_once(depth: int, open_properties: int, seconds: float) -> None:
        raise KeyboardInterrupt

    result = bmc_module.bmc(
        ReplicationModel(Config(clients=("w", "r"))), 3, progress=ctrl_c_at_once
    )
    assert (result.bound, result.interrupted) == (-1, True)
    assert {v.status for v in result.verdicts} <= {
        bmc_module.UNKNOWN,
        bmc_module.NOT_APPLICABLE,
        bmc_module.NOT_ENCODED_STATUS,
    }


def test_k_induction_needs_k_of_at_least_1() -> None:
    from leaderless.proofs.result import InvalidInput

    with pytest.raises(InvalidInput, match="max_k = 0"):
        prove(ReplicationModel(Config(clients=("w", "r"))), "stale-read", max_k=0)
