"""``preserve``: The value unchanged."""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class PreserveConfig(StrategyConfig):
    """No options."""


class PreserveStrategy(EngineStrategy):
    config_type = PreserveConfig
    strategy_name = "preserve"

    def __init__(self, config: PreserveConfig | None = None) -> None:
        super().__init__(config)
        self.config: PreserveConfig


__all__ = ["PreserveConfig", "PreserveStrategy"]
