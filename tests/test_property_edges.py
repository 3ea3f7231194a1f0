"""Property predicates on hand-built runs: the cases an explorer's verdict cannot tell
apart, because another path to the same verdict is always as short. `leaderless
search` evaluates the predicates on every state of its runs, so they must be exact."""

from support import step

from model import Config, ReplicationModel


def test_write_atomicity_ignores_a_crashed_replica_holding_a_failed_write():
    model = ReplicationModel(Config(n=2, w=2, r=1, clients=("w",), timeouts=True,
                                    max_crashes=1))
    index = [p.id for p in model.properties].index("write-atomicity")
    state = step(model, model.initial_states()[0], "Invoke", client=0)
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0)@1)")
    up_and_failed = step(model, state, "Timeout")
    assert model.violations(up_and_failed, 1 << index) == 1 << index
    assert model.explain(index, up_and_failed).startswith("replica 0 is up and stores")
    crashed_and_failed = step(model, step(model, state, "Crash", replica=0), "Timeout")
    assert model.violations(crashed_and_failed, 1 << index) == 0
    assert model.explain(index, crashed_and_failed) is None
