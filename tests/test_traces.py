"""Every reported trace is a shortest concrete run that replays and ends in the violation."""

import json

import pytest

from leaderless.checker.explorer import explore
from leaderless.checker.itf import itf_to_trace_data, trace_itf
from leaderless.checker.trace import ReplayError, normalize, replay, trace_data
from leaderless.model import Config, ReplicationModel

CONFIGS = [
    Config(n=3, w=1, r=1, clients=("w", "r")),
    Config(n=3, w=2, r=2, clients=("w", "rr")),
    Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True),
    Config(n=3, w=2, r=2, clients=("w", "r"), max_crashes=2),
    Config(n=2, w=1, r=1, clients=("w", "w"), resolution="arrival"),
    Config(n=2, w=1, r=1, clients=("wr", "w"), drift=1),
    Config(n=3, w=1, r=2, clients=("w", "r"), read_repair="blocking", max_crashes=1),
    Config(n=2, w=1, r=1, clients=("w", "rr"), max_drops=1, anti_entropy=True),
]


def violated_traces(config: Config, symmetry: bool):
    model = ReplicationModel(config)
    result = explore(model, symmetry=symmetry)
    return model, [v.trace for v in result.verdicts if v.trace is not None]


@pytest.mark.parametrize("symmetry", [True, False], ids=["symmetry", "exact"])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.describe())
def test_traces_replay_end_in_the_violation_and_have_no_shorter_violating_prefix(config, symmetry):
    model, traces = violated_traces(config, symmetry)
    assert traces, "each of these configurations violates something"
    for trace in traces:
        bit = 1 << trace.property_index
        states = [trace.initial] + [state for _, state in trace.steps]
        # Every step is a real step of the model from the state before it.
        for before, (label, after) in zip(states, trace.steps):
            assert (label, after) in model.successors(before)
        assert model.violations(states[-1], bit) == bit
        assert all(model.violations(s, bit) == 0 for s in states[:-1])
        data = normalize(trace_data(model, trace))
        replayed, reason = replay(model, json.loads(json.dumps(data)))
        assert replayed == states
        assert reason == trace.reason


def test_itf_round_trip_replays():
    model, traces = violated_traces(
        Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True), symmetry=True
    )
    for trace in traces:
        document = json.loads(json.dumps(trace_itf(trace_data(model, trace))))
        assert document["#meta"]["property"] == trace.property_id
        assert document["states"][0]["now"] == {"#bigint": "0"}
        replayed, reason = replay(model, itf_to_trace_data(document))
        assert len(replayed) == len(trace) + 1 and reason == trace.reason


def test_a_tampered_trace_fails_with_the_step_and_the_difference():
    model, traces = violated_traces(Config(n=3, w=1, r=1, clients=("w", "r")), symmetry=True)
    data = json.loads(json.dumps(normalize(trace_data(model, traces[0]))))
    data["states"][2]["store"]["0"] = {"name": "w(0,0)@7", "writer": "w(0,0)", "ts": 7}
    with pytest.raises(ReplayError, match=r"step 2: the state after it differs: store\.0"):
        replay(model, data)
    data = json.loads(json.dumps(normalize(trace_data(model, traces[0]))))
    data["steps"][0]["action"]["client"] = 1
    with pytest.raises(ReplayError, match="step 1: the model has no step"):
        replay(model, data)
