"""Model counterexamples exported as recorded histories: the history checker finds the
same property violated (and the export is the JSON-lines format it reads)."""

from __future__ import annotations

import pytest

from leaderless.checker.cli import UsageError
from leaderless.checker.commands.history import write_history_files
from leaderless.checker.explorer import explore
from leaderless.checker.render import exploration_data
from leaderless.model import Config, ReplicationModel, parse_clients
from leaderless.model.history import check_history, parse
from leaderless.model.history.check import HOLDS, NOT_APPLICABLE, VIOLATED
from leaderless.model.history.export import history_from_trace, to_jsonl
from leaderless.model.history.sessions import SESSION_PROPERTIES

CHECKED = (*SESSION_PROPERTIES, "linearizable")


def counterexamples(**config):
    config["clients"] = parse_clients(config["clients"])
    model = ReplicationModel(Config(**config))
    data = exploration_data(model, explore(model))
    return {p["id"]: p["trace"] for p in data["properties"] if p["trace"] is not None}


@pytest.mark.parametrize(
    "config",
    [
        {"n": 3, "w": 1, "r": 1, "clients": "w,r"},
        {"n": 3, "w": 1, "r": 1, "clients": "wr"},
        {"n": 2, "w": 1, "r": 1, "clients": "w,w,rr"},
        {"n": 3, "w": 1, "r": 1, "clients": "w,rr", "timeouts": True},
    ],
    ids=["stale", "own-write", "monotonic", "timeouts"],
)
def test_each_counterexample_is_a_known_bad_history(config):
    traces = counterexamples(**config)
    exported = [prop for prop in traces if prop in CHECKED and prop != "aborted-read"]
    assert exported
    for prop in exported:
        history = parse(to_jsonl(history_from_trace(traces[prop])))
        assert history.source_format == "jsonl"
        report = check_history(history, (prop,))
        assert report.verdict(prop).verdict == VIOLATED, prop


def test_a_timeout_is_an_unknown_outcome():
    trace = counterexamples(n=3, w=2, r=2, clients="w,r", timeouts=True)["aborted-read"]
    records = history_from_trace(trace)
    assert records == [
        {"process": 0, "type": "invoke", "f": "write", "value": "w(0,0)"},
        {"process": 1, "type": "invoke", "f": "read", "value": None},
        {"process": 1, "type": "ok", "f": "read", "value": "w(0,0)"},
        {"process": 0, "type": "info", "f": "write", "value": "w(0,0)"},
    ]
    # The write may have taken effect, as the model's linearizable also says; reading
    # it is the model's aborted-read, but not an aborted read of a recorded history.
    report = check_history(parse(to_jsonl(records)))
    assert report.verdict("linearizable").verdict == HOLDS
    assert report.verdict("aborted-read").verdict == NOT_APPLICABLE


def test_history_files_one_per_property_a_history_can_show(tmp_path, capsys):
    traces = counterexamples(n=3, w=2, r=1, clients="w,r", timeouts=True)
    assert {"write-atomicity", "stale-read"} <= set(traces)
    folder = tmp_path / "histories"
    write_history_files(str(folder), traces)
    written = sorted(path.name for path in folder.iterdir())
    assert written == sorted(f"{p}.jsonl" for p in traces if p in CHECKED)
    assert "write-atomicity.jsonl" not in written  # a replica's state, not a client's view
    history = parse((folder / "stale-read.jsonl").read_text())
    assert check_history(history, ("stale-read",)).verdict("stale-read").verdict == VIOLATED
    assert f"created {folder}" in capsys.readouterr().err
    with pytest.raises(UsageError, match="--history-out: cannot create"):
        write_history_files(str(tmp_path / "no" / "such"), traces)
