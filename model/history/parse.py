"""Readers for recorded histories: Jepsen EDN, Porcupine's test logs, and our JSON lines.

Each reader takes the text of a file and returns a `History`, or raises
`HistoryError` with one line naming where the input is wrong. `parse` picks the
reader from the text when no format is named.

The JSON-lines format, one event per line, in real-time order:

    {"process": 0, "type": "invoke", "f": "write", "key": "x", "value": 1}
    {"process": 0, "type": "ok", "f": "write", "key": "x", "value": 1}
    {"process": 1, "type": "invoke", "f": "read", "key": "x", "value": null}
    {"process": 1, "type": "ok", "f": "read", "key": "x", "value": 1}

`type` is invoke, ok (it happened), fail (it definitely did not happen) or info (it
may have happened); `f` is read, write, cas (value [expected, new]) or append; `key`
may be left out for a single register. An invocation left without a completion counts
as info. Every key starts at null.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from typing import Any

import edn_format
from edn_format import EDNDecodeError, ImmutableDict, ImmutableList, Keyword, Symbol

from leaderless.model.history.records import (
    CAS,
    FAIL,
    FUNCTIONS,
    INFO,
    OK,
    READ,
    SINGLE_KEY,
    WRITE,
    History,
    HistoryError,
    Recorder,
)

FORMATS = ("jsonl", "edn", "porcupine-etcd", "porcupine-kv")
# Tags Jepsen 0.3's history.edn writes: each op as a record, and Java objects (in an
# :error, say) that are only ever shown, never read back.
edn_format.add_tag("jepsen.history.Op", lambda fields: fields)
edn_format.add_tag("object", str)
_TYPES = ("invoke", OK, FAIL, INFO)
# Jepsen's and Porcupine's names for the register operations.
_ALIASES = {"get": READ, "put": WRITE}


def parse(text: str, source_format: str | None = None) -> History:
    """The history in `text`, read as `source_format` (one of FORMATS) or as detected.

    >>> h = parse('{"process": 0, "type": "invoke", "f": "write", "value": 1}\\n'
    ...           '{"process": 0, "type": "ok", "f": "write", "value": 1}\\n')
    >>> h.ops[0].describe(), h.source_format
    ('p0 write 1', 'jsonl')
    """
    source_format = source_format or detect(text)
    if source_format == "jsonl":
        return parse_jsonl(text)
    if source_format == "porcupine-etcd":
        return parse_porcupine_etcd(text)
    if source_format in ("edn", "porcupine-kv"):
        return parse_edn(text, porcupine_kv=source_format == "porcupine-kv")
    raise HistoryError(f"unknown format {source_format!r}; known: {', '.join(FORMATS)}")


def detect(text: str) -> str:
    """The format of `text`, from its first non-blank line."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first:
        raise HistoryError("the history is empty")
    if "jepsen.util" in first:
        return "porcupine-etcd"
    if first.startswith('{"'):
        return "jsonl"
    if first.startswith(("{", "[", "#jepsen")):
        kv = re.search(r":f\s+:(get|put|append)\b", text) and ":key" in text
        return "porcupine-kv" if kv else "edn"
    raise HistoryError(
        f"cannot tell the format from the first line; name it with --format ({', '.join(FORMATS)})"
    )


# JSON lines.


def parse_jsonl(text: str) -> History:
    recorder = Recorder("jsonl")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            event = json.loads(line)
        except json.JSONDecodeError as error:
            raise HistoryError(f"{where}: not JSON ({error.msg})") from None
        if not isinstance(event, dict):
            raise HistoryError(f"{where}: expected a JSON object, got {line.strip()[:40]}")
        for field in ("process", "type", "f"):
            if field not in event:
                raise HistoryError(f"{where}: missing field {field!r}")
        process = event["process"]
        if isinstance(process, bool) or not isinstance(process, int | str):
            raise HistoryError(
                f"{where}: process must be a number or a string, got {json.dumps(process)}"
            )
        _feed(
            recorder,
            where,
            process,
            event["type"],
            event["f"],
            event.get("key", SINGLE_KEY),
            event.get("value"),
        )
    return recorder.history()


def _feed(
    recorder: Recorder, where: str, process: Hashable, kind: Any, f: Any, key: Any, value: Any
) -> None:
    if kind not in _TYPES:
        raise HistoryError(f"{where}: type must be one of {', '.join(_TYPES)}, got {kind!r}")
    f = _ALIASES.get(f, f)
    if f not in FUNCTIONS:
        raise HistoryError(f"{where}: f must be one of {', '.join(FUNCTIONS)}, got {f!r}")
    if isinstance(key, list):
        key = tuple(key)
    if kind == "invoke":
        recorder.invoke(where, process, f, key, value)
    else:
        recorder.complete(where, process, f, kind, value)


