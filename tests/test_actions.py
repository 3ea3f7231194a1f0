"""One test per action of MODEL.md: its guard and its update, read through state views."""

from leaderless.model import Config, ReplicationModel
from leaderless.model.state import CRASHES, DROPS, NET, UP
from support import enabled, step, view


def model_of(**kwargs) -> ReplicationModel:
    return ReplicationModel(Config(**kwargs))


def test_invoke_write_picks_each_timestamp_within_drift_and_sends_to_live_replicas():
    model = model_of(n=2, w=1, r=1, clients=("w",), drift=1)
    init = model.initial_states()[0]
    assert [a["ts"] for a in enabled(model, init, "Invoke")] == [0, 1, 2]
    after = view(model, step(model, init, "Invoke", client=0, ts=2))
    assert after["now"] == 1
    assert after["ops"]["w(0,0)"]["status"] == "pending"
    assert after["ops"]["w(0,0)"]["invoked"] == 1
    assert after["ops"]["w(0,0)"]["ts"] == 2
    assert after["net"] == ["wreq(w(0,0), 0, w(0,0)@2)", "wreq(w(0,0), 1, w(0,0)@2)"]


def test_invoke_waits_while_busy_and_runs_scripts_in_order():
    model = model_of(n=1, w=1, r=1, clients=("wr",))
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    assert enabled(model, state, "Invoke") == []  # busy with w(0,0)
    state = step(model, state, "DeliverWriteRequest")
    state = step(model, state, "DeliverWriteAck")
    state = step(model, state, "Invoke", client=0)
    assert view(model, state)["ops"]["r(0,1)"]["status"] == "pending"
    assert view(model, state)["net"] == ["rreq(r(0,1), 0)"]


def test_deliver_write_request_keeps_the_larger_version_under_lww():
    model = model_of(n=1, w=1, r=1, clients=("w", "w"), drift=1)
    state = model.initial_states()[0]
    state = step(model, state, "Invoke", client=0, ts=2)
    state = step(model, state, "Invoke", client=1, ts=1)
    newer_first = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0)@2)")
    both = step(model, newer_first, "DeliverWriteRequest", message="wreq(w(1,0), 0, w(1,0)@1)")
    assert view(model, both)["store"] == {"0": "w(0,0)@2"}
    # A pending write's request is acked even when its version loses.
    assert "wack(w(1,0), 0)" in view(model, both)["net"]


def test_deliver_write_request_overwrites_under_arrival():
    model = model_of(n=1, w=1, r=1, clients=("w", "w"), resolution="arrival")
    state = model.initial_states()[0]
    state = step(model, state, "Invoke", client=0)
    state = step(model, state, "Invoke", client=1)
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(1,0), 0, w(1,0))")
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0))")
    assert view(model, state)["store"] == {"0": "w(0,0)"}


def test_deliver_write_ack_completes_at_w_and_removes_other_acks():
    model = model_of(n=3, w=2, r=1, clients=("w",))
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    for replica in range(3):
        state = step(
            model, state, "DeliverWriteRequest", message=f"wreq(w(0,0), {replica}, w(0,0)@1)"
        )
    state = step(model, state, "DeliverWriteAck", message="wack(w(0,0), 2)")
    assert view(model, state)["ops"]["w(0,0)"]["acks"] == [2]
    state = step(model, state, "DeliverWriteAck", message="wack(w(0,0), 0)")
    after = view(model, state)
    assert after["ops"]["w(0,0)"]["status"] == "ok"
    assert after["ops"]["w(0,0)"]["completed"] == 1
    assert after["ops"]["w(0,0)"]["acks"] == []
    assert after["net"] == []  # wack(w(0,0), 1) left with the completion


def test_deliver_read_request_answers_with_the_stored_version():
    model = model_of(n=2, w=1, r=2, clients=("w", "r"))
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 1, w(0,0)@1)")
    state = step(model, state, "Invoke", client=1)
    state = step(model, state, "DeliverReadRequest", message="rreq(r(1,0), 1)")
    assert "rresp(r(1,0), 1, w(0,0)@1)" in view(model, state)["net"]
    assert "rreq(r(1,0), 1)" not in view(model, state)["net"]


