"""One schema for the model options (leaderless.model.config.OPTIONS): the command-line
options, the gate file's keys, the gate file's published JSON Schema and the error
messages are all generated from it, each in its own vocabulary."""

from __future__ import annotations

import argparse
import json
import re
import tomllib
from dataclasses import fields
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderless.checker.cli import UsageError
from leaderless.checker.commands.gate_file import (
    GATE_FILE_WORDS,
    MODEL_KEYS,
    SCENARIO_KEYS,
    GateError,
    gate_json_schema,
    gate_schema_text,
    parse_gate,
)
from leaderless.checker.commands.gate_history import history_checks
from leaderless.checker.commands.options import (
    CLI_WORDS,
    FLAGS,
    add_model_arguments,
    config_from_args,
)
from leaderless.model import Config
from leaderless.model.config import BOOL, OPTIONS

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "docs" / "schemas" / "gate.schema.json"
VALIDATOR = jsonschema.Draft202012Validator(gate_json_schema())
# Not the defaults anywhere, and valid together.
SAMPLE = Config(
    n=4,
    w=3,
    r=1,
    clients=("wr", "r"),
    drift=2,
    max_drops=1,
    max_crashes=2,
    timeouts=True,
    anti_entropy=True,
    read_repair="blocking",
    gc_grace=1,
    purge_repaired=True,
    datacenters=(("dc1", 3), ("dc2", 1)),
    client_dcs=("dc2", "dc1"),
    max_partitions=1,
)
HINTED = Config(n=2, w=1, r=1, clients=("w", "r"), hinted_handoff="sloppy", stand_ins=2)
LEVELED = Config(
    n=3,
    clients=("w", "r"),
    datacenters=(("dc1", 2), ("dc2", 1)),
    write_level="LOCAL_QUORUM",
    read_level="EACH_QUORUM",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="check", exit_on_error=False)
    add_model_arguments(parser)
    return parser


def test_every_config_field_is_one_option_with_configs_default():
    assert [option.field for option in OPTIONS] == [spec.name for spec in fields(Config)]
    assert {option.field: option.default for option in OPTIONS} == {
        spec.name: getattr(Config(), spec.name) for spec in fields(Config)
    }
    # Every option but resolution, which anti-entropy needs at its default (lww), hinted
    # handoff, which does not combine with partitions (HINTED has it), and the levels,
    # which replace w and r (LEVELED has them).
    apart = ("resolution", "hinted_handoff", "stand_ins", "write_level", "read_level")
    assert all(
        getattr(SAMPLE, option.field) != option.default
        for option in OPTIONS
        if option.field not in apart
    )
    assert (HINTED.hinted_handoff, HINTED.stand_ins) != ("off", 0)
    assert LEVELED.write_level and LEVELED.read_level


def test_the_flags_and_the_keys_are_the_ones_users_already_write():
    assert FLAGS == {
        "n": "--n",
        "w": "--w",
        "r": "--r",
        "clients": "--clients",
        "drift": "--drift",
        "max_drops": "--drops",
        "max_crashes": "--crashes",
        "timeouts": "--timeouts",
        "anti_entropy": "--anti-entropy",
        "read_repair": "--read-repair",
        "resolution": "--resolution",
        # docs/MODEL.md's extensions
        "gc_grace": "--gc-grace",
        "purge_repaired": "--purge-repaired",
        "datacenters": "--datacenters",
        "client_dcs": "--client-dcs",
        "write_level": "--write-level",
        "read_level": "--read-level",
        "max_partitions": "--partitions",
        "hinted_handoff": "--hinted-handoff",
        "stand_ins": "--stand-ins",
    }
    assert list(MODEL_KEYS) == [
        "n",
        "w",
        "r",
        "clients",
        "drift",
        "drops",
        "crashes",
        "timeouts",
        "anti_entropy",
        "read_repair",
        "resolution",
        "gc_grace",
        "purge_repaired",
        "datacenters",
        "client_dcs",
        "write_level",
        "read_level",
        "partitions",
        "hinted_handoff",
        "stand_ins",
    ]
    dests = {action.dest for action in _parser()._actions}
    assert {option.dest for option in OPTIONS} <= dests
    # argparse's dest of each flag is what config_from_args reads.
    assert {option.flag.removeprefix("--").replace("-", "_") for option in OPTIONS} <= dests


