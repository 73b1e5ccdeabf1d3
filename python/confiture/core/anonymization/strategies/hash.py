"""``hash``: Keyed HMAC of the value, in hex (sha256 or sha512)."""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class DeterministicHashConfig(StrategyConfig):
    algorithm: str = "sha256"
    length: int | None = None
    prefix: str = ""


class DeterministicHashStrategy(EngineStrategy):
    config_type = DeterministicHashConfig
    strategy_name = "hash"

    def __init__(self, config: DeterministicHashConfig | None = None) -> None:
        super().__init__(config)
        self.config: DeterministicHashConfig


__all__ = ["DeterministicHashConfig", "DeterministicHashStrategy"]
