"""JSON reports as contracts: what every subcommand's JSON report shares.

Each report starts with its `schema_version` and the `command` that printed it, and
docs/schemas/<command>.schema.json describes the rest (the README's "JSON reports"
section lists them). The version is an integer, bumped on any change a reader of the
previous version could trip on (a key renamed, removed or retyped); adding an
optional key is not such a change.

`--no-times` leaves out every measured duration (the keys in TIME_KEYS, wherever they
are), so that two runs of the same command print the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_VERSION = 1
# Keys that hold wall-clock durations of the run itself; limits the user gave (such as
# max_seconds) and modelled times (such as t_ms) are inputs and results, not timings.
TIME_KEYS = frozenset({"seconds", "seconds_to_first", "build_seconds"})


def without_times(data: Any) -> Any:
    """`data` with every key of TIME_KEYS left out, at any depth."""
    if isinstance(data, dict):
        return {k: without_times(v) for k, v in data.items() if k not in TIME_KEYS}
    if isinstance(data, list):
        return [without_times(v) for v in data]
    return data


def report(command: str, data: dict[str, Any], *, times: bool = True) -> dict[str, Any]:
    """The report as printed: schema_version and command first, then `data`."""
    body = data if times else without_times(data)
    return {"schema_version": SCHEMA_VERSION, "command": command, **body}


def report_json(command: str, data: dict[str, Any], *, times: bool = True) -> str:
    return json.dumps(report(command, data, times=times), indent=2)
