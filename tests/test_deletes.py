"""Deletes, tombstones and purging (docs/MODEL.md's extension) through every front end.

The model's facts of the extension, the version order a tombstone takes, the
configuration errors in each front end's words, and the tools that cannot take a
purge (bmc) refusing it in one line instead of checking a smaller model.
"""

from __future__ import annotations

import json

import pytest

from leaderless.checker.cli import main
from leaderless.checker.explorer import HOLDS, NOT_APPLICABLE, VIOLATED, explore
from leaderless.model import Config, ConfigError, ReplicationModel
from leaderless.model.state import Scope


def _verdict(config: Config, prop: str) -> tuple[str, int | None]:
    verdict = explore(ReplicationModel(config)).verdict(prop)
    return verdict.status, len(verdict.trace) if verdict.trace else None


def test_a_purged_tombstone_lets_the_deleted_write_come_back() -> None:
    resurrects = Config(clients=("wd", "r"), gc_grace=0)
    assert _verdict(resurrects, "no-resurrection") == (VIOLATED, 16)
    assert _verdict(Config(clients=("wd", "r")), "no-resurrection") == (HOLDS, None)
    repaired = Config(clients=("wd", "r"), gc_grace=0, purge_repaired=True, anti_entropy=True)
    assert _verdict(repaired, "no-resurrection") == (HOLDS, None)


def test_a_grace_period_longer_than_the_run_never_purges() -> None:
    # Real time counts invocations: three ops reach now = 3, never 2 + 5.
    assert _verdict(Config(clients=("wd", "r"), gc_grace=5), "no-resurrection") == (HOLDS, None)


def test_purging_makes_the_properties_that_read_nil_not_applicable() -> None:
    exploration = explore(ReplicationModel(Config(clients=("wd", "rr"), gc_grace=1)))
    for prop in ("stale-read", "read-your-writes", "monotonic-reads", "convergence"):
        assert exploration.verdict(prop).status == NOT_APPLICABLE, prop
    assert exploration.verdict("linearizable").status != NOT_APPLICABLE


def test_a_tombstone_wins_a_timestamp_tie_and_loses_to_a_later_timestamp() -> None:
    scope = Scope.of(Config(clients=("w", "d"), drift=1))
    write, delete = 0, 1
    assert scope.version(delete, 2) > scope.version(write, 2)
    assert scope.version(write, 3) > scope.version(delete, 2)
    assert scope.version_parts(scope.version(delete, 2)) == (2, delete)
    assert scope.is_tombstone(scope.version(delete, 2))
    assert not scope.is_tombstone(scope.version(write, 2))


def test_a_read_of_a_tombstone_is_linearizable_as_nil() -> None:
    # n = w = r = 1: every read sees the latest update, so the history is linearizable
    # although reads return the tombstone rather than a write's value.
    exploration = explore(ReplicationModel(Config(n=1, w=1, r=1, clients=("wd", "r"))))
    assert exploration.verdict("linearizable").status == HOLDS
    assert exploration.verdict("stale-read").status == HOLDS


@pytest.mark.parametrize(
    "values,message",
    [
        (dict(clients=("wd",), resolution="arrival"), "a delete needs resolution lww"),
        (dict(purge_repaired=True), "purge_repaired: on needs a grace period for tombstones"),
        (dict(gc_grace=-1), "gc_grace: -1 is out of range"),
        (dict(clients=("wx",)), "scripts use only 'w' (write), 'd' (delete) and 'r' (read)"),
    ],
)
def test_configuration_errors(values: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Config(**values)


def test_the_command_line_names_its_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--purge-repaired", "--quiet"]) == 2
    assert "--purge-repaired: on needs a grace period for tombstones" in capsys.readouterr().err
    assert main(["check", "--datacenters", "dc1=3,dc2", "--quiet"]) == 2
    assert "'dc2' is not NAME=REPLICAS" in capsys.readouterr().err


def test_bmc_refuses_a_configuration_that_can_purge(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bmc", "--clients", "wd,r", "--gc-grace", "0", "--depth", "2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "does not cover Purge" in err and len(err.strip().splitlines()) == 1


def test_check_json_reports_the_new_property_and_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["check", "--clients", "wd,r", "--gc-grace", "0", "--json", "--quiet"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["config"]["gc_grace"] == 0
    found = {p["id"]: p for p in data["properties"]}
    assert found["no-resurrection"]["verdict"] == VIOLATED
    actions = [step["action"]["action"] for step in found["no-resurrection"]["trace"]["steps"]]
    assert "Purge" in actions
    kinds = {op["name"]: op["type"] for op in found["no-resurrection"]["trace"]["operations"]}
    assert kinds == {"w(0,0)": "write", "d(0,1)": "delete", "r(1,0)": "read"}
