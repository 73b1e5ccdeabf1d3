"""``ip_address``: IP addresses with the first ``subnet_bits`` bits kept."""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class IPAddressConfig(StrategyConfig):
    preserve_subnet: bool = True
    subnet_bits_ipv4: int = 8
    subnet_bits_ipv6: int = 16
    anonymize_localhost: bool = False


class IPAddressStrategy(EngineStrategy):
    config_type = IPAddressConfig
    strategy_name = "ip_address"

    def __init__(self, config: IPAddressConfig | None = None) -> None:
        super().__init__(config)
        self.config: IPAddressConfig


__all__ = ["IPAddressConfig", "IPAddressStrategy"]
