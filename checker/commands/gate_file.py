"""The gate file (`leaderless.toml`): named scenarios, what each must show, and limits.

    [defaults]                      # optional, for every scenario
    max_seconds = 60

    [[scenario]]
    name = "majority quorums"
    n = 3
    w = 2
    r = 2
    clients = "w,rr"
    require = ["stale-read", "convergence"]
    expect_violated = ["monotonic-reads"]

    [[scenario]]                    # Cassandra vocabulary, always proved with Z3
    name = "two DCs, LOCAL_QUORUM"
    replication = { dc1 = 3, dc2 = 3 }
    write = "LOCAL_QUORUM"
    write_dc = "dc1"
    read = "LOCAL_QUORUM"
    read_dc = "dc2"
    expect_violated = ["quorum-overlap"]

Every problem is one `GateError` line naming the file, the line and the problem, in the
file's own words (its keys and TOML values), with a suggestion where one exists.

The keys and the JSON Schema of the file (`gate_json_schema`, published as
docs/schemas/gate.schema.json for editors that validate TOML) come from the same
tables: the model keys from `leaderless.model.config.OPTIONS`, the others below.
Regenerate the published schema after changing a key (tests/test_option_schema.py
fails until it is):

    python -c 'from leaderless.checker.commands.gate_file import gate_schema_text; print(gate_schema_text(), end="")' > docs/schemas/gate.schema.json
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from leaderless.checker.commands.options import memory_size
from leaderless.checker.commands.pbs import GATE_KEYS as STALENESS_KEYS
from leaderless.checker.commands.pbs import (
    MAX_TRIALS,
    Staleness,
    StalenessKeyError,
    parse_staleness,
)
from leaderless.model import (
    CATALOGUE,
    PROPERTY_IDS,
    Config,
    ConfigError,
    ReplicationModel,
    parse_clients,
)
from leaderless.model.config import (
    BOOL,
    CHOICE,
    CLIENTS,
    DATACENTERS,
    EXTENSIONS,
    NAMES,
    NEEDS,
    OPTION,
    OPTIONAL_CHOICE,
    OPTIONAL_INT,
    OPTIONS,
    Option,
    Words,
)
from leaderless.proofs.result import InvalidInput
from leaderless.proofs.topology import (
    LEVELS,
    LOCAL_LEVELS,
    Level,
    Topology,
    parse_level,
    parse_topology,
)

QUORUM_OVERLAP = "quorum-overlap"
CHECK_IDS = (*PROPERTY_IDS, QUORUM_OVERLAP)
SCHEMA_ID = "https://github.com/leaderless/leaderless/docs/schemas/gate.schema.json"
_JSON_TYPES = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


@dataclass(frozen=True)
class Key:
    """A key of a gate file table: the TOML types its value may have, how to say them in
    an error, and what else the JSON Schema says of the value (range, items, pattern)."""

    types: tuple[type, ...]
    wanted: str  # "an integer", 'a string like "w,rr"'
    description: str  # for the JSON Schema (an editor shows it)
    schema: Mapping[str, Any] = field(default_factory=dict)

    def json_schema(self) -> dict[str, Any]:
        # A number key takes integers too: JSON's "number" already does.
        names = [_JSON_TYPES[t] for t in self.types if not (t is int and float in self.types)]
        return {
            "type": names[0] if len(names) == 1 else names,
            "description": self.description,
            **self.schema,
        }


def _pattern_any_case(word: str) -> str:
    """A regular expression for `word` in any letter case (JSON Schema has no flags)."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


