"""`ReplicationModel`: MODEL.md's state machine offered through the checker's protocol.

>>> from leaderless.model import Config, ReplicationModel
>>> model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "rr")))
>>> [p.id for p in model.properties][:2]
['stale-read', 'read-your-writes']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leaderless.model.actions import (
    HintedTransitions,
    Label,
    PartitionedTransitions,
    Transitions,
)
from leaderless.model.config import Config
from leaderless.model.properties import CATALOGUE, Catalogue, Property
from leaderless.model.state import Scope
from leaderless.model.symmetry import Symmetry
from leaderless.model.views import Views

if TYPE_CHECKING:
    from leaderless.model.kernel import CompiledReplicationModel


class ReplicationModel:
    """The leaderless register of MODEL.md for one configuration."""

    def __init__(
        self,
        config: Config,
        min_timestamp: int | None = None,
        properties: tuple[Property, ...] = CATALOGUE,
    ) -> None:
        self.config = config
        self.scope = Scope.of(config, min_timestamp)
        self.properties = properties
        self.catalogue = Catalogue(self.scope, properties)
        self.applicable = self.catalogue.applicable
        self.transitions = (
            HintedTransitions(self.scope)
            if config.stand_ins
            else PartitionedTransitions(self.scope)
            if config.max_partitions
            else Transitions(self.scope)
        )
        self._symmetry = Symmetry(self.scope)
        self._views = Views(self.scope, self.catalogue)
        self.successors = self.transitions.successors
        self.violations = self.catalogue.violations
        self.reached = self.catalogue.reached
        self.canonical_key = self._symmetry.canonical_key
        self.permute = self._symmetry.permute
        self._compiled: dict[bool, CompiledReplicationModel | None] = {}

    def compiled(self, symmetry: bool = False) -> CompiledReplicationModel | None:
        """The compiled kernel of this model (`leaderless.model.kernel`), fingerprinting
        symmetry classes or exact states, or None where it does not cover the
        configuration; made once each."""
        if symmetry not in self._compiled:
            # Imported here: the model itself needs no numba; only a search that
            # uses the kernel loads it.
            from leaderless.model.kernel import compiled_model

            self._compiled[symmetry] = compiled_model(self.transitions, self.catalogue, symmetry)
        return self._compiled[symmetry]

    def initial_states(self) -> list[tuple]:
        return [self.scope.initial_state()]

    def explain(self, property_index: int, state: tuple) -> str | None:
        return self.catalogue.explain(1 << property_index, state)

    def state_view(self, state: tuple) -> dict[str, Any]:
        return self._views.state(state)

    def action_view(self, label: Label) -> dict[str, Any]:
        return self._views.action(label)

    def describe_action(self, label: Label, before: tuple) -> str:
        return self._views.describe(label, before)

    def action_effects(self, label: Label) -> dict[str, Any]:
        return self._views.effects(label)

    def participants(self) -> list[dict[str, Any]]:
        return self._views.participants()

    def operations(self) -> list[dict[str, Any]]:
        return self._views.operations()

    def config_view(self) -> dict[str, Any]:
        return self.config.to_json()
