"""``faker``: realistic values from the ``fake`` crate (name, email, address, …).

Drawn with the keyed PRF (new: not in fraiseql-confiture 0.3.9).
"""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class FakerConfig(StrategyConfig):
    kind: str = "name"
    locale: str = "en"


class FakerStrategy(EngineStrategy):
    config_type = FakerConfig
    strategy_name = "faker"

    def __init__(self, config: FakerConfig | None = None) -> None:
        super().__init__(config)
        self.config: FakerConfig


__all__ = ["FakerConfig", "FakerStrategy"]
