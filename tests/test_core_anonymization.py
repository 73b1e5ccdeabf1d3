"""confiture.core.anonymization: strategies one value at a time (computed by the engine), the
registry, profiles, and agreement with what ``sync`` writes."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest

from confiture.core.anonymization.profile import (
    AnonymizationProfile,
    AnonymizationRule,
    StrategyType,
    resolve_seed_for_column,
)
from confiture.core.anonymization.registry import StrategyRegistry, register_strategy
from confiture.core.anonymization.strategies.address import AddressConfig, AddressStrategy
from confiture.core.anonymization.strategies.credit_card import (
    CreditCardConfig,
    CreditCardStrategy,
    detect_card_type,
    is_valid_card_number,
    luhn_checksum,
)
from confiture.core.anonymization.strategies.custom import CustomConfig, CustomStrategy
from confiture.core.anonymization.strategies.date import DateMaskConfig, DateMaskingStrategy
from confiture.core.anonymization.strategies.email import EmailMaskConfig, EmailMaskingStrategy
from confiture.core.anonymization.strategies.hash import DeterministicHashConfig, DeterministicHashStrategy
from confiture.core.anonymization.strategies.ip_address import IPAddressConfig, IPAddressStrategy
from confiture.core.anonymization.strategies.masking_retention import (
    MaskingRetentionConfig,
    MaskingRetentionStrategy,
)
from confiture.core.anonymization.strategies.name import NameMaskConfig, NameMaskingStrategy
from confiture.core.anonymization.strategies.phone import PhoneMaskingStrategy
from confiture.core.anonymization.strategies.redact import RedactConfig, SimpleRedactStrategy
from confiture.core.anonymization.strategies.salted_hashing import SaltedHashingConfig, SaltedHashingStrategy
from confiture.core.anonymization.strategies.text_redaction import TextRedactionConfig, TextRedactionStrategy
from confiture.core.anonymization.strategies.tokenization import TokenizationConfig, TokenizationStrategy
from confiture.core.anonymization.strategy import StrategyConfig, resolve_seed
from confiture.core.syncer import AnonymizationRule as SyncRule
from confiture.core.syncer import ProductionSyncer, SyncConfig
from confiture.exceptions import AnonymizationError, AnonymizationProfileError, ProfileNotFoundError
from sync_support import KEY, Pair, make_pair


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFITURE_ANONYMIZATION_KEY", KEY)


def test_each_strategy_one_value_at_a_time() -> None:
    email = EmailMaskingStrategy(EmailMaskConfig(hash_length=10, preserve_domain=True)).anonymize(
        "Jo@Corp.io"
    )
    assert email.startswith("user_") and email.endswith("@Corp.io") and len(email) == 5 + 10 + 8
    assert PhoneMaskingStrategy().anonymize("+1 212 555 0100").startswith("+1-555-")
    assert NameMaskingStrategy(NameMaskConfig(format_type="initials")).anonymize("ada king") == "A.K."
    h = DeterministicHashStrategy(DeterministicHashConfig(length=12, prefix="h_")).anonymize("x")
    assert h.startswith("h_") and len(h) == 14
    assert SimpleRedactStrategy(RedactConfig(replacement="***")).anonymize("x") == "***"
    text = TextRedactionStrategy(TextRedactionConfig(patterns=["email", "ipv4"])).anonymize(
        "a@b.io at 1.2.3.4"
    )
    assert text == "[REDACTED] at [REDACTED]"
    assert TokenizationStrategy(TokenizationConfig(token_length=8)).anonymize("x").startswith("TOKEN_")
    masked = MaskingRetentionStrategy(MaskingRetentionConfig(preserve_end_chars=4)).anonymize("555-123-4567")
    assert masked == "***-***-4567"
    moved = DateMaskingStrategy(DateMaskConfig(jitter_days=10)).anonymize(datetime.date(2024, 6, 15))
    assert isinstance(moved, datetime.date) and moved != datetime.date(2024, 6, 15) and moved.year == 2024
    assert DateMaskingStrategy().anonymize("2024-06-15 10:00:00+00").endswith(" 10:00:00+00")
    address = AddressStrategy(AddressConfig(format="structured")).anonymize(
        {"city": "Lyon", "street": "1 rue X"}
    )
    assert address["city"] == "Lyon" and address["street"] != "1 rue X"
    card = CreditCardStrategy(CreditCardConfig(preserve_bin=True)).anonymize("4111-1111-1111-1111")
    assert card.startswith("4111-11") and card.endswith("1111") and is_valid_card_number(card)
    assert IPAddressStrategy(IPAddressConfig(subnet_bits_ipv4=24)).anonymize("10.1.2.3").startswith("10.1.2.")
    salted = SaltedHashingStrategy(SaltedHashingConfig(salt="pepper", length=10)).anonymize("x")
    assert len(salted) == 10
    for s in (EmailMaskingStrategy(), NameMaskingStrategy()):
        assert s.anonymize(None) is None


def test_deterministic_keyed_and_seeded(monkeypatch: pytest.MonkeyPatch) -> None:
    s = EmailMaskingStrategy()
    first = s.anonymize("alice@example.com")
    assert first == EmailMaskingStrategy().anonymize("alice@example.com")
    assert first != EmailMaskingStrategy(EmailMaskConfig(seed=3)).anonymize("alice@example.com")
    monkeypatch.setenv("EMAIL_SEED", "3")
    seeded = EmailMaskingStrategy(EmailMaskConfig(seed_env_var="EMAIL_SEED")).anonymize("alice@example.com")
    assert seeded == EmailMaskingStrategy(EmailMaskConfig(seed=3)).anonymize("alice@example.com")
    assert resolve_seed(StrategyConfig(seed=1, seed_env_var="EMAIL_SEED")) == 3
    monkeypatch.setenv("EMAIL_SEED", "three")
    with pytest.raises(ValueError, match="integer"):
        resolve_seed(StrategyConfig(seed_env_var="EMAIL_SEED"))
    monkeypatch.setenv("CONFITURE_ANONYMIZATION_KEY", "a-different-key-0123456789")
    assert EmailMaskingStrategy().anonymize("alice@example.com") != first
    # A strategy reads the key once, when it first anonymizes.
    assert s.anonymize("alice@example.com") == first
    fresh = EmailMaskingStrategy()
    assert fresh.anonymize_many(["a@b.c", None]) == [EmailMaskingStrategy().anonymize("a@b.c"), None]


def test_refuses_without_a_key_or_with_a_weak_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFITURE_ANONYMIZATION_KEY")
    with pytest.raises(AnonymizationError, match="no anonymization key"):
        EmailMaskingStrategy().anonymize("a@b.c")
    monkeypatch.setenv("CONFITURE_ANONYMIZATION_KEY", "short")
    with pytest.raises(ValueError, match="too short"):
        EmailMaskingStrategy().anonymize("a@b.c")


def test_invalid_configs_and_values_name_the_problem() -> None:
    with pytest.raises(AnonymizationError, match="hash_length"):
        EmailMaskingStrategy(EmailMaskConfig(hash_length=0)).anonymize("a@b.c")
    with pytest.raises(AnonymizationError, match="not a date"):
        DateMaskingStrategy().anonymize("tomorrow")
    with pytest.raises(AnonymizationError, match="regular expressions are not accepted"):
        TextRedactionStrategy(TextRedactionConfig(patterns=[r"\d+"])).anonymize("1")


def test_card_helpers() -> None:
    assert is_valid_card_number("4111 1111 1111 1111") and not is_valid_card_number("4111 1111 1111 1112")
    assert not is_valid_card_number("") and not is_valid_card_number("4111x1111x1111x1111")
    assert detect_card_type("378282246310005") == "amex"
    assert luhn_checksum("411111111111111") == 1


def test_registry() -> None:
    names = StrategyRegistry.list_available()
    assert {"email", "phone", "hash", "redact", "custom", "faker", "null", "constant"} <= set(names)
    assert names == sorted(names)
    assert isinstance(StrategyRegistry.get("email", {"hash_length": 4}), EmailMaskingStrategy)
    with pytest.raises(ValueError, match="Unknown strategy"):
        StrategyRegistry.get("emial")
    with pytest.raises(TypeError):
        StrategyRegistry.register("bad", int)  # type: ignore[arg-type]

    @register_strategy("upper_for_test")
    class Upper(CustomStrategy):
        pass

    try:
        assert StrategyRegistry.get("upper_for_test", CustomConfig(func=str.upper)).anonymize("x") == "X"
        with pytest.raises(ValueError, match="already registered"):
            StrategyRegistry.register("upper_for_test", Upper)
    finally:
        StrategyRegistry.unregister("upper_for_test")


PROFILE = """
name: staging
version: 1.0
global_seed: 4
strategies:
  mail: {type: email, config: {hash_length: 12}}
