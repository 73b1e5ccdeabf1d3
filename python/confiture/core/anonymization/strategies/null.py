"""``null``: Every value becomes NULL / ``None`` (new)."""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class NullConfig(StrategyConfig):
    """No options."""


class NullStrategy(EngineStrategy):
    config_type = NullConfig
    strategy_name = "null"

    def __init__(self, config: NullConfig | None = None) -> None:
        super().__init__(config)
        self.config: NullConfig


__all__ = ["NullConfig", "NullStrategy"]
