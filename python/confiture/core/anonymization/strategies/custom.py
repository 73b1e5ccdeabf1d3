"""``custom`` and ``custom_lambda``: your own Python function as a strategy (fraiseql-confiture's
``CustomStrategy``). They run in Python, one value at a time, so ``confiture sync`` cannot use them;
use them in your own code, or express the rule with an engine strategy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from confiture.core.anonymization.strategy import AnonymizationStrategy, StrategyConfig


@dataclass
class CustomConfig(StrategyConfig):
    func: Callable[..., Any] | None = None
    name: str = "custom"
    accepts_seed: bool = False


class CustomStrategy(AnonymizationStrategy):
    config_type = CustomConfig
    strategy_name = "custom"

    def __init__(self, config: CustomConfig | None = None) -> None:
        super().__init__(config)
        self.config: CustomConfig
        if self.config.func is None:
            raise ValueError("CustomConfig.func is required")

    def anonymize(self, value: Any) -> Any:
        func = self.config.func
        if func is None:
            raise ValueError("CustomConfig.func is required")
        return func(value, self._seed) if self.config.accepts_seed else func(value)

    def validate(self, value: Any) -> bool:
        return True

    def short_name(self) -> str:
        return f"custom:{self.config.name}"


class CustomLambdaStrategy(CustomStrategy):
    strategy_name = "custom_lambda"


__all__ = ["CustomConfig", "CustomLambdaStrategy", "CustomStrategy"]
