"""``text_redaction``: E-mail addresses, phone numbers, card numbers, IPs, … inside free text replaced."""

from __future__ import annotations

from dataclasses import dataclass, field

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class TextRedactionConfig(StrategyConfig):
    patterns: list[str] = field(default_factory=lambda: ["email"])
    replacement: str = "[REDACTED]"
    case_insensitive: bool = True
    preserve_length: bool = False


class TextRedactionStrategy(EngineStrategy):
    config_type = TextRedactionConfig
    strategy_name = "text_redaction"

    def __init__(self, config: TextRedactionConfig | None = None) -> None:
        super().__init__(config)
        self.config: TextRedactionConfig


__all__ = ["TextRedactionConfig", "TextRedactionStrategy"]
