"""The JSON Schema of the model configuration as reports print it under "config"
(docs/schemas/config.schema.json), generated from the one table of model options,
`leaderless.model.config.OPTIONS`, as the gate file's schema is. A new option reaches
the published schema when it is regenerated:

    python -c 'from leaderless.checker.commands.config_schema import config_schema_text; print(config_schema_text(), end="")' > docs/schemas/config.schema.json
"""

from __future__ import annotations

import json
from typing import Any

from leaderless.model.config import (
    BOOL,
    CHOICE,
    CLIENTS,
    DATACENTERS,
    INT,
    NAMES,
    OPTIONAL_CHOICE,
    OPTIONAL_INT,
    OPTIONS,
    Option,
)

SCHEMA_ID = "https://github.com/leaderless/leaderless/docs/schemas/config.schema.json"
# The fields `matrix` ranges over (null there): $defs/options is every other one.
QUORUMS = ("w", "r")


def value_schema(option: Option) -> dict[str, Any]:
    """What Config.to_json writes for the option."""
    kind = option.kind
    if kind == INT:
        schema: dict[str, Any] = {"type": "integer", "minimum": option.low}
        if isinstance(option.high, int):
            schema["maximum"] = option.high
    elif kind == BOOL:
        schema = {"type": "boolean"}
    elif kind == CHOICE:
        schema = {"enum": list(option.choices)}
    elif kind == CLIENTS:
        # As the config's script check allows: w (write), d (delete), r (read).
        script = {"type": "string", "pattern": "^[wdr]+$"}
        schema = {"type": "array", "items": script, "minItems": 1}
    elif kind == OPTIONAL_INT:
        schema = {"type": ["integer", "null"], "minimum": option.low}
    elif kind == OPTIONAL_CHOICE:
        schema = {"enum": [*option.choices, None]}
    elif kind == DATACENTERS:
        pair = {
            "type": "array",
            "prefixItems": [{"type": "string"}, {"type": "integer", "minimum": 1}],
            "minItems": 2,
            "maxItems": 2,
        }
        schema = {"type": ["array", "null"], "items": pair, "minItems": 1}
    elif kind == NAMES:
        schema = {"type": ["array", "null"], "items": {"type": "string"}}
    else:
        raise ValueError(
            f"option {option.field}: no JSON Schema for its kind {kind!r}; "
            "add one to checker/commands/config_schema.py"
        )
    return {"description": option.help, **schema}


def config_json_schema() -> dict[str, Any]:
    options = {o.field: value_schema(o) for o in OPTIONS if o.field not in QUORUMS}
    quorums = {o.field: value_schema(o) for o in OPTIONS if o.field in QUORUMS}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "leaderless model configuration (in reports)",
        "description": (
            "The model configuration as every report that explores or encodes the model "
            'writes it under "config" (Config.to_json; MODEL.md\'s configuration table). '
            "$defs/options is every option but the quorums, for reports that range over "
            "them (matrix). Generated from leaderless.model.config.OPTIONS by "
            "checker/commands/config_schema.py."
        ),
        "$defs": {"options": {"type": "object", "required": list(options), "properties": options}},
        "type": "object",
        "allOf": [{"$ref": "#/$defs/options"}],
        "required": list(quorums),
        "properties": quorums,
        "unevaluatedProperties": False,
    }


def config_schema_text() -> str:
    """docs/schemas/config.schema.json as it should read."""
    return json.dumps(config_json_schema(), indent=2, ensure_ascii=False) + "\n"