def _model_key(option: Option) -> Key:
    """The gate file key of a model option, from the option itself."""
    default = GATE_FILE_WORDS.value(option, option.default)
    description = f"{option.help} (default {default}; as `check {option.flag}`)"
    if option.kind == BOOL:
        return Key((bool,), "true or false", description, {"default": option.default})
    if option.kind == OPTIONAL_INT:
        # Left out, the option is off (none): TOML has no null.
        return Key((int,), "an integer", description, {"minimum": option.low})
    if option.kind == DATACENTERS:
        return Key(
            (dict,),
            "a table like { dc1 = 3, dc2 = 2 }",
            description,
            {"minProperties": 1, "additionalProperties": {"type": "integer", "minimum": 1}},
        )
    if option.kind == NAMES:
        return Key(
            (str, list),
            'a string like "dc1,dc2" or a list like ["dc1", "dc2"]',
            description,
            {"items": {"type": "string"}, "minItems": 1},
        )
    if option.kind in (CHOICE, OPTIONAL_CHOICE):
        quoted = [f'"{choice}"' for choice in option.choices]
        names = f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        return Key(
            (str,),
            f"a string ({names})",
            description,
            {"enum": list(option.choices)}
            if option.default is None
            else {"enum": list(option.choices), "default": option.default},
        )
    if option.kind == CLIENTS:
        # As parse_clients reads them: scripts of w, d and r, split at commas, spaces around.
        return Key(
            (str, list),
            'a string like "w,rr" or a list like ["w", "rr"]',
            description,
            {
                "pattern": r"^\s*[wdr]+\s*(,\s*[wdr]+\s*)*$",
                "items": {"type": "string", "pattern": "^[wdr]+$"},
                "minItems": 1,
                "default": option.shown(option.default),
            },
        )
    # An option bounded by another (w by n) is bounded by that one's largest value here.
    high = OPTION[option.high].high if isinstance(option.high, str) else option.high
    schema: dict[str, Any] = {"minimum": option.low}
    if high is not None:
        schema["maximum"] = high
    return Key((int,), "an integer", description, {**schema, "default": option.default})


class GateFileWords(Words):
    """The options as a gate file has them: its keys and TOML values (`crashes`,
    `resolution = "lww"`, `anti_entropy = false`)."""

    def name(self, option: Option) -> str:
        return option.key

    def value(self, option: Option, value: Any) -> str:
        if option.kind == BOOL:
            return "true" if value else "false"
        if value is None:
            return "(left out)"
        if option.kind == DATACENTERS:
            return "{ " + ", ".join(f"{name} = {count}" for name, count in value) + " }"
        if option.kind == NAMES:
            return "[" + ", ".join(self.quote(name) for name in value) + "]"
        if option.kind == CLIENTS:
            value = option.shown(value)
        return self.quote(value) if isinstance(value, str) else str(value)

    def setting(self, option: Option, value: Any) -> str:
        return f"{option.key} = {self.value(option, value)}"

    def change(self, option: Option, value: Any) -> str:
        return f"set {self.setting(option, value)}"

    def quote(self, text: str) -> str:
        return json.dumps(text, ensure_ascii=False)


GATE_FILE_WORDS = GateFileWords()
_OPTION_OF_KEY = {option.key: option for option in OPTIONS}

