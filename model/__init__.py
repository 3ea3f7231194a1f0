"""The leaderless replication system of MODEL.md as data and pure functions."""

from leaderless.model.config import Config, ConfigError, parse_clients
from leaderless.model.properties import CATALOGUE, PROPERTY_IDS, Property
from leaderless.model.system import ReplicationModel

__all__ = [
    "CATALOGUE",
    "PROPERTY_IDS",
    "Config",
    "ConfigError",
    "Property",
    "ReplicationModel",
    "parse_clients",
]