def test_no_options_is_the_default_config():
    assert config_from_args(_parser().parse_args([])) == Config()


def test_every_option_shows_its_default_in_help():
    text = " ".join(_parser().format_help().split())
    section = text[text.index("model (MODEL.md):") :]
    starts = [0]
    for option in OPTIONS:  # in order: a flag may be named in an earlier option's help
        starts.append(section.index(f" {option.flag} ", starts[-1]))
    starts = starts[1:] + [len(section)]
    for index, option in enumerate(OPTIONS):
        said = section[starts[index] : starts[index + 1]]
        assert f"default {option.shown(option.default)})" in said or (
            f"default {option.shown(option.default)};" in said
        ), said


@pytest.mark.parametrize("sample", ["SAMPLE", "HINTED", "LEVELED"])
def test_each_front_ends_own_words_set_every_option(sample: str):
    """The words an error uses to tell the user what to set are what the user can write."""
    SAMPLE = globals()[sample]  # noqa: N806 - one of the two module samples
    argv = [
        part
        for option in OPTIONS
        if getattr(SAMPLE, option.field) != option.default
        for part in CLI_WORDS.setting(option, getattr(SAMPLE, option.field)).split()
    ]
    assert config_from_args(_parser().parse_args(argv)) == SAMPLE
    toml = "\n".join(  # as the command line: what differs from the default
        GATE_FILE_WORDS.setting(option, getattr(SAMPLE, option.field))
        for option in OPTIONS
        if getattr(SAMPLE, option.field) != option.default
    )
    scenarios = parse_gate(f"[[scenario]]\nname = 'a'\n{toml}\nrequire = ['availability']\n")
    assert scenarios[0].config == SAMPLE


@pytest.mark.parametrize(
    ("options", "flag", "key"),
    [
        ({"n": 0}, "--n", "n"),
        ({"n": 2, "w": 3}, "--w", "w"),
        ({"n": 2, "r": 3}, "--r", "r"),
        ({"clients": "w,x"}, "--clients", "clients"),
        ({"drift": -1}, "--drift", "drift"),
        ({"max_drops": -1}, "--drops", "drops"),
        ({"max_crashes": 4}, "--crashes", "crashes"),
        ({"anti_entropy": True, "resolution": "arrival"}, "--anti-entropy", "anti_entropy"),
        ({"read_repair": "async", "resolution": "arrival"}, "--read-repair", "read_repair"),
    ],
)
def test_a_bad_value_is_named_by_its_flag_or_by_its_key_never_the_other(options, flag, key):
    by_field = {option.field: option for option in OPTIONS}
    argv, toml = [], []
    for field, value in options.items():
        option = by_field[field]
        argv += [option.flag] if option.kind == BOOL else [option.flag, str(value)]
        toml.append(f"{option.key} = {json.dumps(value)}")
    with pytest.raises(UsageError) as command_line:
        config_from_args(_parser().parse_args(argv))
    with pytest.raises(GateError) as gate_file:
        parse_gate("[[scenario]]\nname = 'a'\n" + "\n".join(toml) + "\nrequire = ['stale-read']\n")
    said_on_the_command_line = str(command_line.value)
    said_in_the_file = str(gate_file.value).split("scenario 'a': ", 1)[1]
    assert said_on_the_command_line.startswith(f"{flag}: ")
    assert said_in_the_file.startswith(f"{key}: ")
    assert "--" not in said_in_the_file
    assert not re.search(r"\b(on|off)\b(?!\")", said_in_the_file)  # TOML says true/false
    other_keys = {option.key for option in OPTIONS} - {option.flag[2:] for option in OPTIONS}
    assert not any(re.search(rf"(?<![-\w]){k}\b", said_on_the_command_line) for k in other_keys)


# -- the published JSON Schema of the gate file --------------------------------------------


