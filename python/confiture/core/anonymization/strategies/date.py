"""``date``: dates moved by a keyed jitter within ``jitter_days``.

Never onto the same day; the year (or month) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class DateMaskConfig(StrategyConfig):
    preserve: str = "year"
    jitter_days: int = 30
    output_format: str | None = None


class DateMaskingStrategy(EngineStrategy):
    config_type = DateMaskConfig
    strategy_name = "date"

    def __init__(self, config: DateMaskConfig | None = None) -> None:
        super().__init__(config)
        self.config: DateMaskConfig


__all__ = ["DateMaskConfig", "DateMaskingStrategy"]