_IDS_SCHEMA = {"items": {"type": "string", "enum": list(CHECK_IDS)}}
_NAME_SCHEMA = {"pattern": r"\S"}  # not blank (the parser also wants it on one line)
_LEVEL_SCHEMA = {
    # parse_level takes a level in any case, spaces around it.
    "pattern": "^\\s*(" + "|".join(_pattern_any_case(level) for level in LEVELS) + ")\\s*$",
    "examples": list(LEVELS),
}
MODEL_KEYS = {option.key: _model_key(option) for option in OPTIONS}
TOPOLOGY_KEYS = {
    "replication": Key(
        (dict,),
        "a table like { dc1 = 3, dc2 = 3 }",
        "Cassandra-style scenario: each datacenter's replication factor",
        {"minProperties": 1, "additionalProperties": {"type": "integer", "minimum": 1}},
    ),
    "read": Key(
        (str,),
        'a consistency level like "QUORUM"',
        "consistency level of reads (not ANY)",
        {
            **_LEVEL_SCHEMA,
            "not": {"pattern": "^\\s*" + _pattern_any_case("ANY") + "\\s*$"},
        },
    ),
    "write": Key(
        (str,), 'a consistency level like "QUORUM"', "consistency level of writes", _LEVEL_SCHEMA
    ),
    "read_dc": Key((str,), "a datacenter name", "coordinator datacenter of a LOCAL_* read level"),
    "write_dc": Key((str,), "a datacenter name", "coordinator datacenter of a LOCAL_* write level"),
    "sloppy": Key(
        (bool,),
        "true or false",
        "a sloppy quorum: hints on stand-in nodes count toward the write level",
        {"default": False},
    ),
}
LIMIT_KEYS = {
    "max_states": Key(
        (int,),
        "an integer",
        "stop after this many distinct states (then inconclusive), as `check --max-states`",
        {"minimum": 1},
    ),
    "max_seconds": Key(
        (int, float),
        "a number",
        "stop after this many seconds (then inconclusive), as `check --max-seconds`",
        {"exclusiveMinimum": 0},
    ),
    "max_memory": Key(
        (str,),
        'a size like "4G" or "50%"',
        "stop at this much memory (then inconclusive), as `check --max-memory`",
        # memory_size's syntax; it also refuses less than 1M and shares over 100%.
        {"pattern": r"^\s*[0-9]*\.?[0-9]+\s*(%|[KkMmGgTt]?)([iI]?[bB])?\s*$"},
    ),
    "symmetry": Key(
        (bool,),
        "true or false",
        "explore with replica symmetry (false: as `check --no-symmetry`)",
        {"default": True},
    ),
}
EXPECT_KEYS = {
    "require": Key(
        (list,),
        'a list of property ids like ["stale-read"]',
        "property ids (and quorum-overlap) that must hold",
        _IDS_SCHEMA,
    ),
    "expect_violated": Key(
        (list,),
        'a list of property ids like ["monotonic-reads"]',
        "known weaknesses: property ids that must stay violated",
        _IDS_SCHEMA,
    ),
}
# What each of `pbs`'s gate keys means (its table has the types; a key it adds without
# a meaning here fails at import).
_STALENESS_MEANINGS = {
    "require_visibility": "t-visibility bounds, as `pbs --require-visibility` "
    '(T:P, "10ms:0.999": at least 99.9% of reads 10 ms after a commit see it)',
    "require_k_staleness": 'k-staleness bounds, as `pbs --require-k-staleness` (K:P, "1:0.99")',
    "require_availability": "availability bounds, as `pbs --require-availability` "
    '(SIDE:F:P, "write:0.01:0.999")',
    "latency": 'latency distributions sampled: a named fit such as "LNKD-DISK", or a spec',
    "trials": "runs sampled for the staleness bounds, as `pbs --trials`",
    "seed": "the sampler's seed, as `pbs --seed`",
}
_STALENESS_KEYS = {
    key: Key(
        types,
        wanted,
        _STALENESS_MEANINGS[key],
        {"items": {"type": "string"}}
        if list in types
        else {"minimum": 1, "maximum": MAX_TRIALS}
        if key == "trials"
        else {},
    )
    for key, (types, wanted) in STALENESS_KEYS.items()
}
SCENARIO_KEYS = {
    "name": Key((str,), "a string", "the scenario's name, one line, used once", _NAME_SCHEMA),
    **MODEL_KEYS,
    **TOPOLOGY_KEYS,
    **LIMIT_KEYS,
    **EXPECT_KEYS,
    **_STALENESS_KEYS,
}
DEFAULT_KEYS = {**MODEL_KEYS, **LIMIT_KEYS}


class GateError(Exception):
    """A gate file the gate cannot run: `file:line: problem`, one line."""


@dataclass(frozen=True)
class Scenario:
    name: str
    config: Config | None  # the model configuration, or None when the model cannot express it
    model_note: str | None  # why there is no model configuration
    topology: Topology | None  # Cassandra scenarios only
    read_level: Level | None
    write_level: Level | None
    sloppy: bool
    require: tuple[str, ...]
    expect_violated: tuple[str, ...]
    max_states: int | None
    max_seconds: float | None
    symmetry: bool
    max_memory: int | None  # bytes; None: the explorer's default ceiling
    staleness: Staleness | None = None  # PBS bounds (require_visibility, ...), see `pbs`

    @property
    def checks(self) -> tuple[str, ...]:
        return self.require + self.expect_violated

    @property
    def model_config(self) -> Config:
        """The model configuration; the parser admits model checks only where there is one."""
        if self.config is None:
            raise ValueError(f"scenario {self.name!r}: {self.model_note}")
        return self.config


