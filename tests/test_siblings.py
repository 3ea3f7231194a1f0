"""Siblings with causal contexts and the no-lost-update property (docs/MODEL.md,
"Extensions: siblings with causal contexts"): the document's facts, the merge rule on
every reachable state, configuration errors, and each front end."""

from __future__ import annotations

import json
from collections import deque

import pytest

from leaderless.checker.cli import main
from leaderless.model import Config, ReplicationModel
from leaderless.model.config import ConfigError
from leaderless.model.state import H_VERSION, HIST, STORE
from support import verdicts
from test_report_schemas import validate

W_W = {"n": 3, "w": 2, "r": 2, "clients": ("w", "w")}


@pytest.mark.parametrize(
    ("resolution", "expected"),
    [("lww", ("violated", 10)), ("arrival", ("violated", 10)), ("siblings", ("holds", None))],
)
def test_two_blind_writers_lose_a_write_unless_siblings_keep_it(resolution, expected) -> None:
    assert verdicts(Config(**W_W, resolution=resolution))["no-lost-update"] == expected


def test_drift_loses_a_write_under_lww() -> None:
    got = verdicts(Config(**W_W, drift=1))
    assert got["no-lost-update"] == ("violated", 10)
    assert got["lww-order"] == ("violated", 10)


def test_anti_entropy_makes_siblings_converge() -> None:
    dropped = verdicts(Config(**W_W, resolution="siblings", max_drops=1))
    assert dropped["convergence"] == ("violated", 6)
    assert dropped["no-lost-update"] == ("holds", None)
    repaired = verdicts(Config(**W_W, resolution="siblings", max_drops=1, anti_entropy=True))
    assert repaired["convergence"] == ("holds", None)
    assert repaired["no-lost-update"] == ("holds", None)


def test_siblings_keep_what_lww_loses_with_a_reader() -> None:
    config = Config(n=3, w=2, r=2, clients=("w", "w", "r"), resolution="siblings")
    got = verdicts(config)
    assert {p: got[p][0] for p in ("stale-read", "convergence", "availability")} == {
        "stale-read": "holds",
        "convergence": "holds",
        "availability": "holds",
    }
    assert got["no-lost-update"] == ("holds", None)
    assert got["linearizable"][0] == "n/a" and got["lww-order"][0] == "n/a"


def _reachable(model: ReplicationModel) -> list[tuple]:
    start = model.initial_states()[0]
    seen, queue = {start}, deque([start])
    while queue:
        for _, nxt in model.successors(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return list(seen)


def test_stores_hold_only_unsuperseded_siblings_and_a_write_supersedes_what_it_read() -> None:
    # Client 1 reads, then writes: its write's context is what the read returned.
    model = ReplicationModel(Config(n=2, w=1, r=1, clients=("w", "rw"), resolution="siblings"))
    first, second = 0, 2  # op indices: w(0,0), r(1,0), w(1,1)
    superseded = concurrent = False
    for state in _reachable(model):
        hist = state[HIST]
        for siblings in state[STORE]:
            members = [op for op in range(3) if siblings >> op & 1]
            for a in members:
                for b in members:
                    assert not hist[b][H_VERSION] >> a & 1, "a stored sibling supersedes another"
            if siblings == 1 << second and hist[second][H_VERSION] >> first & 1:
                superseded = True  # w(1,1) replaced w(0,0), having read it
            if siblings == (1 << first | 1 << second):
                concurrent = True  # w(1,1) did not read w(0,0): both kept
    assert superseded and concurrent


@pytest.mark.parametrize(
    "settings",
    [
        {"read_repair": "async"},
        {"clients": ("wd", "r")},
        {"gc_grace": 1},
    ],
)
def test_siblings_refuse_what_they_do_not_model(settings) -> None:
    with pytest.raises(ConfigError):
        Config(**{**W_W, "resolution": "siblings", **settings})


def test_the_command_line_refuses_them_in_one_line(capsys) -> None:
    code = main(["check", "--clients", "w,r", "--resolution", "siblings", "--read-repair", "async"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--read-repair" in err


def test_a_siblings_trace_is_a_valid_report(capsys) -> None:
    code = main(
        ["check", "--clients", "w,rw,r", "--n", "2", "--w", "1", "--r", "2"]
        + ["--resolution", "siblings", "--drops", "1", "--json", "--quiet"]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    validate("check", report)
    violated = [p for p in report["properties"] if p["verdict"] == "violated"]
    assert violated
    for prop in violated:
        last = prop["trace"]["states"][-1]
        assert all("siblings" in version for version in last["store"].values())
        assert all("context" in op for name, op in last["ops"].items() if name.startswith("w"))


def test_a_sibling_set_is_shown_as_its_members() -> None:
    model = ReplicationModel(Config(n=2, w=1, r=1, clients=("w", "w"), resolution="siblings"))
    both = next(s for s in _reachable(model) if s[STORE][0] == 0b11)
    version = model.state_view(both)["store"][0]
    assert version == {
        "name": "{w(0,0),w(1,0)}",
        "writer": None,
        "ts": None,
        "siblings": ["w(0,0)", "w(1,0)"],
    }


def test_search_finds_the_lost_update_under_lww(capsys) -> None:
    code = main(["search", "--clients", "w,w", "--max-seconds", "30", "--json", "--quiet"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    found = {p["id"]: p for p in report["properties"]}
    assert found["no-lost-update"]["verdict"] == "violated"


def test_symmetry_keeps_sibling_verdicts() -> None:
    config = Config(n=3, w=2, r=2, clients=("w", "rw"), resolution="siblings", max_drops=1)
    assert verdicts(config, symmetry=True) == verdicts(config, symmetry=False)