def _read_with_responses(model):
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0)@1)")
    state = step(model, state, "Invoke", client=1)
    state = step(model, state, "DeliverReadRequest", message="rreq(r(1,0), 0)")
    state = step(model, state, "DeliverReadRequest", message="rreq(r(1,0), 1)")
    state = step(model, state, "DeliverReadResponse", message="rresp(r(1,0), 1, NIL)")
    return step(model, state, "DeliverReadResponse", message="rresp(r(1,0), 0, w(0,0)@1)")


def test_deliver_read_response_decides_with_the_largest_version():
    model = model_of(n=3, w=1, r=2, clients=("w", "r"))
    after = view(model, _read_with_responses(model))
    read = after["ops"]["r(1,0)"]
    assert (read["status"], read["result"], read["responses"]) == ("ok", "w(0,0)@1", [])
    assert not any("r(1,0)" in m for m in after["net"])  # rreq to replica 2 left


def test_async_read_repair_sends_the_result_to_stale_responders():
    model = model_of(n=3, w=1, r=2, clients=("w", "r"), read_repair="async")
    after = view(model, _read_with_responses(model))
    assert after["ops"]["r(1,0)"]["status"] == "ok"
    assert "wreq(r(1,0), 1, w(0,0)@1)" in after["net"]


def test_blocking_read_repair_waits_for_the_repair_acks():
    model = model_of(n=3, w=1, r=2, clients=("w", "r"), read_repair="blocking")
    state = _read_with_responses(model)
    read = view(model, state)["ops"]["r(1,0)"]
    assert (read["status"], read["result"], read["awaiting"]) == ("repairing", "w(0,0)@1", [1])
    state = step(model, state, "DeliverWriteRequest", message="wreq(r(1,0), 1, w(0,0)@1)")
    state = step(model, state, "DeliverWriteAck", message="wack(r(1,0), 1)")
    read = view(model, state)["ops"]["r(1,0)"]
    assert (read["status"], read["completed"], read["awaiting"]) == ("ok", 2, [])


def test_arrival_read_may_return_any_version_it_received():
    model = model_of(n=2, w=1, r=2, clients=("w", "r"), resolution="arrival")
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0))")
    state = step(model, state, "Invoke", client=1)
    state = step(model, state, "DeliverReadRequest", message="rreq(r(1,0), 0)")
    state = step(model, state, "DeliverReadRequest", message="rreq(r(1,0), 1)")
    state = step(model, state, "DeliverReadResponse", message="rresp(r(1,0), 0, w(0,0))")
    choices = enabled(model, state, "DeliverReadResponse")
    assert sorted(c["result"] for c in choices) == ["NIL", "w(0,0)"]


def test_drop_spends_the_budget():
    model = model_of(n=1, w=1, r=1, clients=("w",), max_drops=1)
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    state = step(model, state, "Drop", message="wreq(w(0,0), 0, w(0,0)@1)")
    assert view(model, state)["drops"] == 1 and view(model, state)["net"] == []
    assert enabled(model, state, "Drop") == []


def test_timeout_fails_the_op_and_keeps_its_write_requests():
    model = model_of(n=2, w=2, r=1, clients=("w",), timeouts=True)
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0)@1)")
    state = step(model, state, "Timeout", op="w(0,0)")
    after = view(model, state)
    assert after["ops"]["w(0,0)"]["status"] == "fail"
    assert after["ops"]["w(0,0)"]["completed"] == 1
    assert after["net"] == ["wreq(w(0,0), 1, w(0,0)@1)"]  # the wack left, the wreq stays
    # Applying a failed write's request sends no ack.
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 1, w(0,0)@1)")
    assert view(model, state)["net"] == []
    off = model_of(n=1, w=1, r=1, clients=("w",))
    pending = step(off, off.initial_states()[0], "Invoke", client=0)
    assert enabled(off, pending, "Timeout") == []


