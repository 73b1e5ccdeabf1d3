"""``constant``: Every non-NULL value becomes ``value`` (new: not in fraiseql-confiture 0.3.9)."""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class ConstantConfig(StrategyConfig):
    value: str | None = None


class ConstantStrategy(EngineStrategy):
    config_type = ConstantConfig
    strategy_name = "constant"

    def __init__(self, config: ConstantConfig | None = None) -> None:
        super().__init__(config)
        self.config: ConstantConfig


__all__ = ["ConstantConfig", "ConstantStrategy"]