class _Locator:
    """Finds the line of a key in the file's text, for messages: tomllib keeps no positions."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def _section_start(self, section: str, index: int) -> int | None:
        header = re.compile(
            r"^\s*\[\[\s*scenario\s*\]\]" if section == "scenario" else r"^\s*\[\s*defaults\s*\]"
        )
        seen = -1
        for number, line in enumerate(self.lines):
            if header.match(line):
                seen += 1
                if seen == index:
                    return number
        return None

    def line(self, section: str, index: int = 0, key: str | None = None) -> int:
        start = self._section_start(section, index)
        if start is None:
            return 1
        if key is not None:
            found = self._key_line(start, key)
            if found is None and section == "scenario":
                # A scenario inherits [defaults]: a key it does not set is written there.
                defaults = self._section_start("defaults", 0)
                found = None if defaults is None else self._key_line(defaults, key)
            if found is not None:
                return found
        return start + 1

    def _key_line(self, start: int, key: str) -> int | None:
        # A key may be written bare, "quoted" or 'quoted' (TOML allows all three).
        name = re.escape(key)
        pattern = re.compile(rf"""^\s*(?:{name}|"{name}"|'{name}')\s*=""")
        for number in range(start + 1, len(self.lines)):
            if re.match(r"^\s*\[", self.lines[number]):
                break
            if pattern.match(self.lines[number]):
                return number + 1
        return None


def in_toml_words(message: str) -> str:
    """A limit as the explorer reports it, in check's flags (`--max-states 20 reached`,
    `lower --max-memory`), in the gate file's keys (`max_states = 20 reached`)."""
    for key in LIMIT_KEYS:
        flag = "--" + key.replace("_", "-")
        message = re.sub(rf"{flag} (?=[0-9])", f"{key} = ", message)
        message = message.replace(flag, key)
    return message


