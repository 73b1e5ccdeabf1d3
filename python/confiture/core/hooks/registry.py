"""Hooks registered per phase, run in dependency/priority order (decided by the engine)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from confiture import _core
from confiture.core.hooks.base import Hook, HookError, HookResult
from confiture.core.hooks.execution_strategies import (
    HookErrorStrategy,
    HookExecutionStrategy,
    HookPhaseConfig,
)

log = logging.getLogger("confiture.hooks")


def _phase_key(phase: Any) -> str:
    return str(getattr(phase, "value", phase))


@dataclass
class HookExecutionResult:
    phase: str
    results: dict[str, HookResult] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    duration_ms: int = 0


class HookRegistry:
    """``registry.register(HookPhase.BEFORE_EXECUTE, hook)``; ``await registry.trigger(phase, context)``."""

    def __init__(self, execution_config: dict[Any, HookPhaseConfig] | None = None) -> None:
        self.execution_config = {_phase_key(k): v for k, v in (execution_config or {}).items()}
        self._hooks: dict[str, list[Hook]] = {}

    def register(self, phase_key: Any, hook: Hook) -> None:
        self._hooks.setdefault(_phase_key(phase_key), []).append(hook)

    def hooks_for(self, phase: Any) -> list[Hook]:
        hooks = self._hooks.get(_phase_key(phase), [])
        order = _core.order_hooks(
            [{"id": h.id, "priority": h.priority, "depends_on": h.depends_on} for h in hooks]
        )
        by_id = {h.id: h for h in hooks}
        return [by_id[i] for i in order]

    async def trigger(self, phase: Any, context: Any) -> HookExecutionResult:
        key = _phase_key(phase)
        config = self.execution_config.get(key, HookPhaseConfig(phase=key))
        result = HookExecutionResult(phase=key)
        started = time.monotonic()
        hooks = self.hooks_for(phase)
        if config.execution_strategy is HookExecutionStrategy.SEQUENTIAL:
            for hook in hooks:
                await self._run(hook, context, config, result)
        else:
            await asyncio.gather(*(self._run(h, context, config, result) for h in hooks))
        result.duration_ms = int((time.monotonic() - started) * 1000)
        if result.errors and config.error_strategy is HookErrorStrategy.FAIL_SAFE:
            raise HookError(
                f"{len(result.errors)} hook(s) failed in {key}: " + "; ".join(result.errors), phase=key
            )
        return result

    async def _run(
        self, hook: Hook, context: Any, config: HookPhaseConfig, result: HookExecutionResult
    ) -> None:
        attempts = config.retry_config.max_attempts if config.error_strategy is HookErrorStrategy.RETRY else 1
        delay = config.retry_config.initial_delay_ms if config.retry_config else 100
        for attempt in range(1, max(attempts, 1) + 1):
            try:
                outcome = await asyncio.wait_for(hook.execute(context), config.timeout_per_hook_ms / 1000)
                error = None if outcome.success else (outcome.error or "the hook reported failure")
            except Exception as e:
                outcome, error = HookResult(success=False, error=str(e)), f"{type(e).__name__}: {e}"
            result.results[hook.id] = outcome
            if error is None:
                return
            if attempt < attempts:
                await asyncio.sleep(delay / 1000)
                retry = config.retry_config
                delay = min(
                    delay * (retry.backoff_multiplier if retry else 2.0),
                    retry.max_delay_ms if retry else 30000,
                )
                continue
            message = f"hook {hook.name!r} ({hook.id}) failed in {config.phase}: {error}"
            result.errors.append(message)
            if config.error_strategy is HookErrorStrategy.ALERT_ONLY:
                log.warning(message)
            elif config.error_strategy in (HookErrorStrategy.FAIL_FAST, HookErrorStrategy.RETRY):
                raise HookError(message, hook_id=hook.id, hook_name=hook.name, phase=config.phase)
