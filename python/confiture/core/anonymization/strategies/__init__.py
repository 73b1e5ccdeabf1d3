"""The built-in strategies. Importing this package registers each of them under its name."""

from __future__ import annotations

from confiture.core.anonymization.registry import StrategyRegistry
from confiture.core.anonymization.strategies.address import AddressStrategy
from confiture.core.anonymization.strategies.constant import ConstantStrategy
from confiture.core.anonymization.strategies.credit_card import CreditCardStrategy
from confiture.core.anonymization.strategies.custom import CustomLambdaStrategy, CustomStrategy
from confiture.core.anonymization.strategies.date import DateMaskingStrategy
from confiture.core.anonymization.strategies.email import EmailMaskingStrategy
from confiture.core.anonymization.strategies.faker import FakerStrategy
from confiture.core.anonymization.strategies.hash import DeterministicHashStrategy
from confiture.core.anonymization.strategies.ip_address import IPAddressStrategy
from confiture.core.anonymization.strategies.masking_retention import MaskingRetentionStrategy
from confiture.core.anonymization.strategies.name import NameMaskingStrategy
from confiture.core.anonymization.strategies.null import NullStrategy
from confiture.core.anonymization.strategies.phone import PhoneMaskingStrategy
from confiture.core.anonymization.strategies.preserve import PreserveStrategy
from confiture.core.anonymization.strategies.redact import SimpleRedactStrategy
from confiture.core.anonymization.strategies.salted_hashing import SaltedHashingStrategy
from confiture.core.anonymization.strategies.text_redaction import TextRedactionStrategy
from confiture.core.anonymization.strategies.tokenization import TokenizationStrategy
from confiture.core.anonymization.strategy import AnonymizationStrategy

BUILTIN: dict[str, type[AnonymizationStrategy]] = {
    "address": AddressStrategy,
    "constant": ConstantStrategy,
    "credit_card": CreditCardStrategy,
    "custom": CustomStrategy,
    "custom_lambda": CustomLambdaStrategy,
    "date": DateMaskingStrategy,
    "email": EmailMaskingStrategy,
    "faker": FakerStrategy,
    "hash": DeterministicHashStrategy,
    "ip_address": IPAddressStrategy,
    "masking_retention": MaskingRetentionStrategy,
    "name": NameMaskingStrategy,
    "null": NullStrategy,
    "phone": PhoneMaskingStrategy,
    "preserve": PreserveStrategy,
    "redact": SimpleRedactStrategy,
    "salted_hashing": SaltedHashingStrategy,
    "text_redaction": TextRedactionStrategy,
    "tokenization": TokenizationStrategy,
}

for _name, _cls in BUILTIN.items():
    if not StrategyRegistry._registry.get(_name):
        StrategyRegistry.register(_name, _cls)

__all__ = ["BUILTIN"]
