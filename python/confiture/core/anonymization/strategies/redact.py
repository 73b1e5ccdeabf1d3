"""``redact``: Every value becomes ``replacement``."""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class RedactConfig(StrategyConfig):
    replacement: str = "[REDACTED]"


class SimpleRedactStrategy(EngineStrategy):
    config_type = RedactConfig
    strategy_name = "redact"

    def __init__(self, config: RedactConfig | None = None) -> None:
        super().__init__(config)
        self.config: RedactConfig


__all__ = ["RedactConfig", "SimpleRedactStrategy"]
