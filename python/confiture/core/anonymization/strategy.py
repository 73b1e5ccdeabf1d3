"""Strategy configs and the strategy base classes.

``AnonymizationStrategy`` is fraiseql-confiture's abstract base (subclass it for your own Python
strategies). The built-in strategies derive from ``EngineStrategy``: their ``anonymize`` runs in
the engine, keyed with ``CONFITURE_ANONYMIZATION_KEY``, and gives the same output as
``confiture sync`` for the same strategy, config and seed.
"""

from __future__ import annotations

import datetime
import json
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from confiture import _core

_COMMON = ("seed", "seed_env_var", "name")


@dataclass
class StrategyConfig:
    """Fields every strategy config has. ``seed`` (or the integer in ``seed_env_var``) selects
    another output domain; it is not a secret (the key is)."""

    seed: int | None = None
    seed_env_var: str | None = None
    name: str = ""


def resolve_seed(config: StrategyConfig) -> int:
    """The seed in the variable named by ``seed_env_var`` (an integer, else ``ValueError``), else
    ``seed``, else 0."""
    return _core.resolve_seed(config.seed, config.seed_env_var)


class AnonymizationStrategy(ABC):
    """Base class of anonymization strategies."""

    config_type: ClassVar[type[StrategyConfig]] = StrategyConfig
    strategy_name: ClassVar[str] = "base"

    def __init__(self, config: StrategyConfig | None = None) -> None:
        self.config = config if config is not None else self.config_type()
        self._seed = resolve_seed(self.config)

    @abstractmethod
    def anonymize(self, value: Any) -> Any:
        """The replacement of ``value``."""

    @abstractmethod
    def validate(self, value: Any) -> bool:
        """Whether this strategy can handle ``value``."""

    def validate_comprehensive(
        self, value: Any, column_name: str = "", table_name: str = ""
    ) -> tuple[bool, list[str]]:
        if self.validate(value):
            return True, []
        return False, [f"Column {table_name}.{column_name}: value not suitable for {self.strategy_name}"]

    def name_short(self) -> str:
        return type(self).__name__.removesuffix("Strategy").lower()


class EngineStrategy(AnonymizationStrategy):
    """A strategy computed by the engine. Strings map to strings; ``None`` stays ``None``;
    dates and datetimes go through their ISO form and come back as the same type; dicts (the
    ``address`` strategy's structured format) go through JSON."""

    def __init__(self, config: StrategyConfig | None = None) -> None:
        super().__init__(config)
        self._compiled: _core.Anonymizer | None = None
        self._compiled_for: dict[str, Any] | None = None

    def _engine(self) -> _core.Anonymizer:
        fields = {k: v for k, v in asdict(self.config).items() if k not in _COMMON}
        seed = resolve_seed(self.config)
        key = {"fields": fields, "seed": seed}
        if self._compiled is None or self._compiled_for != key:
            self._compiled = _core.Anonymizer(self.strategy_name, fields, seed)
            self._compiled_for = key
        return self._compiled

    def anonymize(self, value: Any) -> Any:
        if value is None:
            return None
        engine = self._engine()
        if isinstance(value, str):
            return engine.anonymize(value)
        if isinstance(value, datetime.datetime):
            out = engine.anonymize(value.isoformat(sep=" "))
            return None if out is None else datetime.datetime.fromisoformat(out)
        if isinstance(value, datetime.date):
            out = engine.anonymize(value.isoformat())
            return None if out is None else datetime.date.fromisoformat(out[:10])
        if isinstance(value, dict):
            out = engine.anonymize(json.dumps(value))
            return None if out is None else json.loads(out)
        return engine.anonymize(str(value))

    def anonymize_many(self, values: list[str | None]) -> list[str | None]:
        """Many values in one engine call."""
        return self._engine().anonymize_many(list(values))

    def validate(self, value: Any) -> bool:
        if value is None:
            return True
        return isinstance(value, str) and self._engine().looks_valid(value)

    def short_name(self) -> str:
        return self.strategy_name


__all__ = ["AnonymizationStrategy", "EngineStrategy", "StrategyConfig", "resolve_seed"]