# Jepsen EDN (and Porcupine's key-value logs, which are Jepsen EDN with a :key field).


def parse_edn(text: str, porcupine_kv: bool = False) -> History:
    """A Jepsen history: maps with :process, :type, :f, :value, one after another or in
    one vector. Keys come from a :key field, or from Jepsen's independent [key value]
    tuples when every client operation's value is one. Nemesis operations (a process
    that is not a number) are skipped. Porcupine's key-value logs start every key at
    the empty string, as its model does; Jepsen's registers start at nil.
    """
    try:
        forms = edn_format.loads_all(text)
    except EDNDecodeError as error:
        # The reader quotes the text after the error, newlines and all: keep its first words.
        problem = re.split(r" with lexpos| in the area", str(error), maxsplit=1)[0]
        problem = problem.splitlines()[0][:80] if problem else "unreadable"
        raise HistoryError(f"{_edn_error_line(text)}: not EDN ({problem})") from None
    except Exception as error:  # noqa: BLE001 - the reader raises assorted errors on bad text
        raise HistoryError(f"{_edn_error_line(text)}: not EDN ({type(error).__name__})") from None
    if len(forms) == 1 and isinstance(forms[0], list | tuple | ImmutableList):
        forms = list(forms[0])
    events = []
    for number, form in enumerate(forms, 1):
        if not isinstance(form, dict | ImmutableDict):
            raise HistoryError(
                f"record {number}: expected a map like {{:process 0, "
                f":type :invoke, :f :read, :value nil}}, got {str(form)[:40]}"
            )
        events.append({_plain(k): _plain(v) for k, v in form.items()})
    clients = [e for e in events if isinstance(e.get("process"), int)]
    independent = (
        bool(clients)
        and all("key" not in e for e in clients)
        and all(
            _is_tuple(e.get("value")) and (e.get("f") != CAS or _is_tuple(e["value"][1]))
            for e in clients
            if e.get("type") == "invoke"
        )
    )
    recorder = Recorder(
        "porcupine-kv" if porcupine_kv else "edn", initial="" if porcupine_kv else None
    )
    for number, event in enumerate(events, 1):
        if not isinstance(event.get("process"), int):
            continue
        where = f"record {number}"
        for field in ("type", "f"):
            if field not in event:
                raise HistoryError(f"{where}: missing :{field}")
        value: Any = event.get("value")
        key = event.get("key", SINGLE_KEY)
        if independent:
            key, value = value
        _feed(recorder, where, event["process"], event["type"], event["f"], key, value)
    return recorder.history()


def _is_tuple(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2


def _plain(value: Any) -> Any:
    """EDN data as plain Python: keywords and symbols become their names."""
    if isinstance(value, Keyword | Symbol):
        return value.name
    if isinstance(value, dict | ImmutableDict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | ImmutableList):
        return [_plain(v) for v in value]
    if isinstance(value, frozenset):
        return sorted((_plain(v) for v in value), key=repr)
    return value


def _edn_error_line(text: str) -> str:
    """Where EDN stops parsing, found line by line (slow, so only once it has failed)."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            edn_format.loads(line)
        except Exception:  # noqa: BLE001 - any reader error marks the line
            return f"line {number}"
    return "end of file"


# Porcupine's etcd logs: Jepsen's log lines `INFO  jepsen.util - 3 :ok :cas [1 4]`.

_LOG_LINE = re.compile(r"^\S+\s+jepsen\.util\s+-\s+(\d+)\s+:(\w+)\s+:(\w+)\s+(.*?)\s*$")


def parse_porcupine_etcd(text: str) -> History:
    """Porcupine's reading of these logs, kept so its published verdicts apply: a cas
    that fails compared and found another value (an observation, not a no-op), a read
    that fails timed out (its result is unknown), info means the outcome is unknown,
    and lines of other loggers are skipped."""
    recorder = Recorder("porcupine-etcd")
    for number, line in enumerate(text.splitlines(), 1):
        if "jepsen.util" not in line:
            continue
        where = f"line {number}"
        match = _LOG_LINE.match(line)
        if match is None:
            raise HistoryError(f"{where}: expected `INFO jepsen.util - PROCESS :TYPE :F VALUE`")
        process, kind, f, raw = int(match[1]), match[2], match[3], match[4]
        try:
            value = _plain(edn_format.loads(raw))
        except Exception:  # noqa: BLE001 - any reader error is a bad value
            raise HistoryError(f"{where}: cannot read the value {raw!r}") from None
        if kind == "fail" and f == CAS:
            recorder.complete(where, process, CAS, OK, value, swapped=False)
        elif kind == "fail" and f == READ:
            recorder.complete(where, process, READ, INFO, None)
        else:
            _feed(recorder, where, process, kind, f, SINGLE_KEY, value)
    return recorder.history()
