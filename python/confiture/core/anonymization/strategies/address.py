"""``address``: addresses with chosen parts kept.

``freetext``: "street, city, state zip, country"; ``structured``: dicts / JSON objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class AddressConfig(StrategyConfig):
    preserve_fields: list[str] = field(default_factory=lambda: ["city", "country"])
    redact_street: bool = True
    format: str = "freetext"


class AddressStrategy(EngineStrategy):
    config_type = AddressConfig
    strategy_name = "address"

    def __init__(self, config: AddressConfig | None = None) -> None:
        super().__init__(config)
        self.config: AddressConfig


__all__ = ["AddressConfig", "AddressStrategy"]
