"""Hooks: user code run at migration phases."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from confiture.core.hooks.context import HookContext
from confiture.exceptions import ConfiturError

T = TypeVar("T")


class HookError(ConfiturError):
    """A hook failed; the migration it belongs to is rolled back."""

    def __init__(
        self,
        message: str,
        hook_id: str | None = None,
        hook_name: str | None = None,
        phase: str | None = None,
        cause: Exception | None = None,
    ) -> None:
        super().__init__(message)
        self.hook_id = hook_id
        self.hook_name = hook_name
        self.phase = phase
        self.cause = cause


@dataclass
class HookResult:
    success: bool
    rows_affected: int = 0
    stats: dict[str, Any] | None = None
    error: str | None = None


class Hook(Generic[T], ABC):
    """Subclass and implement ``async execute(context) -> HookResult``."""

    def __init__(
        self, hook_id: str, name: str, priority: int = 5, depends_on: list[str] | None = None
    ) -> None:
        self.id = hook_id
        self.hook_id = hook_id
        self.name = name
        self.priority = priority
        self.depends_on = list(depends_on or [])

    @abstractmethod
    async def execute(self, context: HookContext[T]) -> HookResult: ...


class HookExecutor:
    """Runs the hooks a registry holds for a phase."""

    def __init__(self, registry: Any | None = None) -> None:
        from confiture.core.hooks.registry import HookRegistry

        self.registry = registry or HookRegistry()

    async def execute_phase(self, phase: Any, context: Any) -> dict[str, HookResult]:
        return (await self.registry.trigger(phase, context)).results
