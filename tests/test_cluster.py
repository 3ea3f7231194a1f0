"""The search on a Ray cluster: a local one of two nodes (as two machines would be,
each with its own object store) of one worker process each, started once for the
module and reached by its address, as `check --cluster HOST:PORT` reaches a real one.

On the cluster, a search gives the same states, transitions, depth, verdicts, reasons,
situations and traces as one process, also when a limit stops it. `parallel_from=1`
hands every level to the cluster's workers, however small.
"""

from __future__ import annotations

import functools
import itertools
import os
import subprocess
import sys

import pytest

from leaderless.checker import cli
from leaderless.checker.commands import check
from leaderless.checker.explorer import INTERRUPTED, explore
from leaderless.checker.shortest import explore_with_recovery
from leaderless.model import Config, ReplicationModel
from leaderless.model.reduction import ReducedModel

pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[test]'")

from ray.cluster_utils import Cluster as LocalNodes  # noqa: E402

from leaderless.checker.cluster import Cluster, connect  # noqa: E402
from support import outcome  # noqa: E402

LEADERLESS = [sys.executable, "-m", "leaderless.checker"]


@pytest.fixture(scope="module")
def cluster():
    try:
        nodes = LocalNodes(initialize_head=True, head_node_args={"num_cpus": 1})
        nodes.add_node(num_cpus=1)
    except Exception as failure:  # noqa: BLE001 - whatever stops Ray from starting here
        pytest.skip(f"a local Ray cluster cannot start here: {failure}")
    try:
        connected = connect(nodes.address)
        yield connected
        connected.close()
    finally:
        nodes.shutdown()


def _on(cluster: Cluster, model, **options) -> tuple:
    return outcome(
        explore(model, workers=2, parallel_from=1, transport=cluster.transport, **options)
    )


CONFIGS = [
    (Config(n=3, w=2, r=2, clients=("w", "rr")), True),
    (Config(n=3, w=1, r=1, clients=("w", "r"), max_drops=1, timeouts=True), False),
    (Config(n=2, w=1, r=1, clients=("w", "w"), resolution="arrival", timeouts=True), True),
    (Config(n=2, w=2, r=2, clients=("w", "r"), max_partitions=1), False),
]


def _name(value) -> str:
    return value.describe() if isinstance(value, Config) else ("symmetry" if value else "exact")


@pytest.mark.parametrize(("config", "symmetry"), CONFIGS, ids=_name)
def test_the_cluster_finds_what_one_process_finds(cluster, config, symmetry):
    model = ReplicationModel(config)
    one = outcome(explore(model, symmetry=symmetry, workers=1))
    assert one[3] is None and one[0] > 100
    assert any(verdict[1] == "violated" for verdict in one[4])  # traces are compared
    assert _on(cluster, model, symmetry=symmetry) == one


def test_the_reduction_and_its_recovery_on_the_cluster(cluster):
    model = ReplicationModel(Config(n=3, w=1, r=1, clients=("w", "r")))
    one, _ = explore_with_recovery(ReducedModel(model), model, workers=1)
    assert any(v.status == "violated" for v in one.verdicts)
    two, _ = explore_with_recovery(
        ReducedModel(model), model, workers=2, parallel_from=1, transport=cluster.transport
    )
    assert outcome(two) == outcome(one)


def test_one_worker_runs_on_each_node(cluster):
    """So the visited table does travel to another node's object store each level."""
    model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "r")))
    workers = cluster.transport(2)
    explore(model, workers=2, parallel_from=1, transport=lambda size: workers)
    assert len(workers.pids) == 1  # the other worker is not on this node


def test_more_workers_than_cpus_share_them(cluster):
    model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "r")))
    one = outcome(explore(model, workers=1))
    assert outcome(explore(model, workers=3, parallel_from=1, transport=cluster.transport)) == one


@pytest.mark.parametrize("limit", [7, 1000])
def test_a_state_limit_cuts_at_the_same_state(cluster, limit):
    model = ReplicationModel(Config())
    one = outcome(explore(model, max_states=limit))
    assert one[3] == f"--max-states {limit} reached"
    assert _on(cluster, model, max_states=limit) == one


def test_ctrl_c_in_a_worker_keeps_what_was_found(cluster):
    model = ReplicationModel(Config(n=3, w=1, r=1, clients=("w", "r")))
    expand = model.successors
    expanded = itertools.count()  # in each worker process

    def successors(state):
        if next(expanded) == 250:  # past depth 6 (stale-read), before the last level
            raise KeyboardInterrupt
        return expand(state)

    model.successors = successors
    result = explore(model, symmetry=False, workers=2, parallel_from=1, transport=cluster.transport)
    assert result.stopped_by == INTERRUPTED and 100 < result.states < 694
    assert len(result.verdict("stale-read").trace) == 6


