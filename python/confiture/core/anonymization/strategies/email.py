"""``email``: ``user_{hash}@example.com``: the keyed hash of the trimmed, lower-cased address."""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class EmailMaskConfig(StrategyConfig):
    format: str = "user_{hash}@example.com"
    hash_length: int = 8
    preserve_domain: bool = False


class EmailMaskingStrategy(EngineStrategy):
    config_type = EmailMaskConfig
    strategy_name = "email"

    def __init__(self, config: EmailMaskConfig | None = None) -> None:
        super().__init__(config)
        self.config: EmailMaskConfig


__all__ = ["EmailMaskConfig", "EmailMaskingStrategy"]
