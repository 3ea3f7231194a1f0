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

Every problem is one `GateError` line naming the file, the line and the problem, with
a suggestion where one exists.
"""

from __future__ import annotations

import argparse
import difflib
import math
import re
import tomllib
from dataclasses import dataclass, replace
from typing import Any

from leaderless.checker.commands.options import memory_size
from leaderless.checker.commands.pbs import GATE_KEYS as STALENESS_KEYS
from leaderless.checker.commands.pbs import Staleness, StalenessKeyError, parse_staleness
from leaderless.model import (
    CATALOGUE,
    PROPERTY_IDS,
    Config,
    ConfigError,
    ReplicationModel,
    parse_clients,
)
from leaderless.proofs.result import InvalidInput
from leaderless.proofs.topology import (
    LOCAL_LEVELS,
    Level,
    Topology,
    parse_level,
    parse_topology,
    requirements,
)

QUORUM_OVERLAP = "quorum-overlap"
CHECK_IDS = (*PROPERTY_IDS, QUORUM_OVERLAP)

# key -> (types accepted, what to say when it is something else)
MODEL_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "n": ((int,), "an integer"),
    "w": ((int,), "an integer"),
    "r": ((int,), "an integer"),
    "clients": ((str, list), 'a string like "w,rr" or a list like ["w", "rr"]'),
    "drift": ((int,), "an integer"),
    "drops": ((int,), "an integer"),
    "crashes": ((int,), "an integer"),
    "timeouts": ((bool,), "true or false"),
    "anti_entropy": ((bool,), "true or false"),
    "read_repair": ((str,), 'a string ("off", "async" or "blocking")'),
    "resolution": ((str,), 'a string ("lww" or "arrival")'),
}
TOPOLOGY_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "replication": ((dict,), "a table like { dc1 = 3, dc2 = 3 }"),
    "read": ((str,), 'a consistency level like "QUORUM"'),
    "write": ((str,), 'a consistency level like "QUORUM"'),
    "read_dc": ((str,), "a datacenter name"),
    "write_dc": ((str,), "a datacenter name"),
    "sloppy": ((bool,), "true or false"),
}
LIMIT_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "max_states": ((int,), "an integer"),
    "max_seconds": ((int, float), "a number"),
    "max_memory": ((str,), 'a size like "4G" or "50%"'),
    "symmetry": ((bool,), "true or false"),
}
EXPECT_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "require": ((list,), 'a list of property ids like ["stale-read"]'),
    "expect_violated": ((list,), 'a list of property ids like ["monotonic-reads"]'),
}
SCENARIO_KEYS = {
    "name": ((str,), "a string"),
    **MODEL_KEYS,
    **TOPOLOGY_KEYS,
    **LIMIT_KEYS,
    **EXPECT_KEYS,
    **STALENESS_KEYS,
}
DEFAULT_KEYS = {**MODEL_KEYS, **LIMIT_KEYS}
_CONFIG_FIELDS = {"drops": "max_drops", "crashes": "max_crashes"}


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
    """A message of the model or the proofs, which speak CLI flags (`--write-dc`) and
    Config field names (`max_crashes`), in the gate file's own keys."""
    for toml_key, field in _CONFIG_FIELDS.items():
        message = re.sub(rf"\b{field}\b", toml_key, message)

    def key(flag: str) -> str:
        return flag.replace("-", "_")

    def setting(match: re.Match) -> str:
        value = match[2] if match[2].isdigit() else f'"{match[2]}"'
        return f"{key(match[1])} = {value}"

    message = re.sub(r"drop --([a-z][a-z-]*)", lambda m: f"set {key(m[1])} = false", message)
    message = re.sub(r"--no-([a-z][a-z-]*)", lambda m: f"{key(m[1])} = false", message)
    message = re.sub(r"--([a-z][a-z-]*) ([A-Za-z0-9_]+)\b(?! \()", setting, message)
    message = re.sub(r"\bpass --([a-z][a-z-]*)", lambda m: f"set {key(m[1])}", message)
    return re.sub(r"--([a-z][a-z-]*)", lambda m: key(m[1]), message)


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
        allowed: dict[str, tuple[tuple[type, ...], str]],
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
            types, wanted = allowed[key]
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
        for key in MODEL_KEYS:
            if key in table:
                value = table[key]
                if key == "clients":
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
                            line(key), f"{where}: {in_toml_words(str(error))}"
                        ) from None
                values[_CONFIG_FIELDS.get(key, key)] = value
        try:
            return Config(**values)
        except ConfigError as error:
            toml_keys = {v: k for k, v in _CONFIG_FIELDS.items()}
            at = None if error.field is None else toml_keys.get(error.field, error.field)
            raise self.fail(
                line(at) if at in table else header, f"{where}: {in_toml_words(str(error))}"
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
                        f"{where}: {prop.id} does not apply to "
                        f"{config.describe()}; see the README's applicability table",
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
        for key in ("n", "w", "r"):
            if key in table:
                raise self.fail(
                    line(key),
                    f"{where}: give either n, w and r or replication "
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
            try:
                levels.append(
                    parse_level(
                        table[side], table.get(f"{side}_dc"), topology, writing=side == "write"
                    )
                )
            except InvalidInput as error:
                key = f"{side}_dc" if "datacenter" in str(error) and f"{side}_dc" in table else side
                raise self.fail(line(key), f"{where}: {in_toml_words(str(error))}") from None
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
        """The model configuration of a Cassandra scenario, when the model can express it:
        the model has no datacenters, so each level must count replicas anywhere."""
        if sloppy:
            return None, (
                "the model has no sloppy quorums (hints counted toward a level, as "
                "Dynamo and Riak do)"
            )
        counts = []
        for level in (read, write):
            needs = requirements(topology, level)
            if (
                len(needs) != 1
                or set(needs[0].nodes) != set(topology.replicas)
                or set(needs[0].weights) != {1}
            ):
                return None, (
                    f"the model has no datacenters, and {level} does not count "
                    "replicas anywhere in the cluster"
                )
            counts.append(needs[0].threshold)
        values = {k: v for k, v in table.items() if k in MODEL_KEYS}
        config = self._config(
            {**values, "n": len(topology.replicas), "r": counts[0], "w": counts[1]},
            where,
            line,
            line("replication"),
        )
        return config, None


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