def test_a_worker_lost_midway_makes_the_search_inconclusive(cluster):
    model = ReplicationModel(Config(n=3, w=1, r=1, clients=("w", "r")))
    expand = model.successors
    expanded = itertools.count()  # in each worker process

    def successors(state):
        if next(expanded) == 250:  # as when a machine goes down
            os._exit(1)
        return expand(state)

    model.successors = successors
    result = explore(model, symmetry=False, workers=2, parallel_from=1, transport=cluster.transport)
    assert result.stopped_by.startswith("a cluster worker was lost")
    assert 100 < result.states < 694 and len(result.verdict("stale-read").trace) == 6
    assert {v.status for v in result.verdicts} <= {"violated", "inconclusive", "n/a"}


def test_a_time_limit_stops_the_workers(cluster):
    config = Config(n=3, w=2, r=2, clients=("w", "w", "r"), drift=1)  # millions of states
    result = explore(
        ReplicationModel(config),
        symmetry=False,
        workers=2,
        parallel_from=1,
        transport=cluster.transport,
        max_seconds=1,
    )
    assert result.stopped_by == "--max-seconds 1 reached" and not result.complete
    assert {v.status for v in result.verdicts} <= {"violated", "inconclusive", "n/a"}


def test_workers_that_fingerprint_differently_stop_the_search(cluster):
    """As a worker on another machine would if states held strings (salted hashes)."""
    model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "r")))
    model.canonical_key = lambda state: (os.getpid(), state)
    result = explore(model, workers=2, parallel_from=50, transport=cluster.transport)
    assert not result.complete
    assert result.stopped_by.startswith("a cluster worker fingerprints states differently")
    assert {v.status for v in result.verdicts} <= {"violated", "inconclusive", "n/a"}


GATE = (
    '[[scenario]]\nname = "one"\nn = 3\nw = 1\nr = 1\nclients = "w,r"\n'
    'expect_violated = ["stale-read"]\n'
)


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--n", "3", "--clients", "w,rr"],
        ["matrix", "--n", "2", "--clients", "w,r"],
        ["gate", "GATE"],
    ],
    ids=lambda argv: argv[0],
)
def test_each_command_on_the_cluster_prints_what_it_prints_alone(
    cluster, argv, monkeypatch, capsys, tmp_path
):
    if argv[0] == "gate":
        (tmp_path / "leaderless.toml").write_text(GATE)
        argv = ["gate", str(tmp_path / "leaderless.toml")]
    argv = [*argv, "--quiet", "--no-times"]
    code = cli.main([*argv, "--workers", "1"])
    assert code in (0, 1)
    alone = capsys.readouterr().out
    opened = []
    monkeypatch.setattr(check, "connect", lambda address: opened.append(address) or cluster)
    monkeypatch.setattr(Cluster, "close", lambda self: None)  # it stays up
    monkeypatch.setattr(check, "explore", functools.partial(explore, parallel_from=1))
    assert cli.main([*argv, "--cluster", "local:2"]) == code
    assert capsys.readouterr().out == alone
    assert opened == ["local:2"]


def test_check_starts_and_stops_a_local_cluster():
    argv = [*LEADERLESS, "check", "--quiet", "--no-times"]
    alone = subprocess.run([*argv, "--workers", "1"], capture_output=True, text=True)
    assert alone.returncode == 1  # linearizable is violated: a trace is compared
    local = subprocess.run([*argv, "--cluster", "local:2"], capture_output=True, text=True)
    assert (local.returncode, local.stdout) == (1, alone.stdout)
    assert "Traceback" not in local.stderr


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("nowhere.invalid:6379", "--cluster nowhere.invalid:6379: cannot reach"),
        ("local:0", "--cluster: local:0: local:K needs a positive number"),
        ("ray://host:port", "expected local, local:K, auto, ray://HOST:PORT or HOST:PORT"),
    ],
)
def test_a_cluster_that_cannot_be_used_is_one_line_of_usage(address, said, capsys):
    assert cli.main(["check", "--quiet", "--cluster", address]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and said in err


def test_without_ray_the_option_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)
    assert cli.main(["check", "--quiet", "--cluster", "local:2"]) == 2
    assert "pip install 'leaderless[cluster]'" in capsys.readouterr().err