def test_crash_removes_requests_to_the_replica_but_not_its_responses():
    model = model_of(n=2, w=1, r=2, clients=("w", "r"), max_crashes=1)
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    state = step(model, state, "Invoke", client=1)
    state = step(model, state, "DeliverReadRequest", message="rreq(r(1,0), 1)")
    state = step(model, state, "Crash", replica=1)
    after = view(model, state)
    assert after["up"] == {"0": True, "1": False}
    assert after["crashes"] == 1
    assert "wreq(w(0,0), 1, w(0,0)@1)" not in after["net"]
    assert "rresp(r(1,0), 1, NIL)" in after["net"]
    assert enabled(model, state, "Crash") == []


def test_anti_entropy_merges_two_live_replicas_that_differ():
    model = model_of(n=3, w=1, r=1, clients=("w",), anti_entropy=True)
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    assert enabled(model, state, "AntiEntropy") == []  # all stores equal
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 2, w(0,0)@1)")
    assert [a["replicas"] for a in enabled(model, state, "AntiEntropy")] == [[0, 2], [1, 2]]
    state = step(model, state, "AntiEntropy", replicas=[0, 2])
    assert view(model, state)["store"] == {"0": "w(0,0)@1", "1": "NIL", "2": "w(0,0)@1"}


def test_each_action_checks_its_own_guard():
    # `successors` tests the common guards before calling an action; an action called
    # directly (as the search and replays do) must refuse on its own.
    model = model_of(n=2, w=1, r=1, clients=("w", "r"), max_drops=1, max_crashes=1)
    actions = model.transitions
    init = model.initial_states()[0]
    writing = step(model, init, "Invoke", client=0)
    spent = writing[:DROPS] + (1, 1) + writing[CRASHES + 1 :]  # drops and crashes used up
    assert actions.drop(writing, 0) is not None
    assert actions.drop(spent, 0) is None
    assert actions.crash(writing, 0) is not None
    assert actions.crash(spent, 0) is None
    down = model_of(n=2, w=1, r=1, clients=("w", "r"), max_crashes=2).transitions
    replica_0_down = writing[:UP] + (0b10,) + writing[UP + 1 :]
    assert down.crash(replica_0_down, 0) is None
    assert down.crash(replica_0_down, 1) is not None

    assert actions.timeout(writing, 0) is None  # timeouts are off
    with_timeouts = model_of(n=2, w=1, r=1, clients=("w", "r"), timeouts=True).transitions
    assert with_timeouts.timeout(writing, 0) is not None
    assert with_timeouts.timeout(writing, 1) is None  # r(1,0) is idle
    done = step(
        model,
        step(model, writing, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0)@1)"),
        "DeliverWriteAck",
    )
    assert with_timeouts.timeout(done, 0) is None  # w(0,0) is ok

    reading = step(model, init, "Invoke", client=1)
    to_replica_0 = model.transitions.table[reading[NET][0]]
    assert to_replica_0.replica == 0
    assert actions.deliver_read_request(reading, 0, to_replica_0) is not None
    reading_0_down = reading[:UP] + (0b10,) + reading[UP + 1 :]
    assert actions.deliver_read_request(reading_0_down, 0, to_replica_0) is None

    gossip = model_of(n=2, w=1, r=1, clients=("w", "r"), anti_entropy=True).transitions
    applied = step(model, writing, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0)@1)")
    assert gossip.anti_entropy_exchange(applied, 0, 1) is not None
    assert actions.anti_entropy_exchange(applied, 0, 1) is None  # anti-entropy is off
    assert gossip.anti_entropy_exchange(writing, 0, 1) is None  # both hold NIL
    for only_up in (0b01, 0b10):
        assert (
            gossip.anti_entropy_exchange(applied[:UP] + (only_up,) + applied[UP + 1 :], 0, 1)
            is None
        )


def test_anti_entropy_pairs_replicas_around_a_crashed_one():
    model = model_of(n=3, w=1, r=1, clients=("w",), anti_entropy=True, max_crashes=1)
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0)@1)")
    state = step(model, state, "Crash", replica=1)
    assert [a["replicas"] for a in enabled(model, state, "AntiEntropy")] == [[0, 2]]
