"""Confiture: PostgreSQL schema evolution with built-in coordination of parallel work.

The engine is Rust (``confiture._core``); this package is its Python face, import-compatible with
fraiseql-confiture. Heavy pieces load on first use so ``import confiture`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__author__ = "Confiture contributors"
__email__ = "confiture@fraiseql.dev"

if TYPE_CHECKING:
    from confiture.config.environment import Environment
    from confiture.core.builder import SchemaBuilder

__all__ = ["Environment", "SchemaBuilder", "__author__", "__email__", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from confiture._core import __version__

        return __version__
    if name == "SchemaBuilder":
        from confiture.core.builder import SchemaBuilder

        return SchemaBuilder
    if name == "Environment":
        from confiture.config.environment import Environment

        return Environment
    raise AttributeError(f"module 'confiture' has no attribute {name!r}")