tables:
  users:
    rules:
      - {column: email, strategy: mail, unique: true}
      - {column: phone, strategy: phone, seed: 9}
      - {column: card, strategy: credit_card, options: {preserve_bin: true}}
"""


def test_profiles(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(PROFILE)
    p = AnonymizationProfile.load(path)
    assert (p.name, p.version, p.global_seed) == ("staging", "1.0", 4)
    assert p.strategies["mail"].type == "email" and p.strategies["mail"].config == {"hash_length": 12}
    rules = p.tables["users"].rules
    assert [(r.column, r.strategy, r.unique) for r in rules] == [
        ("email", "mail", True),
        ("phone", "phone", False),
        ("card", "credit_card", False),
    ]
    assert resolve_seed_for_column(rules[1], p) == 9 and resolve_seed_for_column(rules[0], p) == 4
    assert StrategyType("credit_card") is StrategyType.CREDIT_CARD
    assert AnonymizationProfile.from_dict({"name": "x", "version": "1"}).tables == {}
    with pytest.raises(ProfileNotFoundError) as missing:
        AnonymizationProfile.load(tmp_path / "none.yaml")
    assert isinstance(missing.value, FileNotFoundError)
    path.write_text(
        PROFILE.replace("strategy: phone", "strategy: fone").replace("hash_length: 12", "hash_length: 0")
    )
    with pytest.raises(AnonymizationProfileError) as bad:
        AnonymizationProfile.load(path)
    assert isinstance(bad.value, ValueError)
    assert len(bad.value.problems) == 3, bad.value.problems
    assert any('unknown strategy "fone"' in p for p in bad.value.problems)
    path.write_text("")
    with pytest.raises(ValueError, match="empty"):
        AnonymizationProfile.load(path)
    assert AnonymizationRule("c", "hash").options is None


@pytest.fixture
def pair(confiture_test_server_url: str) -> Iterator[Pair]:
    yield from make_pair(confiture_test_server_url, rows=20)


def test_python_values_match_what_sync_writes(pair: Pair) -> None:
    with ProductionSyncer(pair.source_url, pair.target_url) as s:
        s.sync(
            SyncConfig(
                anonymization={
                    "users": [SyncRule("email", "email"), SyncRule("phone", "phone", seed=5)],
                }
            )
        )
    source = pair.query("source", "SELECT email, phone FROM users ORDER BY id")
    target = pair.query("target", "SELECT email, phone FROM users ORDER BY id")
    email, phone = EmailMaskingStrategy(), PhoneMaskingStrategy()
    seeded_phone = PhoneMaskingStrategy(type(phone.config)(seed=5))
    assert [(email.anonymize(e), seeded_phone.anonymize(p)) for e, p in source] == target
