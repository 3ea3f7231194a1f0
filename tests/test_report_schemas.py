"""Reports as contracts: every JSON report validates against its schema in docs/schemas/,
in each of its verdict variants, and --no-times makes every command's output byte-stable.

The schemas $ref each other by file name ("trace.schema.json"); a registry of every file
in docs/schemas/ resolves them offline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from leaderless.checker.cli import COMMANDS, main
from leaderless.checker.commands.config_schema import config_schema_text
from leaderless.checker.reports import SCHEMA_VERSION, TIME_KEYS

ROOT = Path(__file__).parent.parent
SCHEMAS = ROOT / "docs" / "schemas"
# The schemas' $ids: a relative $ref resolves against this.
BASE = "https://github.com/leaderless/leaderless/docs/schemas/"
HISTORY = ROOT / "examples" / "histories" / "sloppy-quorum.jsonl"
TOPOLOGY = ROOT / "examples" / "topologies" / "two-dc-local-quorum.toml"

# Every subcommand's JSON report and its schema (replay prints no JSON report).
REPORT_SCHEMAS = {
    "check": "check.schema.json",
    "matrix": "matrix.schema.json",
    "gate": "gate-report.schema.json",
    "prove": "prove.schema.json",
    "search": "search.schema.json",
    "bmc": "bmc.schema.json",
    "anti-entropy": "anti-entropy.schema.json",
    "history": "history.schema.json",
    "pbs": "pbs.schema.json",
}
WITHOUT_JSON = {"replay"}
# Commands that print no measured time: they accept --no-times and print the same bytes.
UNTIMED = {"matrix", "pbs", "replay"}

GATE_FILE = f"""
[[scenario]]
name = "majority"
n = 3
w = 2
r = 2
clients = "w,r"
require = ["quorum-overlap", "stale-read"]
expect_violated = ["linearizable"]  # holds with these clients: the gate fails

[[scenario]]
name = "two DCs"
replication = {{ dc1 = 3, dc2 = 3 }}
write = "LOCAL_QUORUM"
write_dc = "dc1"
read = "LOCAL_QUORUM"
read_dc = "dc2"
expect_violated = ["quorum-overlap"]

[[scenario]]
name = "cut short"
n = 3
w = 1
r = 1
clients = "w,r"
max_states = 5
require = ["convergence"]

[[scenario]]
name = "quorums of one: how stale"
n = 3
w = 1
r = 1
trials = 2000
require_k_staleness = ["3:0.7"]
require_visibility = ["50ms:0.99"]

[[history]]
name = "recorded"
file = "{HISTORY}"
require = ["read-your-writes"]
expect_violated = ["stale-read"]
"""


def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        resource = Resource.from_contents(
            json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT202012
        )
        resources.append((BASE + path.name, resource))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def validate(command: str, report: dict[str, Any]) -> None:
    """The report validates against its command's schema and starts as every report does."""
    Draft202012Validator(schema(REPORT_SCHEMAS[command]), registry=REGISTRY).validate(report)
    assert list(report)[:2] == ["schema_version", "command"]
    assert report["schema_version"] == SCHEMA_VERSION and report["command"] == command


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def report_of(capsys, *argv: str) -> tuple[int, dict[str, Any]]:
    code, out = run(capsys, *argv)
    return code, json.loads(out)


def timings(data: Any) -> list[str]:
    """The time keys anywhere in `data`."""
    if isinstance(data, dict):
        return [k for k in data if k in TIME_KEYS] + [t for v in data.values() for t in timings(v)]
    if isinstance(data, list):
        return [t for v in data for t in timings(v)]
    return []


@pytest.fixture
def gate_file(tmp_path: Path) -> str:
    path = tmp_path / "leaderless.toml"
    path.write_text(GATE_FILE, encoding="utf-8")
    return str(path)


