"""``name``: Realistic replacement names (``firstname_lastname``), initials, or random letters."""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class NameMaskConfig(StrategyConfig):
    format_type: str = "firstname_lastname"
    preserve_initial: bool = False
    case_preserving: bool = True


class NameMaskingStrategy(EngineStrategy):
    config_type = NameMaskConfig
    strategy_name = "name"

    def __init__(self, config: NameMaskConfig | None = None) -> None:
        super().__init__(config)
        self.config: NameMaskConfig


__all__ = ["NameMaskConfig", "NameMaskingStrategy"]
