"""Ctrl-C keeps what was found: BMC stops at the depth it reached."""

import z3

from leaderless.model import Config, ReplicationModel
from leaderless.proofs.bmc import NONE_WITHIN, VIOLATED, bmc
from leaderless.proofs.solve import interruptible_check


def test_bmc_interrupted_reports_the_depth_searched():
    def press_ctrl_c_at_depth_7(depth, open_properties, seconds):
        if depth == 7:
            raise KeyboardInterrupt

    model = ReplicationModel(Config(n=3, w=1, r=1, clients=("w", "r")))
    result = bmc(model, 10, progress=press_ctrl_c_at_depth_7)
    assert result.bound == 6
    assert result.verdict("stale-read").status == VIOLATED  # found at 6, kept
    convergence = result.verdict("convergence")
    assert convergence.status == NONE_WITHIN
    assert convergence.reason == "interrupted (Ctrl-C): no violation in runs of at most 6 steps"


def test_a_solver_timeout_is_not_mistaken_for_ctrl_c():
    solver = z3.Solver()
    solver.set("timeout", 1)
    n = 10
    holes = [[z3.Bool(f"p{i}_{j}") for j in range(n - 1)] for i in range(n)]
    for row in holes:
        solver.add(z3.Or(row))
    for j in range(n - 1):
        for i in range(n):
            for k in range(i + 1, n):
                solver.add(z3.Or(z3.Not(holes[i][j]), z3.Not(holes[k][j])))
    assert interruptible_check(solver, timed=True) == z3.unknown


def _press_ctrl_c_in_every_exploration(monkeypatch):
    from leaderless.checker import explorer

    def interrupted_explore(model, **options):
        def successors(state):
            raise KeyboardInterrupt

        model.successors = successors
        return explorer.explore(model, **options)

    monkeypatch.setattr("leaderless.checker.commands.check.explore", interrupted_explore)


def test_ctrl_c_stops_the_whole_gate(monkeypatch, tmp_path, capsys):
    from leaderless.checker.cli import main

    _press_ctrl_c_in_every_exploration(monkeypatch)
    gate = tmp_path / "leaderless.toml"
    gate.write_text(
        '[[scenario]]\nname = "first"\nclients = "w,r"\nrequire = ["stale-read"]\n\n'
        '[[scenario]]\nname = "second"\nclients = "w,r"\nrequire = ["stale-read"]\n'
    )
    assert main(["gate", str(gate), "--quiet"]) == 3
    out = capsys.readouterr().out
    assert "interrupted (Ctrl-C) after 1 states" in out
    assert "second: stale-read INCONCLUSIVE\nnot run: the gate was interrupted (Ctrl-C)" in out


def test_ctrl_c_ends_the_matrix_with_the_rows_so_far(monkeypatch, capsys):
    from leaderless.checker.cli import main

    _press_ctrl_c_in_every_exploration(monkeypatch)
    assert main(["matrix", "--n", "2", "--clients", "w,r", "--quiet", "--format", "csv"]) == 3
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2  # the header and the first row
    assert "matrix: interrupted after 1 of 4 rows" in captured.err


def test_ctrl_c_in_a_search_keeps_what_was_found(monkeypatch):
    from leaderless.model import Config
    from leaderless.model import search as search_module

    real = search_module.search_property
    calls = []

    def interrupted_second_property(*args, **kwargs):
        calls.append(args[2])
        if len(calls) == 2:
            prop = search_module.CATALOGUE[args[2]]
            return search_module.Finding(
                prop.id,
                prop.meaning,
                search_module.NONE_FOUND,
                7,
                70,
                0.1,
                stopped_by=search_module.INTERRUPTED,
            )
        return real(*args, **kwargs)

    monkeypatch.setattr(search_module, "search_property", interrupted_second_property)
    findings = search_module.search(
        Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True),
        properties=["write-atomicity", "stale-read", "convergence"],
        examples=30,
        seed=0,
    )
    assert [(f.property_id, f.status, f.interrupted) for f in findings] == [
        ("write-atomicity", "violated", False),
        ("stale-read", "none found", True),
        ("convergence", "none found", True),
    ]
    assert len(calls) == 2  # nothing searched after the Ctrl-C