# -- the schemas themselves -------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.json")), ids=lambda p: p.name)
def test_every_schema_is_a_valid_draft_2020_12_schema(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(document)
    assert document.get("$id", BASE + path.name) == BASE + path.name


def _refs(document: Any) -> set[str]:
    """The schema files a schema $refs (by file name; fragments within itself left out)."""
    if isinstance(document, dict):
        found = {document["$ref"].split("#")[0]} - {""} if "$ref" in document else set()
        return found.union(*(_refs(v) for v in document.values()))
    if isinstance(document, list):
        return set().union(*(_refs(v) for v in document))
    return set()


def test_the_config_schema_is_generated_from_the_model_options() -> None:
    assert (SCHEMAS / "config.schema.json").read_text(encoding="utf-8") == config_schema_text(), (
        "docs/schemas/config.schema.json is stale; regenerate it as "
        "checker/commands/config_schema.py says"
    )


def test_every_ref_names_a_schema_file() -> None:
    files = {path.name for path in SCHEMAS.glob("*.json")}
    for name in files:
        assert _refs(schema(name)) <= files, name


def test_every_command_with_a_json_report_has_a_schema() -> None:
    assert set(REPORT_SCHEMAS) == set(COMMANDS) - WITHOUT_JSON


def test_every_schema_file_is_used_by_some_test() -> None:
    """Validated here (directly or through a $ref), or named by another test that
    validates against it (the gate file's schema, the trace schema)."""
    used = set(REPORT_SCHEMAS.values())
    while True:
        more = set().union(*(_refs(schema(name)) for name in used)) - used
        if not more:
            break
        used |= more
    others = [
        path.read_text(encoding="utf-8")
        for path in Path(__file__).parent.glob("test_*.py")
        if path.name != Path(__file__).name
    ]
    unused = [
        path.name
        for path in SCHEMAS.glob("*.json")
        if path.name not in used and not any(path.name in text for text in others)
    ]
    assert unused == []


def test_the_readme_lists_every_report_schema() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## JSON reports") :]
    for command, name in REPORT_SCHEMAS.items():
        assert re.search(rf"`{re.escape(command)}`.*docs/schemas/{re.escape(name)}", section), (
            command
        )


def test_a_schema_rejects_a_key_it_does_not_know(capsys) -> None:
    _, report = report_of(
        capsys, "check", "--n", "1", "--w", "1", "--r", "1", "--clients", "w", "--json", "--quiet"
    )
    validate("check", report)
    report["properties"][0]["verdcit"] = "holds"
    with pytest.raises(Exception, match="verdcit"):
        validate("check", report)


# -- each command's report, in its verdict variants ----------------------------------------


def test_check_reports_every_verdict_variant(capsys) -> None:
    seen = set()
    for argv, code in [
        ([], 1),  # the default: holds, violated (with traces) and n/a
        (["--max-states", "5"], 3),  # a limit: inconclusive
        (["--n", "3", "--w", "2", "--r", "2", "--clients", "w,r", "--require", "stale-read"], 0),
    ]:
        got, report = report_of(capsys, "check", *argv, "--json", "--quiet")
        assert got == code
        validate("check", report)
        seen |= {p["verdict"] for p in report["properties"]}
        assert "seconds" in report
    assert seen == {"holds", "violated", "inconclusive", "n/a"}


def test_matrix_report(capsys) -> None:
    for argv, code, complete in [([], 1, True), (["--max-states", "7"], 3, False)]:
        got, report = report_of(
            capsys, "matrix", "--n", "2", "--clients", "w,r", *argv, "--format", "json", "--quiet"
        )
        assert got == code and report["complete"] is complete
        validate("matrix", report)
        assert len(report["rows"]) == 4 and report["config"]["r"] is None


def test_gate_report(capsys, gate_file: str) -> None:
    code, report = report_of(capsys, "gate", gate_file, "--json", "--quiet")
    assert code == 1
    validate("gate", report)
    outcomes = {check["outcome"] for s in report["scenarios"] for check in s["checks"]}
    assert outcomes == {"pass", "fail", "inconclusive"}
    assert {"exploration", "quorum_overlap", "history"} <= {
        k for s in report["scenarios"] for k in s
    }


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["parametric"], 0),
        (["quorum", "--n", "3", "--r", "2", "--w", "2"], 0),
        (["quorum", "--n", "3", "--r", "1", "--w", "2"], 1),
        # A large instance under a 1 ms solver limit: unknown (as test_proofs_quorum).
        (["quorum", "--n", "256", "--r", "128", "--w", "129", "--timeout-ms", "1"], 3),
        (["topology", str(TOPOLOGY)], 1),
        (["clocks"], 0),
        (["clocks", "--drift", "5/2", "--gap", "4", "--real"], 1),
    ],
)
def test_prove_reports(capsys, argv: list[str], code: int) -> None:
    got, report = report_of(capsys, "prove", *argv, "--json")
    assert got == code
    validate("prove", report)
    assert report["proof"] == argv[0]


def test_search_reports_violations_and_none_found(capsys) -> None:
    small = "--examples 20 --steps 50 --no-shrink --json --quiet"
    code, found = report_of(capsys, *f"search --n 3 --w 1 --r 1 --clients w,r {small}".split())
    assert code == 1
    validate("search", found)
    none_found = f"search --n 3 --w 2 --r 2 --clients w,r --require stale-read {small}"
    code, none = report_of(capsys, *none_found.split())
    assert code == 3
    validate("search", none)
    verdicts = {p["verdict"] for p in found["properties"] + none["properties"]}
    assert verdicts == {"violated", "none found"}


