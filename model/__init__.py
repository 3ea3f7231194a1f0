"""The leaderless replication system of MODEL.md as data and pure functions."""

from model.config import Config, ConfigError, parse_clients
from model.properties import CATALOGUE, PROPERTY_IDS, Property
from model.system import ReplicationModel

__all__ = ["CATALOGUE", "PROPERTY_IDS", "Config", "ConfigError", "Property", "ReplicationModel",
           "parse_clients"]