def _suggest(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"


class _Parser:
    def __init__(self, text: str, filename: str) -> None:
        self.filename = filename
        self.locate = _Locator(text)
        self.text = text

    def fail(self, line: int, problem: str) -> GateError:
        return GateError(f"{self.filename}:{line}: {problem}")

    def parse(self) -> list[Scenario]:
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            message = str(error)
            found = re.search(r"\(at line (\d+), column \d+\)", message)
            line = (
                int(found.group(1))
                if found
                else max(1, len(self.locate.lines))
                if "end of document" in message
                else 1
            )
            problem = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
            raise self.fail(line, f"not valid TOML: {problem}") from None
        for key in data:
            if key not in ("defaults", "scenario", "history"):
                raise self.fail(
                    self._top_line(key),
                    f"unknown top-level key {key!r}"
                    + _suggest(key, ["defaults", "scenario", "history"]),
                )
        defaults = data.get("defaults", {})
        if not isinstance(defaults, dict):
            raise self.fail(self._top_line("defaults"), "defaults must be a table: [defaults]")
        self._check_keys(defaults, DEFAULT_KEYS, "defaults", 0, "[defaults]")
        tables = data.get("scenario")
        if tables is None and "history" in data:
            return []  # recorded histories only: gate_history.py reads [[history]]
        if tables is None:
            raise self.fail(
                1,
                "no scenario: add a [[scenario]] table with a name and what it "
                "must show (see the README's gate file section)",
            )
        if not isinstance(tables, list):
            raise self.fail(
                self._top_line("scenario"),
                "scenario must be an array of tables: write [[scenario]]",
            )
        scenarios = []
        names: set[str] = set()
        for index, table in enumerate(tables):
            if not isinstance(table, dict):
                raise self.fail(self.locate.line("scenario", index), "a scenario must be a table")
            scenario = self._scenario(index, {**defaults, **table})
            if scenario.name in names:
                raise self.fail(
                    self.locate.line("scenario", index, "name"),
                    f"scenario name {scenario.name!r} is used twice",
                )
            names.add(scenario.name)
            scenarios.append(scenario)
        return scenarios

    def _top_line(self, key: str) -> int:
        for number, line in enumerate(self.locate.lines):
            if re.match(rf"^\s*\[*\s*{re.escape(key)}\b", line):
                return number + 1
        return 1

    def _check_keys(
        self,
        table: dict[str, Any],
        allowed: Mapping[str, Key],
        section: str,
        index: int,
        where: str,
    ) -> None:
        for key, value in table.items():
            line = self.locate.line(section, index, key)
            if key not in allowed:
                raise self.fail(
                    line, f"unknown key {key!r} in {where}" + _suggest(key, sorted(allowed))
                )
            types, wanted = allowed[key].types, allowed[key].wanted
            if isinstance(value, bool) and bool not in types:
                raise self.fail(line, f"{key} in {where} must be {wanted}, got {value!r}")
            if not isinstance(value, types):
                raise self.fail(line, f"{key} in {where} must be {wanted}, got {value!r}")

    def _scenario(self, index: int, table: dict[str, Any]) -> Scenario:
        header = self.locate.line("scenario", index)
        name = table.get("name")
        where = f"scenario {name!r}" if isinstance(name, str) else f"scenario #{index + 1}"
        self._check_keys(table, SCENARIO_KEYS, "scenario", index, where)
        if not isinstance(name, str) or not name.strip():
            raise self.fail(header, f'{where} needs a name: name = "..."')
        if not name.isprintable():
            # A name is a table cell, a JUnit attribute and a heading: one line of text
            # (XML cannot even hold most control characters).
            raise self.fail(
                self.locate.line("scenario", index, "name"),
                f"scenario name {name!r} has a line break or "
                "control character; give it one line of text",
            )

        def line(key: str) -> int:
            return self.locate.line("scenario", index, key)

        require = self._ids(table, "require", where, line)
        expect_violated = self._ids(table, "expect_violated", where, line)
        try:
            staleness = parse_staleness(table)
        except StalenessKeyError as error:
            raise self.fail(line(error.key), f"{where}: {error}") from None
        if not require and not expect_violated and staleness is None:
            raise self.fail(
                header,
                f"{where} requires nothing: add require = [...] or "
                "expect_violated = [...] (or a staleness bound such as "
                'require_visibility = ["10ms:0.999"])',
            )
        both = sorted(set(require) & set(expect_violated))
        if both:
            raise self.fail(
                line("expect_violated"),
                f"{where}: {both[0]!r} is both required and expected violated",
            )
        limits = self._limits(table, where, line)
        if "replication" in table:
            return replace(
                self._cassandra(table, where, line, require, expect_violated, limits),
                staleness=staleness,
            )
        for key in TOPOLOGY_KEYS:
            if key in table:
                raise self.fail(
                    line(key),
                    f"{where}: {key} needs replication = {{ dc1 = 3 }}; "
                    "a model scenario uses n, w and r",
                )
        config = self._config(table, where, line, header)
        self._applicable(config, require, expect_violated, where, line)
        return Scenario(
            name,
            config,
            None,
            None,
            None,
            None,
            False,
            require,
            expect_violated,
            *limits,
            staleness=staleness,
        )

    def _ids(self, table: dict[str, Any], key: str, where: str, line) -> tuple[str, ...]:
        ids = table.get(key, [])
        for item in ids:
            if not isinstance(item, str):
                raise self.fail(
                    line(key), f"{key} in {where} must list property ids as strings, got {item!r}"
                )
            if item not in CHECK_IDS:
                raise self.fail(
                    line(key),
                    f"unknown property {item!r} in {where}" + _suggest(item, list(CHECK_IDS)),
                )
        return tuple(ids)

    def _limits(
        self, table: dict[str, Any], where: str, line
    ) -> tuple[int | None, float | None, bool, int | None]:
        max_states = table.get("max_states")
        max_seconds = table.get("max_seconds")
        if max_states is not None and max_states < 1:
            raise self.fail(line("max_states"), f"max_states in {where} must be >= 1")
        if max_seconds is not None and not (math.isfinite(max_seconds) and max_seconds > 0):
            raise self.fail(
                line("max_seconds"),
                f"max_seconds in {where} must be a number of seconds > 0, got {max_seconds!r}",
            )
        max_memory = table.get("max_memory")
        if max_memory is not None:
            try:
                max_memory = memory_size(max_memory)
            except argparse.ArgumentTypeError as error:
                raise self.fail(line("max_memory"), f"max_memory in {where}: {error}") from None
        return max_states, max_seconds, table.get("symmetry", True), max_memory

    def _config(self, table: dict[str, Any], where: str, line, header: int) -> Config:
        values: dict[str, Any] = {}
        for key, option in _OPTION_OF_KEY.items():
            if key in table:
                value = table[key]
                if option.kind == CLIENTS:
                    if isinstance(value, list) and not all(isinstance(c, str) for c in value):
                        bad = next(c for c in value if not isinstance(c, str))
                        raise self.fail(
                            line(key),
                            f"clients in {where} must list scripts as "
                            f'strings like ["w", "rr"], got {bad!r}',
                        )
                    try:
                        value = parse_clients(value) if isinstance(value, str) else tuple(value)
                    except ConfigError as error:
                        raise self.fail(
                            line(key), f"{where}: {error.worded(GATE_FILE_WORDS)}"
                        ) from None
                elif option.kind == DATACENTERS and isinstance(value, dict):
                    value = tuple(value.items())
                elif option.kind == NAMES and isinstance(value, str):
                    value = tuple(name.strip() for name in value.split(","))
                elif option.kind == NAMES:
                    value = tuple(value)
                values[option.field] = value
        for count_key, level in (("w", "write_level"), ("r", "read_level")):
            if count_key in table and level in table:
                raise self.fail(
                    line(level),
                    f"{where}: {count_key} and {level} both say what a "
                    f"{'write' if count_key == 'w' else 'read'} needs; give one",
                )
        if values.get("datacenters") is not None and "n" not in table:
            values["n"] = sum(count for _, count in values["datacenters"])
        for count_key, level in (("w", "write_level"), ("r", "read_level")):
            # A level replaces the count; keep the unused count in range of a small n.
            if values.get(level) is not None and count_key not in table:
                default = getattr(Config(), count_key)
                values[count_key] = min(default, values.get("n", Config().n))
        try:
            return Config(**values)
        except ConfigError as error:
            at = None if error.field is None else OPTION[error.field].key
            raise self.fail(
                line(at) if at in table else header, f"{where}: {error.worded(GATE_FILE_WORDS)}"
            ) from None

    def _applicable(
        self,
        config: Config,
        require: tuple[str, ...],
        expect_violated: tuple[str, ...],
        where: str,
        line,
    ) -> None:
        applicable = ReplicationModel(config).applicable
        for bit, prop in enumerate(CATALOGUE):
            if applicable >> bit & 1:
                continue
            for key, ids in (("require", require), ("expect_violated", expect_violated)):
                if prop.id in ids:
                    raise self.fail(
                        line(key),
                        f"{where}: {prop.id} does not apply to {_in_toml(config)}; "
                        "see the README's applicability table",
                    )

    def _cassandra(
        self,
        table: dict[str, Any],
        where: str,
        line,
        require: tuple[str, ...],
        expect_violated: tuple[str, ...],
        limits: tuple,
    ) -> Scenario:
        for key in ("n", "w", "r", "datacenters", "write_level", "read_level"):
            if key in table:
                raise self.fail(
                    line(key),
                    f"{where}: give either {key} (the model's keys) or replication "
                    "with read and write levels, not both",
                )
        for key in ("read", "write"):
            if key not in table:
                raise self.fail(
                    line("replication"),
                    f'{where}: replication needs {key} = "LEVEL" (ONE, QUORUM, LOCAL_QUORUM, ...)',
                )
        replication = table["replication"]
        if not replication:
            raise self.fail(
                line("replication"),
                f"{where}: replication names no datacenter; "
                "give each its replication factor, like { dc1 = 3 }",
            )
        for dc, factor in replication.items():
            if isinstance(factor, bool) or not isinstance(factor, int) or factor < 1:
                raise self.fail(
                    line("replication"),
                    f"{where}: replication factor of {dc!r} "
                    f"must be an integer >= 1, got {factor!r}",
                )
        try:
            topology = parse_topology(
                {
                    "datacenters": {
                        dc: {"replication_factor": factor} for dc, factor in replication.items()
                    }
                }
            )
        except InvalidInput as error:
            # The topology file's words ([datacenters.dc1] replication_factor) in the gate's.
            problem = re.sub(
                r"\[datacenters\.([^\]]+)\] replication_factor", r"replication \1", str(error)
            )
            raise self.fail(line("replication"), f"{where}: {problem}") from None
        levels = []
        for side in ("read", "write"):
            level = table[side].strip().upper()
            if level in LOCAL_LEVELS and f"{side}_dc" not in table and len(replication) > 1:
                raise self.fail(
                    line(side),
                    f"{where}: {level} needs a coordinator datacenter: set {side}_dc "
                    f"(one of {', '.join(replication)})",
                )
            try:
                levels.append(
                    parse_level(
                        table[side], table.get(f"{side}_dc"), topology, writing=side == "write"
                    )
                )
            except InvalidInput as error:
                key = f"{side}_dc" if "datacenter" in str(error) and f"{side}_dc" in table else side
                raise self.fail(line(key), f"{where}: {error}") from None
            if f"{side}_dc" in table and levels[-1].name not in LOCAL_LEVELS:
                raise self.fail(
                    line(f"{side}_dc"),
                    f"{where}: {side}_dc names the coordinator "
                    f"DC of a LOCAL_* level, and {levels[-1].name} has none: remove "
                    f"{side}_dc or use LOCAL_ONE or LOCAL_QUORUM",
                )
        read, write = levels
        sloppy = table.get("sloppy", False)
        config, note = self._model_of(table, where, line, topology, read, write, sloppy)
        model_checks = [c for c in require + expect_violated if c != QUORUM_OVERLAP]
        if config is None and model_checks:
            key = "require" if any(c in require for c in model_checks) else "expect_violated"
            raise self.fail(
                line(key),
                f"{where}: {model_checks[0]} needs the model, but "
                f"{note}; keep only {QUORUM_OVERLAP!r} here",
            )
        if config is not None:
            self._applicable(config, require, expect_violated, where, line)
        return Scenario(
            table["name"],
            config,
            note,
            topology,
            read,
            write,
            sloppy,
            require,
            expect_violated,
            *limits,
        )

    def _model_of(
        self,
        table: dict[str, Any],
        where: str,
        line,
        topology: Topology,
        read: Level,
        write: Level,
        sloppy: bool,
    ) -> tuple[Config | None, str | None]:
        """The model configuration of a Cassandra scenario: its datacenters and levels
        (docs/MODEL.md's extension), each client coordinated in the datacenter of its
        first op's side (write_dc for a client that starts with a write or delete,
        read_dc for one that starts with a read) unless client_dcs says otherwise.
        None, with why, when the model cannot express it (sloppy quorums, Gifford votes)."""
        if sloppy:
            return None, (
                "the model has no sloppy quorums (hints counted toward a level, as "
                "Dynamo and Riak do)"
            )
        if any(set(dc.votes) != {1} for dc in topology.datacenters):
            return None, "the model counts replicas, not Gifford votes"
        values = {k: v for k, v in table.items() if k in MODEL_KEYS}
        datacenters = tuple((dc.name, len(dc.replicas)) for dc in topology.datacenters)
        names = [name for name, _ in datacenters]
        if "client_dcs" not in values:
            try:
                clients = (
                    Config().clients
                    if "clients" not in values
                    else parse_clients(values["clients"])
                    if isinstance(values["clients"], str)
                    else tuple(values["clients"])
                )
            except ConfigError:
                clients = ()  # _config below reports the scripts in the file's words
            sides = {"read": table.get("read_dc"), "write": table.get("write_dc")}
            values["client_dcs"] = [
                sides["read" if script[:1] == "r" else "write"] or names[0] for script in clients
            ]
        config = self._config(
            {
                **values,
                "n": len(topology.replicas),
                "datacenters": dict(datacenters),
                "write_level": write.name,
                "read_level": read.name,
            },
            where,
            line,
            line("replication"),
        )
        return config, None


def _in_toml(config: Config) -> str:
    """The configuration as a gate file sets it: n = 3, w = 2, ..., resolution = "lww"."""
    return ", ".join(
        GATE_FILE_WORDS.setting(option, getattr(config, option.field))
        for option in OPTIONS
        if option.field not in EXTENSIONS or getattr(config, option.field) != option.default
    )


def parse_gate(text: str, filename: str = "leaderless.toml") -> list[Scenario]:
    """The scenarios of a gate file's text; raises GateError (one line) on any problem."""
    return _Parser(text, filename).parse()


def load_gate(path: str) -> list[Scenario]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        raise GateError(f"{path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise GateError(f"{path}:1: not a text file (UTF-8)") from None
    return parse_gate(text, path)


def _table_schema(keys: Mapping[str, Key], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "properties": {key: spec.json_schema() for key, spec in keys.items()},
    }


def _has(*keys: str) -> dict[str, Any]:
    return {"required": list(keys)}


def _scenario_schema() -> dict[str, Any]:
    """A [[scenario]] table, with the rules between its keys that hold whatever
    [defaults] says (a scenario's own keys win over [defaults])."""
    schema = _table_schema(
        SCENARIO_KEYS,
        "A scenario: a model configuration (n, w, r, ...) or a Cassandra-style one "
        "(replication, read, write), what it must show, and limits.",
    )
    schema["required"] = ["name"]
    staleness_lists = [key for key, (types, _) in STALENESS_KEYS.items() if list in types]
    schema["anyOf"] = [  # it requires something
        {**_has("require"), "properties": {"require": {"minItems": 1}}},
        {**_has("expect_violated"), "properties": {"expect_violated": {"minItems": 1}}},
        *(_has(key) for key in staleness_lists),
    ]
    rules: list[dict[str, Any]] = [
        {"not": {**_has("replication"), "anyOf": [_has("n"), _has("w"), _has("r")]}},
        {"anyOf": [{"not": _has("replication")}, _has("read", "write")]},
        {
            "anyOf": [
                _has("replication"),
                {"not": {"anyOf": [_has(key) for key in TOPOLOGY_KEYS if key != "replication"]}},
            ]
        },
    ]
    for needs in NEEDS:
        # Only where the model is built: a Cassandra scenario the model cannot express
        # (sloppy, levels per datacenter) leaves its model keys unchecked.
        option, other = OPTION[needs.field], OPTION[needs.other]
        rules.append(
            {
                "not": {
                    **_has(option.key, other.key),
                    "properties": {
                        option.key: {"not": {"enum": [needs.unless]}},
                        other.key: {"not": {"enum": [needs.value, *needs.also]}},
                    },
                    "not": _has("replication"),
                }
            }
        )
    schema["allOf"] = rules
    return schema


def gate_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a gate file as TOML parses it, for editors
    that validate TOML against one. It checks what one table says; the gate checks
    more (w and r within n, names used once, a level the topology can meet, ...)."""
    # gate_history imports this module (for GateError), so it is imported here.
    from leaderless.checker.commands.gate_history import HISTORY_KEYS

    history = _table_schema(
        HISTORY_KEYS,
        "A recorded history that must keep (or keep showing) properties, checked as "
        "`leaderless history` checks it.",
    )
    history["required"] = ["name", "file"]
    history["anyOf"] = [
        {**_has(key), "properties": {key: {"minItems": 1}}}
        for key in ("require", "expect_violated")
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "leaderless gate file",
        "description": (
            "The gate file of `leaderless gate` (default leaderless.toml): named scenarios, "
            "what each must show, and limits. Generated from the gate's own key tables "
            "(checker/commands/gate_file.py); see the README's section on the CI gate."
        ),
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "defaults": _table_schema(
                DEFAULT_KEYS, "Model keys and limits for every scenario that does not set them."
            ),
            "scenario": {"type": "array", "items": _scenario_schema()},
            "history": {"type": "array", "items": history},
        },
        "anyOf": [_has("scenario"), _has("history")],
    }


def gate_schema_text() -> str:
    """docs/schemas/gate.schema.json as it should read."""
    return json.dumps(gate_json_schema(), indent=2, ensure_ascii=False) + "\n"
