"""Anonymization profiles: fraiseql-confiture's YAML shape, read and checked by the engine.

Every strategy name can be used (0.3.9 accepted only hash, email, phone and redact as strategy
types). ``load`` raises ``ProfileNotFoundError`` (a ``FileNotFoundError``) or
``AnonymizationProfileError`` (a ``ValueError``) listing every problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from confiture import _core

StrategyType = Enum(  # type: ignore[misc]
    "StrategyType", {name.upper(): name for name in _core.anonymization_strategies()}, type=str
)
StrategyType.__doc__ = "Every strategy name of the engine."


@dataclass
class StrategyDefinition:
    type: str
    config: dict[str, Any] | None = None
    seed_env_var: str | None = None


@dataclass
class AnonymizationRule:
    column: str
    strategy: str
    seed: int | None = None
    options: dict[str, Any] | None = None
    unique: bool = False
    domain: str | None = None


@dataclass
class TableDefinition:
    rules: list[AnonymizationRule]


@dataclass
class AnonymizationProfile:
    name: str
    version: str
    global_seed: int | None = None
    strategies: dict[str, StrategyDefinition] = field(default_factory=dict)
    tables: dict[str, TableDefinition] = field(default_factory=dict)
    key_env_var: str | None = None

    @classmethod
    def load(cls, path: Path | str) -> AnonymizationProfile:
        return cls._from_engine(_core.load_anonymization_profile(str(path))["profile"])

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnonymizationProfile:
        return cls._from_engine(_core.anonymization_profile_from_dict(data)["profile"])

    @classmethod
    def _from_engine(cls, p: dict[str, Any]) -> AnonymizationProfile:
        return cls(
            name=p["name"],
            version=p["version"],
            global_seed=p["global_seed"],
            key_env_var=p["key_env_var"],
            strategies={k: StrategyDefinition(**v) for k, v in p["strategies"].items()},
            tables={
                k: TableDefinition(rules=[AnonymizationRule(**r) for r in v["rules"]])
                for k, v in p["tables"].items()
            },
        )


def resolve_seed_for_column(rule: AnonymizationRule, profile: AnonymizationProfile) -> int:
    """The rule's seed, else the profile's ``global_seed``, else 0."""
    if rule.seed is not None:
        return rule.seed
    return profile.global_seed if profile.global_seed is not None else 0


__all__ = [
    "AnonymizationProfile",
    "AnonymizationRule",
    "StrategyDefinition",
    "StrategyType",
    "TableDefinition",
    "resolve_seed_for_column",
]
