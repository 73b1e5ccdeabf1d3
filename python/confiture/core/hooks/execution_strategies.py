"""How a phase's hooks run and what a failure does."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class HookExecutionStrategy(Enum):
    SEQUENTIAL = "sequential"
    PARALLEL = "parallel"
    PARALLEL_WITH_DEPS = "parallel_with_deps"


class HookErrorStrategy(Enum):
    FAIL_FAST = "fail_fast"  # the first failure raises HookError (the migration rolls back)
    FAIL_SAFE = "fail_safe"  # run every hook, then raise if any failed
    RETRY = "retry"  # retry per RetryConfig, then fail
    ALERT_ONLY = "alert_only"  # log failures, never raise


class HookContextMutationPolicy(Enum):
    IMMUTABLE = "immutable"
    MUTABLE = "mutable"


@dataclass
class RetryConfig:
    max_attempts: int = 3
    initial_delay_ms: int = 100
    max_delay_ms: int = 30000
    backoff_multiplier: float = 2.0


@dataclass
class HookPhaseConfig:
    phase: str
    execution_strategy: HookExecutionStrategy = HookExecutionStrategy.SEQUENTIAL
    error_strategy: HookErrorStrategy = HookErrorStrategy.FAIL_FAST
    context_mutation_policy: HookContextMutationPolicy = HookContextMutationPolicy.IMMUTABLE
    timeout_per_hook_ms: int = 30000
    timeout_per_phase_ms: int = 300000
    max_parallel_hooks: int = 4
    retry_config: RetryConfig | None = None
    circuit_breaker_enabled: bool = True
