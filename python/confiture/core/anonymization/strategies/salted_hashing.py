"""``salted_hashing``: Keyed HMAC of salt and value (the salt from ``salt_env_var``, else ``salt``)."""

from __future__ import annotations

from dataclasses import dataclass

from confiture.core.anonymization.strategy import EngineStrategy, StrategyConfig


@dataclass
class SaltedHashingConfig(StrategyConfig):
    algorithm: str = "sha256"
    salt: str | None = None
    salt_env_var: str = "ANONYMIZATION_SALT"
    length: int | None = None
    prefix: str = ""
    use_hmac: bool = True


class SaltedHashingStrategy(EngineStrategy):
    config_type = SaltedHashingConfig
    strategy_name = "salted_hashing"

    def __init__(self, config: SaltedHashingConfig | None = None) -> None:
        super().__init__(config)
        self.config: SaltedHashingConfig


__all__ = ["SaltedHashingConfig", "SaltedHashingStrategy"]