def test_the_published_schema_is_the_generated_one():
    assert SCHEMA_FILE.read_text() == gate_schema_text(), (
        "docs/schemas/gate.schema.json is stale; regenerate it with\n"
        "python -c 'from leaderless.checker.commands.gate_file import gate_schema_text; "
        'print(gate_schema_text(), end="")\' > docs/schemas/gate.schema.json'
    )
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA_FILE.read_text()))


def _readme_gate_examples() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## The CI gate") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"```toml\n(.*?)```", section, re.DOTALL)


def test_the_examples_and_the_readme_validate():
    files = sorted((ROOT / "examples").glob("*.toml"))
    examples = [path.read_text() for path in files] + _readme_gate_examples()
    assert len(files) >= 1 and len(examples) >= 2
    for text in examples:
        assert list(VALIDATOR.iter_errors(tomllib.loads(text))) == []
        parse_gate(text)  # and the gate takes them too


def test_the_readme_names_every_model_key():
    comments = " ".join(line.partition("#")[2] for line in _readme_gate_examples()[0].splitlines())
    listed = re.search(r"model keys: (.*?) \(as in `check`\)", " ".join(comments.split()))
    assert listed is not None
    assert listed.group(1).split() == list(MODEL_KEYS)


_GOOD = "[[scenario]]\nname = 'a'\nrequire = ['stale-read']\n"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "title = 'x'\n" + _GOOD,
        "[defaults]\nrequire = ['stale-read']\n" + _GOOD,
        _GOOD + "requires = ['stale-read']\n",
        _GOOD + "n = 'three'\n",
        _GOOD + "n = 0\n",
        _GOOD + "crashes = -1\n",
        _GOOD + "timeouts = 'yes'\n",
        _GOOD + "read_repair = 'eager'\n",
        _GOOD + "clients = 'w,x'\n",
        _GOOD + "clients = []\n",
        _GOOD + "anti_entropy = true\nresolution = 'arrival'\n",
        _GOOD + "max_memory = 'lots'\n",
        _GOOD + "max_seconds = 0\n",
        "[[scenario]]\nname = 'a'\nrequire = ['stale-reads']\n",
        "[[scenario]]\nname = ' '\nrequire = ['stale-read']\n",
        "[[scenario]]\nname = 'a'\nrequire = []\n",
        "[[scenario]]\nrequire = ['stale-read']\n",
        "[[scenario]]\nname = 'a'\nread = 'ONE'\nrequire = ['stale-read']\n",
        "[[scenario]]\nname = 'a'\nn = 3\nreplication = { dc1 = 3 }\nread = 'ONE'\n"
        "write = 'ONE'\nrequire = ['quorum-overlap']\n",
        "[[scenario]]\nname = 'a'\nreplication = { dc1 = 3 }\nread = 'ANY'\nwrite = 'ONE'\n"
        "require = ['quorum-overlap']\n",
        "[[scenario]]\nname = 'a'\nreplication = { dc1 = 0 }\nread = 'ONE'\nwrite = 'ONE'\n"
        "require = ['quorum-overlap']\n",
        "[[history]]\nname = 'h'\nfile = 'x.jsonl'\nformat = 'csv'\nrequire = ['stale-read']\n",
        "[[history]]\nname = 'h'\nrequire = ['stale-read']\n",
    ],
)
def test_bad_files_are_refused_by_the_schema_as_by_the_gate(text):
    data = tomllib.loads(text)
    assert list(VALIDATOR.iter_errors(data))
    with pytest.raises(GateError):
        parse_gate(text)
        # [[history]] entries are gate_history's (each is refused before its file is read).
        history_checks(data.get("history", []), text, "leaderless.toml")