def test_bmc_reports_violations_and_k_induction(capsys) -> None:
    violated_within_6 = "bmc --n 2 --w 1 --r 1 --clients w,r --depth 6 --json --quiet"
    code, violated = report_of(capsys, *violated_within_6.split())
    assert code == 1
    validate("bmc", violated)
    k_induction = (
        "bmc --n 3 --w 1 --r 2 --clients w,w,r --depth 3 --k-induction "
        "--require stale-read,lww-order --json --quiet"
    )
    code, proofs = report_of(capsys, *k_induction.split())
    assert code == 3
    validate("bmc", proofs)
    verdicts = {p["verdict"] for p in violated["properties"] + proofs["properties"]}
    assert {"violated", "none within K", "n/a", "not encoded"} <= verdicts
    stale_read, lww_order = (p["k_induction"] for p in proofs["properties"])
    assert stale_read["verdict"] == "not inductive" and "counterexample_to_induction" in stale_read
    assert lww_order["verdict"] == "proved"


def test_bmc_reports_what_stopped_it(capsys) -> None:
    stopped = "bmc --n 3 --w 2 --r 2 --clients w,w,r,r --depth 40 --max-seconds 0.5 --quiet --json"
    code, report = report_of(capsys, *stopped.split())
    assert code == 3
    validate("bmc", report)
    assert not report["complete"] and report["stopped_by"] == "--max-seconds 0.5 reached"


def test_anti_entropy_report(capsys) -> None:
    code, report = report_of(capsys, "anti-entropy", "--keys", "300", "--diverge", "5%", "--json")
    assert code == 0
    validate("anti-entropy", report)


def test_history_report(capsys) -> None:
    code, report = report_of(capsys, "history", str(HISTORY), "--json", "--quiet")
    assert code == 1
    validate("history", report)
    assert {p["verdict"] for p in report["properties"]} == {"holds", "violated", "n/a"}


def test_pbs_report(capsys) -> None:
    code, report = report_of(
        capsys,
        "pbs",
        "--n",
        "3",
        "--r",
        "1",
        "--w",
        "1",
        "--trials",
        "2000",
        "--require-k-staleness",
        "1:0.99",
        "--json",
    )
    assert code == 1
    validate("pbs", report)
    assert report["requirements"][0]["verdict"] == "unmet"


# -- --no-times ------------------------------------------------------------------------------


SMALL_SEARCH = "search --n 3 --w 1 --r 1 --clients w,r --examples 10 --steps 40 --no-shrink"
SMALL_BMC = "bmc --n 2 --w 1 --r 1 --clients w,r --depth 4"
# Every command that prints times, in each output that shows them on stdout ({gate}: a
# gate file); gate's text shows none.
TIMED = [
    "check --quiet",
    "check --quiet --json",
    "check --quiet --mermaid",
    f"{SMALL_SEARCH} --quiet",
    f"{SMALL_SEARCH} --quiet --json",
    f"{SMALL_BMC} --quiet",
    f"{SMALL_BMC} --quiet --json",
    "prove quorum --n 3 --r 2 --w 2",
    "prove quorum --n 3 --r 2 --w 2 --json",
    "gate {gate} --quiet --json",
    f"history {HISTORY} --quiet",
    f"history {HISTORY} --quiet --json",
    "anti-entropy --keys 300 --diverge 5%",
    "anti-entropy --keys 300 --diverge 5% --json",
]


@pytest.mark.parametrize("command_line", TIMED)
def test_no_times_makes_the_output_byte_stable(capsys, gate_file, command_line) -> None:
    argv = command_line.format(gate=gate_file).split()
    _, timed = run(capsys, *argv)
    _, first = run(capsys, *argv, "--no-times")
    _, second = run(capsys, *argv, "--no-times")
    assert first == second
    # The option left something out: the timed output is longer by its times.
    assert len(first) < len(timed)
    if "--json" in argv:
        assert timings(json.loads(timed)) and not timings(json.loads(first))
        validate(argv[0], json.loads(first))


def test_every_command_that_prints_times_is_tested_with_no_times(capsys) -> None:
    """A command offers --no-times and is in TIMED, or prints no times (UNTIMED)."""
    offering = set()
    for name in COMMANDS:
        argv = [name, "quorum", "--help"] if name == "prove" else [name, "--help"]
        with pytest.raises(SystemExit):
            main(argv)
        text = " ".join(capsys.readouterr().out.split())
        assert "--no-times" in text, name  # every command takes it
        if "this one prints no times" not in text:
            offering.add(name)
    assert offering == {line.split()[0] for line in TIMED}
    assert offering | UNTIMED == set(COMMANDS) and not offering & UNTIMED


@pytest.mark.parametrize(
    "argv",
    [
        ["matrix", "--n", "2", "--clients", "w,r", "--quiet"],
        ["matrix", "--n", "2", "--clients", "w,r", "--quiet", "--format", "json"],
        ["pbs", "--n", "3", "--r", "1", "--w", "1", "--trials", "2000"],
        ["pbs", "--n", "3", "--r", "1", "--w", "1", "--trials", "2000", "--json"],
    ],
    ids=["matrix-text", "matrix-json", "pbs-text", "pbs-json"],
)
def test_commands_without_times_print_the_same_bytes_anyway(capsys, argv) -> None:
    assert argv[0] in UNTIMED
    assert run(capsys, *argv) == run(capsys, *argv)
