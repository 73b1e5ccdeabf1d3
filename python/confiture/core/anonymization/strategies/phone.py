"""``phone``: ``+1-555-{number}`` (four keyed digits; each ``#`` in the format is one more)."""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class PhoneMaskConfig(StrategyConfig):
    format: str = "+1-555-{number}"
    preserve_country_code: bool = False


class PhoneMaskingStrategy(EngineStrategy):
    config_type = PhoneMaskConfig
    strategy_name = "phone"

    def __init__(self, config: PhoneMaskConfig | None = None) -> None:
        super().__init__(config)
        self.config: PhoneMaskConfig


__all__ = ["PhoneMaskConfig", "PhoneMaskingStrategy"]
