"""``tokenization``: ``TOKEN_`` and keyed characters (tokens are not stored, so not reversible)."""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class TokenizationConfig(StrategyConfig):
    token_prefix: str = "TOKEN_"
    token_length: int = 16
    hash_algorithm: str = "sha256"
    separator: str = "_"
    allow_reversals: bool = True
    reversal_requires_reason: bool = True


class TokenizationStrategy(EngineStrategy):
    config_type = TokenizationConfig
    strategy_name = "tokenization"

    def __init__(self, config: TokenizationConfig | None = None) -> None:
        super().__init__(config)
        self.config: TokenizationConfig


__all__ = ["TokenizationConfig", "TokenizationStrategy"]
