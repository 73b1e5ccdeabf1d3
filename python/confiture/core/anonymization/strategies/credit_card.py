"""``credit_card``: Luhn-valid replacement card numbers in the input's layout (network prefix,
optionally the BIN and the last four digits kept)."""

from __future__ import annotations

from dataclasses import dataclass

from confiture import _core
from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


def luhn_checksum(card_number: str) -> int:
    """The check digit that makes ``card_number`` (digits without a check digit) Luhn-valid."""
    return _core.card_number_info(card_number)["check_digit"] or 0


def detect_card_type(card_number: str) -> str:
    """``visa``, ``mastercard``, ``amex``, ``discover``, ``diners``, ``jcb`` or ``unknown``."""
    return _core.card_number_info(card_number)["network"]


def is_valid_card_number(card_number: str) -> bool:
    """12 to 19 digits (spaces and dashes allowed) passing the Luhn check."""
    return bool(card_number) and _core.card_number_info(card_number)["valid"]


@dataclass
class CreditCardConfig(StrategyConfig):
    preserve_last4: bool = True
    preserve_bin: bool = False
    mask_char: str = "*"
    validate: bool = True


class CreditCardStrategy(EngineStrategy):
    config_type = CreditCardConfig
    strategy_name = "credit_card"

    def __init__(self, config: CreditCardConfig | None = None) -> None:
        super().__init__(config)
        self.config: CreditCardConfig


__all__ = [
    "CreditCardConfig",
    "CreditCardStrategy",
    "detect_card_type",
    "is_valid_card_number",
    "luhn_checksum",
]
