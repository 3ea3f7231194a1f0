"""Property predicates on hand-built runs: the cases an explorer's verdict cannot tell
apart, because another path to the same verdict is always as short. `leaderless
search` evaluates the predicates on every state of its runs, so they must be exact."""

import pytest

from leaderless.model import Config, ReplicationModel
from support import reachable, step, view


def test_write_atomicity_ignores_a_crashed_replica_holding_a_failed_write():
    model = ReplicationModel(Config(n=2, w=2, r=1, clients=("w",), timeouts=True, max_crashes=1))
    index = [p.id for p in model.properties].index("write-atomicity")
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0)@1)")
    up_and_failed = step(model, state, "Timeout")
    assert model.violations(up_and_failed, 1 << index) == 1 << index
    assert model.explain(index, up_and_failed).startswith("replica 0 is up and stores")
    crashed_and_failed = step(model, step(model, state, "Crash", replica=0), "Timeout")
    assert model.violations(crashed_and_failed, 1 << index) == 0
    assert model.explain(index, crashed_and_failed) is None


def _availability(model: ReplicationModel) -> int:
    return [p.id for p in model.properties].index("availability")


def test_availability_counts_an_ack_in_flight_from_a_replica_that_crashed_since():
    # MODEL.md: a crash removes the requests to the replica, not what it already sent.
    model = ReplicationModel(Config(n=2, w=2, r=1, clients=("w",), max_crashes=1))
    index = _availability(model)
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0)@1)")
    state = step(model, state, "Crash", replica=0)
    assert view(model, state)["net"] == ["wack(w(0,0), 0)", "wreq(w(0,0), 1, w(0,0)@1)"]
    assert model.violations(state, 1 << index) == 0
    assert model.explain(index, state) is None


def test_a_repairing_read_is_not_kept_alive_by_another_ops_message_to_the_replica():
    model = ReplicationModel(
        Config(n=2, w=1, r=2, clients=("w", "r"), read_repair="blocking", max_drops=1)
    )
    index = _availability(model)
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0)@1)")
    state = step(model, state, "DeliverWriteAck")
    state = step(model, state, "Invoke", client=1)
    for replica in (0, 1):
        state = step(model, state, "DeliverReadRequest", message=f"rreq(r(1,0), {replica})")
    state = step(model, state, "DeliverReadResponse", message="rresp(r(1,0), 0, w(0,0)@1)")
    state = step(model, state, "DeliverReadResponse", message="rresp(r(1,0), 1, NIL)")
    repair = "wreq(r(1,0), 1, w(0,0)@1)"
    assert view(model, state)["ops"]["r(1,0)"]["status"] == "repairing"
    assert model.violations(state, 1 << index) == 0
    lost = step(model, state, "Drop", message=repair)
    # The write's own request to replica 1 is still in flight, but it brings no ack:
    # the write has completed, and the read waits for its repair's ack only.
    assert view(model, lost)["net"] == ["wreq(w(0,0), 1, w(0,0)@1)"]
    assert model.violations(lost, 1 << index) == 1 << index
    assert model.explain(index, lost) == (
        "read r(1,0) awaits the repair ack of replica 1, "
        "but neither its repair nor its ack is in flight"
    )


@pytest.mark.parametrize(
    "config",
    [
        Config(n=2, w=1, r=1, clients=("w", "rr"), anti_entropy=True, max_drops=1),
        Config(n=2, w=2, r=1, clients=("w", "wr"), timeouts=True, max_crashes=1),
        Config(n=2, w=1, r=2, clients=("w", "r"), read_repair="blocking", max_drops=1),
        Config(n=2, w=1, r=1, clients=("w", "w", "r"), resolution="arrival"),
        Config(n=1, w=1, r=1, clients=("w", "w", "r"), drift=1),
        # A write left pending with nothing in flight: quiet network, yet not quiescent.
        Config(n=2, w=2, r=1, clients=("w", "r"), max_drops=2),
    ],
    ids=lambda c: c.describe(),
)
def test_violations_and_explain_agree_on_every_reachable_state(config):
    # The explorer decides with `violations`, a trace's last line and `replay` with
    # `explain`: on every state both must name the same properties, whatever is wanted.
    model = ReplicationModel(config)
    indexes = [i for i in range(len(model.properties)) if model.applicable >> i & 1]
    for state in reachable(model):
        broken = model.violations(state, model.applicable)
        for index in indexes:
            bit = 1 << index
            assert model.violations(state, bit) == broken & bit
            assert (model.explain(index, state) is not None) == bool(broken & bit), (
                model.properties[index].id,
                view(model, state),
            )


def test_aborted_read_s_situation_takes_a_read_that_began_before_the_write_failed():
    # The read returns the write's value while the write is pending; the write fails
    # after: a violation, so "a read began after a failed write" would not be necessary.
    model = ReplicationModel(Config(n=2, w=2, r=1, clients=("w", "r"), timeouts=True))
    index = [p.id for p in model.properties].index("aborted-read")
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0)@1)")
    state = step(model, state, "Invoke", client=1)
    state = step(model, state, "DeliverReadRequest", message="rreq(r(1,0), 0)")
    state = step(model, state, "DeliverReadResponse", message="rresp(r(1,0), 0, w(0,0)@1)")
    assert model.reached(state, 1 << index) == 0  # nothing failed yet
    failed = step(model, state, "Timeout")
    ops = view(model, failed)["ops"]
    assert ops["w(0,0)"]["completed"] >= ops["r(1,0)"]["invoked"]  # the failure is not before
    assert model.violations(failed, 1 << index) == 1 << index
    assert model.reached(failed, 1 << index) == 1 << index
