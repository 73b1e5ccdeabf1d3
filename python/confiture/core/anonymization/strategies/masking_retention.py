"""``masking_retention``: Partial masking that keeps the first/last characters and the delimiters."""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class MaskingRetentionConfig(StrategyConfig):
    preserve_pattern: bool = True
    preserve_start_chars: int = 0
    preserve_end_chars: int = 0
    mask_char: str = "*"
    mask_percentage: int = 100
    preserve_delimiters: bool = True


class MaskingRetentionStrategy(EngineStrategy):
    config_type = MaskingRetentionConfig
    strategy_name = "masking_retention"

    def __init__(self, config: MaskingRetentionConfig | None = None) -> None:
        super().__init__(config)
        self.config: MaskingRetentionConfig


__all__ = ["MaskingRetentionConfig", "MaskingRetentionStrategy"]
