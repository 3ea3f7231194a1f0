"""Non-vacuity: each property's situation is necessary for its violation, and a "holds"
whose situation no explored state reached is reported as vacuous."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from leaderless.checker.cli import main
from leaderless.checker.explorer import HOLDS, NOT_APPLICABLE, VIOLATED, explore
from leaderless.model import CATALOGUE, Config, ReplicationModel
from leaderless.model.state import (
    FAIL,
    H_COMPLETED,
    H_INVOKED,
    H_RESULT,
    H_STATUS,
    HIST,
    NET,
    NIL,
    OK,
    PENDING,
    STORE,
    UP,
)
from support import reachable

# Small configurations in which, together, every property is violated somewhere and
# every situation is reached without a violation somewhere.
CONFIGS = [
    Config(n=2, w=1, r=1, clients=("w", "r"), timeouts=True),
    Config(n=2, w=1, r=1, clients=("wr", "r")),
    Config(n=2, w=1, r=1, clients=("w", "rr")),
    Config(n=2, w=2, r=2, clients=("w", "rr"), timeouts=True),
    Config(n=2, w=1, r=1, clients=("w", "w"), drift=1),
    Config(n=2, w=1, r=1, clients=("w", "w"), resolution="arrival"),
    Config(n=2, w=2, r=1, clients=("w", "r"), max_crashes=1),
    Config(n=2, w=1, r=2, clients=("w", "r"), read_repair="blocking", max_drops=1),
    Config(n=3, w=1, r=1, clients=("w", "r"), anti_entropy=True, max_crashes=1),
    Config(n=2, w=1, r=1, clients=("rw",), read_repair="async", timeouts=True),
    Config(n=2, w=1, r=1, clients=("wr", "rr"), read_repair="async", max_crashes=1),
    Config(n=2, w=1, r=1, clients=("w", "wr"), resolution="arrival", timeouts=True),
    # docs/MODEL.md's extensions: deletes, with and without purging.
    Config(n=2, w=1, r=1, clients=("w", "d", "r")),
    Config(n=2, w=2, r=1, clients=("wd", "r"), gc_grace=0),
]


def test_every_violation_is_in_its_situation_and_each_situation_is_reached_alone():
    violated_somewhere = 0
    reached_alone_somewhere = 0
    for config in CONFIGS:
        model = ReplicationModel(config)
        every = model.applicable
        for state in reachable(model):
            broken = model.violations(state, every)
            inside = model.reached(state, every)
            outside = broken & ~inside
            assert not outside, (
                config.describe(),
                [p.id for i, p in enumerate(CATALOGUE) if outside >> i & 1],
                state,
            )
            violated_somewhere |= broken
            reached_alone_somewhere |= inside & ~broken
            for index in range(len(CATALOGUE)):  # each bit asked alone answers the same
                bit = 1 << index
                assert model.reached(state, bit) == inside & bit
    # The implication is put to the test for every property, and no situation is
    # merely its violation restated.
    everything = (1 << len(CATALOGUE)) - 1
    assert violated_somewhere == everything
    assert reached_alone_somewhere == everything


def _verdicts(config: Config) -> dict[str, tuple[str, bool | None]]:
    result = explore(ReplicationModel(config))
    return {v.property_id: (v.status, v.reached) for v in result.verdicts}


def test_a_read_before_any_write_makes_stale_read_and_linearizable_vacuous():
    found = _verdicts(Config(n=2, w=1, r=1, clients=("rw",)))
    assert found["stale-read"] == (HOLDS, False)
    assert found["linearizable"] == (HOLDS, False)
    assert found["convergence"] == (HOLDS, True)
    assert found["availability"] == (HOLDS, True)
    assert found["monotonic-reads"] == (NOT_APPLICABLE, None)


def test_reads_of_nothing_but_nil_make_monotonic_reads_vacuous():
    found = _verdicts(Config(n=2, w=1, r=1, clients=("rr",)))
    assert found["monotonic-reads"] == (HOLDS, False)


def test_a_holds_that_was_put_to_the_test_is_not_vacuous():
    # MODEL.md's facts: stale-read holds with overlapping quorums, and reads did
    # follow acknowledged writes; monotonic-reads is violated, so reached.
    found = _verdicts(Config(n=3, w=2, r=2, clients=("w", "rr")))
    assert found["stale-read"] == (HOLDS, True)
    assert found["monotonic-reads"] == (VIOLATED, True)
    assert found["lww-order"] == (NOT_APPLICABLE, None)


def test_an_inconclusive_run_may_already_have_reached_a_situation():
    result = explore(ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "rr"))), max_states=40)
    stale = result.verdict("stale-read")
    availability = result.verdict("availability")
    assert not result.complete
    assert (availability.status, availability.reached) == ("inconclusive", True)
    assert (stale.status, stale.reached) == ("inconclusive", False)
    assert not stale.vacuous and not availability.vacuous


@pytest.mark.parametrize("prop", CATALOGUE, ids=lambda p: p.id)
def test_every_situation_is_worded(prop):
    assert prop.situation and prop.situation == prop.situation.strip()
    assert not prop.situation.endswith(".")


VACUOUS_RUN = ("check", "--n", "2", "--w", "1", "--r", "1", "--clients", "rw", "--quiet")


def test_check_marks_a_vacuous_holds_in_its_table_and_names_the_situation(capsys):
    assert main(list(VACUOUS_RUN)) == 0  # vacuous is still holds: check's exit code is 0
    out = capsys.readouterr().out
    assert re.search(r"^stale-read +holds \(vacuous\) ", out, re.M)
    assert re.search(r"^convergence +holds +once quiet", out, re.M)
    assert out.endswith(
        "holds (vacuous): no explored state was in the situation these properties are about:\n"
        "  stale-read: an ok read began after an acknowledged write\n"
        "  linearizable: an ok read returned after a write had begun\n"
    )


def test_check_json_says_per_property_whether_its_situation_was_reached(capsys):
    assert main([*VACUOUS_RUN, "--json"]) == 0
    found = {p["id"]: p for p in json.loads(capsys.readouterr().out)["properties"]}
    assert (found["stale-read"]["reached"], found["convergence"]["reached"]) == (False, True)
    assert found["monotonic-reads"]["reached"] is None  # n/a
    assert found["stale-read"]["situation"] == "an ok read began after an acknowledged write"
    assert all(found[p.id]["situation"] == p.situation for p in CATALOGUE)


VACUOUS_GATE = """
[[scenario]]
name = "read first"
n = 2
w = 1
r = 1
clients = "rw"
require = ["stale-read", "convergence", "quorum-overlap"]
"""


def test_a_required_property_that_holds_vacuously_passes_the_gate_marked_vacuous(capsys, tmp_path):
    gate_file = tmp_path / "leaderless.toml"
    gate_file.write_text(VACUOUS_GATE)
    junit, summary = tmp_path / "gate.xml", tmp_path / "summary.md"
    argv = ["gate", str(gate_file), "--quiet", "--junit", str(junit), "--markdown", str(summary)]
    assert main(argv) == 1  # quorum-overlap is refuted (r + w = n); the rest passes
    out = capsys.readouterr().out
    assert re.search(r"^read first +stale-read +holds +holds \(vacuous\) +pass$", out, re.M)
    assert re.search(r"^read first +convergence +holds +holds +pass$", out, re.M)
    assert (
        "read first: stale-read holds (vacuous)\nno explored state was in its situation: "
        "an ok read began after an acknowledged write\n"
    ) in out

    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    stale = cases["stale-read (expected holds)"]
    assert stale.find("failure") is None and stale.find("error") is None
    assert stale.find("system-out").text == (
        "stale-read: holds (vacuous): no explored state was in its situation: "
        "an ok read began after an acknowledged write"
    )
    assert cases["convergence (expected holds)"].find("system-out") is None

    markdown = summary.read_text()
    assert "| read first | stale-read | holds | holds (vacuous) | ✅ pass |" in markdown
    assert "| read first | convergence | holds | holds | ✅ pass |" in markdown
    assert (
        "\n- read first: stale-read: holds (vacuous): no explored state was in its "
        "situation: an ok read began after an acknowledged write\n"
    ) in markdown

    assert main(["gate", str(gate_file), "--quiet", "--json"]) == 1
    checks = {c["id"]: c for c in json.loads(capsys.readouterr().out)["scenarios"][0]["checks"]}
    assert (checks["stale-read"]["outcome"], checks["stale-read"]["reached"]) == ("pass", False)
    assert checks["stale-read"]["situation"] == "an ok read began after an acknowledged write"
    assert checks["convergence"]["reached"] is True
    assert "reached" not in checks["quorum-overlap"]  # a proof has no situation


def _ok_read_and_failed_write(state) -> bool:
    hist = state[HIST]
    return any(rec[H_STATUS] == OK for rec in hist) and any(rec[H_STATUS] == FAIL for rec in hist)


def _read_after_another_client_s_write_only(state) -> bool:
    write, own_write, read = state[HIST]  # w(0,0), w(1,0), r(1,1)
    return (
        write[H_STATUS] == OK
        and own_write[H_STATUS] == FAIL
        and read[H_STATUS] == OK
        and write[H_COMPLETED] < read[H_INVOKED]
    )


def _one_live_replica_holds_a_write(state) -> bool:
    return state[UP].bit_count() == 1 and not state[NET] and any(v != NIL for v in state[STORE])


def _a_write_finished_before_a_pending_one_began(state) -> bool:
    first, second = state[HIST]
    return (
        first[H_STATUS] == OK
        and second[H_STATUS] == PENDING
        and (first[H_COMPLETED] < second[H_INVOKED])
    )


def _precedes(a: tuple, b: tuple) -> bool:
    return a[H_COMPLETED] != 0 and b[H_INVOKED] != 0 and a[H_COMPLETED] < b[H_INVOKED]


def _read_after_read_no_write(state) -> bool:
    first, second, write = state[HIST]  # r(0,0), r(0,1), w(1,0)
    return first[H_STATUS] == OK and second[H_STATUS] == OK and write[H_STATUS] != OK


def _read_of_a_write_then_another_client_s_read(state) -> bool:
    _, first, second, other = state[HIST]  # w(0,0), r(1,0), r(1,1), r(2,0)
    return (
        first[H_STATUS] == OK
        and first[H_RESULT] != NIL
        and other[H_STATUS] == OK
        and _precedes(first, other)
        and second[H_STATUS] != OK
    )


def _nil_then_a_written_value(state) -> bool:
    _, first, second = state[HIST]  # w(0,0), r(1,0), r(1,1)
    return (
        first[H_STATUS] == OK
        and first[H_RESULT] == NIL
        and second[H_STATUS] == OK
        and second[H_RESULT] != NIL
    )


def _a_read_failed_then_one_returned(state) -> bool:
    *reads, write = state[HIST]  # r(0,0), r(1,0), w(2,0)
    return write[H_STATUS] != FAIL and any(
        failed[H_STATUS] == FAIL and ok[H_STATUS] == OK and failed[H_INVOKED] <= ok[H_COMPLETED]
        for failed in reads
        for ok in reads
    )


def _a_read_finished_before_an_acknowledged_write(state) -> bool:
    read, write, other = state[HIST]  # r(0,0), w(0,1), w(1,0)
    return (
        read[H_STATUS] == OK
        and write[H_STATUS] == OK
        and _precedes(read, write)
        and other[H_STATUS] not in (OK, FAIL)
    )


def _a_write_finished_before_a_read(state) -> bool:
    write, read, later = state[HIST]  # w(0,0), r(1,0), w(1,1)
    return (
        write[H_STATUS] == OK
        and read[H_STATUS] == OK
        and _precedes(write, read)
        and later[H_STATUS] != OK
    )


def _a_write_pending_with_nothing_in_flight(state) -> bool:
    (write,) = state[HIST]
    return (
        write[H_STATUS] == PENDING
        and not state[NET]
        and state[UP] == 0b11
        and any(v != NIL for v in state[STORE])
    )


# (config, property, a state that comes close to the situation without being in it)
NEAR_MISSES = [
    # Two ok reads in a row, no acknowledged write.
    (
        Config(n=1, w=1, r=1, clients=("rr", "w")),
        "stale-read",
        _read_after_read_no_write,
    ),
    # A read of a written value, then another client's read, not the same client's.
    (
        Config(n=1, w=1, r=1, clients=("w", "rr", "r")),
        "monotonic-reads",
        _read_of_a_write_then_another_client_s_read,
    ),
    # The earlier read returned NIL; only the later one a written value.
    (
        Config(n=1, w=1, r=1, clients=("w", "rr")),
        "monotonic-reads",
        _nil_then_a_written_value,
    ),
    # A read failed, not a write.
    (
        Config(n=1, w=1, r=1, clients=("r", "r", "w"), timeouts=True),
        "aborted-read",
        _a_read_failed_then_one_returned,
    ),
    # An ok write began after a read finished, not after a write.
    (
        Config(n=1, w=1, r=1, clients=("rw", "w")),
        "lww-order",
        _a_read_finished_before_an_acknowledged_write,
    ),
    # A read began after a write finished, and no write did.
    (
        Config(n=1, w=1, r=1, clients=("w", "rw")),
        "lww-order",
        _a_write_finished_before_a_read,
    ),
    # A written value on one of two live replicas and nothing in flight, but the write
    # is still pending (its request to the other replica was lost): not quiescent.
    (
        Config(n=2, w=2, r=1, clients=("w",), max_drops=1),
        "convergence",
        _a_write_pending_with_nothing_in_flight,
    ),
    # Client 1's ok read began after client 0's acknowledged write, but its own failed.
    (
        Config(n=2, w=1, r=1, clients=("w", "wr"), timeouts=True),
        "read-your-writes",
        _read_after_another_client_s_write_only,
    ),
    # The read returned before the write that then failed began.
    (
        Config(n=1, w=1, r=1, clients=("rw",), timeouts=True),
        "aborted-read",
        _ok_read_and_failed_write,
    ),
    (
        Config(n=1, w=1, r=1, clients=("rw",), timeouts=True),
        "linearizable",
        _ok_read_and_failed_write,
    ),
    # One write finished before the other began, which is not acknowledged yet.
    (
        Config(n=2, w=2, r=1, clients=("w", "w")),
        "lww-order",
        _a_write_finished_before_a_pending_one_began,
    ),
    # Quiescent with a written value, but only one replica is live.
    (
        Config(n=2, w=1, r=1, clients=("w",), max_crashes=1),
        "convergence",
        _one_live_replica_holds_a_write,
    ),
]


@pytest.mark.parametrize(
    ("config", "prop", "near"), NEAR_MISSES, ids=lambda x: getattr(x, "id", None)
)
def test_a_state_close_to_the_situation_is_not_in_it(config, prop, near):
    model = ReplicationModel(config)
    bit = 1 << [p.id for p in CATALOGUE].index(prop)
    assert model.applicable & bit
    close = [state for state in reachable(model) if near(state)]
    assert close
    assert not any(model.reached(state, bit) for state in close)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.describe())
def test_the_initial_state_is_in_no_situation(config):
    model = ReplicationModel(config)
    assert model.reached(model.initial_states()[0], model.applicable) == 0


def test_a_read_that_returns_in_the_step_after_a_write_began_is_in_linearizable_s_situation():
    # The write's request may reach the replica before the read's: the read may return
    # the write's value, so it is at stake although no invocation came between.
    model = ReplicationModel(Config(n=1, w=1, r=1, clients=("r", "w")))
    bit = 1 << [p.id for p in CATALOGUE].index("linearizable")
    at_the_edge = [
        state
        for state in reachable(model)
        if state[HIST][0][H_STATUS] == OK
        and state[HIST][0][H_COMPLETED] == state[HIST][1][H_INVOKED]
    ]
    assert at_the_edge
    assert all(model.reached(state, bit) == bit for state in at_the_edge)
