"""The strategy registry (class-level, as in fraiseql-confiture). The built-in strategies are
registered on first use; every engine strategy name is available."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from confiture.core.anonymization.strategy import AnonymizationStrategy, StrategyConfig


class StrategyRegistry:
    _registry: ClassVar[dict[str, type[AnonymizationStrategy]]] = {}
    _builtins_loaded: ClassVar[bool] = False

    @classmethod
    def _ensure_builtins(cls) -> None:
        if not cls._builtins_loaded:
            cls._builtins_loaded = True
            import confiture.core.anonymization.strategies  # noqa: F401  (registers them)

    @classmethod
    def register(cls, name: str, strategy_class: type[AnonymizationStrategy]) -> None:
        if not (isinstance(strategy_class, type) and issubclass(strategy_class, AnonymizationStrategy)):
            raise TypeError(f"{strategy_class!r} is not an AnonymizationStrategy subclass")
        if name in cls._registry:
            raise ValueError(f"Strategy {name!r} is already registered")
        cls._registry[name] = strategy_class

    @classmethod
    def get(cls, name: str, config: dict[str, Any] | StrategyConfig | None = None) -> AnonymizationStrategy:
        strategy_class = cls.get_strategy_class(name)
        if isinstance(config, dict):
            config = strategy_class.config_type(**config)
        return strategy_class(config)

    @classmethod
    def is_registered(cls, name: str) -> bool:
        cls._ensure_builtins()
        return name in cls._registry

    @classmethod
    def list_available(cls) -> list[str]:
        cls._ensure_builtins()
        return sorted(cls._registry)

    @classmethod
    def get_strategy_class(cls, name: str) -> type[AnonymizationStrategy]:
        cls._ensure_builtins()
        try:
            return cls._registry[name]
        except KeyError:
            raise ValueError(
                f"Unknown strategy: {name!r}. Available: {', '.join(sorted(cls._registry))}"
            ) from None

    @classmethod
    def unregister(cls, name: str) -> None:
        cls._ensure_builtins()
        if name not in cls._registry:
            raise ValueError(f"Strategy {name!r} is not registered")
        del cls._registry[name]

    @classmethod
    def reset(cls) -> None:
        """Empties the registry (the built-ins are not registered again)."""
        cls._builtins_loaded = True
        cls._registry.clear()

    @classmethod
    def count(cls) -> int:
        cls._ensure_builtins()
        return len(cls._registry)


def register_strategy(
    name: str,
) -> Callable[[type[AnonymizationStrategy]], type[AnonymizationStrategy]]:
    """Class decorator: ``@register_strategy("mine")``."""

    def decorate(strategy_class: type[AnonymizationStrategy]) -> type[AnonymizationStrategy]:
        StrategyRegistry.register(name, strategy_class)
        return strategy_class

    return decorate


__all__ = ["StrategyRegistry", "register_strategy"]