# Values near each key's edges, valid and not, so that many generated files pass the gate.
_VALUES = {
    "name": st.sampled_from(["a", " ", "b c"]),
    "n": st.integers(0, 4),
    "w": st.integers(0, 4),
    "r": st.integers(0, 4),
    "clients": st.sampled_from(["w,r", " w , rr ", "w,,r", "x", ["w", "r"], ["w"], []]),
    "drift": st.integers(-1, 1),
    "drops": st.integers(-1, 1),
    "crashes": st.integers(-1, 4),
    "timeouts": st.booleans(),
    "anti_entropy": st.booleans(),
    "read_repair": st.sampled_from(["off", "async", "blocking", "eager"]),
    "resolution": st.sampled_from(["lww", "arrival", "LWW"]),
    "gc_grace": st.integers(-1, 1),
    "purge_repaired": st.booleans(),
    "datacenters": st.sampled_from([{"dc1": 2, "dc2": 1}, {"dc1": 3}, {"dc1": 0}, {}]),
    "client_dcs": st.sampled_from(["dc1,dc2", ["dc1", "dc1"], ["dc9"], "dc1", []]),
    "write_level": st.sampled_from(["ONE", "EACH_QUORUM", "ANY", "MOST"]),
    "read_level": st.sampled_from(["LOCAL_ONE", "ALL", "ANY"]),
    "partitions": st.integers(-1, 1),
    "hinted_handoff": st.sampled_from(["off", "sloppy", "strict", "lazy"]),
    "stand_ins": st.integers(-1, 2),
    "replication": st.sampled_from([{"dc1": 3}, {"dc1": 3, "dc2": 3}, {"dc1": 0}, {}]),
    "read": st.sampled_from(["ONE", " quorum ", "LOCAL_QUORUM", "ANY", "MOST"]),
    "write": st.sampled_from(["ONE", "all", "LOCAL_ONE", "ANY"]),
    "read_dc": st.sampled_from(["dc1", "dc3"]),
    "write_dc": st.sampled_from(["dc1", "dc2"]),
    "sloppy": st.booleans(),
    "max_states": st.integers(0, 2),
    "max_seconds": st.sampled_from([0, 0.5, 30, -1.0]),
    "max_memory": st.sampled_from(["4G", " 1.5 GiB", "50%", "512kb", "100K", "lots"]),
    "symmetry": st.booleans(),
    "require": st.lists(st.sampled_from(["stale-read", "quorum-overlap", "x"]), max_size=2),
    "expect_violated": st.lists(st.sampled_from(["monotonic-reads", "convergence"]), max_size=1),
    "require_visibility": st.sampled_from([["10ms:0.999"], [], ["soon"]]),
    "require_k_staleness": st.sampled_from([["1:0.99"], []]),
    "require_availability": st.sampled_from([["write:0.01:0.999"]]),
    "latency": st.sampled_from(["LNKD-DISK", "exp:1.66", "slow"]),
    "trials": st.integers(0, 2000),
    "seed": st.integers(-1, 1),
}


def _keys_and_values(keys, most: int):
    """A few of `keys`, each with a value near its edges."""
    pair = st.sampled_from(sorted(keys)).flatmap(lambda k: st.tuples(st.just(k), _VALUES[k]))
    return st.lists(pair, max_size=most).map(dict)


_CASSANDRA = {"replication": {"dc1": 3}, "read": "QUORUM", "write": "QUORUM"}
_scenarios = st.lists(
    st.tuples(
        st.sampled_from(
            [{"require": ["stale-read"]}, {**_CASSANDRA, "require": ["quorum-overlap"]}]
        ),
        _keys_and_values(set(SCENARIO_KEYS) - {"name"}, 3),
    ),
    min_size=1,
    max_size=3,
).map(lambda tables: [{"name": f"s{i}", **base, **more} for i, (base, more) in enumerate(tables)])


def _toml_value(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def test_the_fuzzer_knows_every_key():
    assert set(_VALUES) == set(SCENARIO_KEYS)


@settings(max_examples=300, deadline=None)
@given(_keys_and_values(MODEL_KEYS, 2), _scenarios)
def test_the_schema_never_refuses_a_file_the_gate_takes(defaults, scenarios):
    text = "".join(
        [
            "[defaults]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in defaults.items()),
            *(
                "[[scenario]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in table.items())
                for table in scenarios
            ),
        ]
    )
    try:
        taken = parse_gate(text)
    except GateError:
        return
    # Values the gate never looks at, the schema checks all the same: the model keys of a
    # scenario the model cannot express (sloppy, levels per datacenter), and a [defaults]
    # key every scenario sets itself.
    if any(scenario.config is None for scenario in taken):
        return
    if any(all(key in table for table in scenarios) for key in defaults):
        return
    assert list(VALIDATOR.iter_errors(tomllib.loads(text))) == [], text
