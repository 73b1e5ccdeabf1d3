"""Migration hooks: ``Hook`` subclasses run at migration phases, declared on a ``Migration``
(``before_ddl_hooks = [...]``) or registered with a ``HookRegistry`` passed to ``Migrator``."""

from confiture.core.hooks.base import Hook, HookError, HookExecutor, HookResult
from confiture.core.hooks.context import (
    ExecutionContext,
    HookContext,
    MigrationPlanContext,
    MigrationStep,
    RiskAssessment,
    RollbackContext,
    Schema,
    SchemaAnalysisContext,
    SchemaDiffContext,
    SchemaDifference,
    ValidationContext,
)
from confiture.core.hooks.execution_strategies import (
    HookContextMutationPolicy,
    HookErrorStrategy,
    HookExecutionStrategy,
    HookPhaseConfig,
    RetryConfig,
)
from confiture.core.hooks.phases import HookAlert, HookEvent, HookPhase
from confiture.core.hooks.registry import HookExecutionResult, HookRegistry

__all__ = [
    "ExecutionContext",
    "Hook",
    "HookAlert",
    "HookContext",
    "HookContextMutationPolicy",
    "HookError",
    "HookErrorStrategy",
    "HookEvent",
    "HookExecutionResult",
    "HookExecutionStrategy",
    "HookExecutor",
    "HookPhase",
    "HookPhaseConfig",
    "HookRegistry",
    "HookResult",
    "MigrationPlanContext",
    "MigrationStep",
    "RetryConfig",
    "RiskAssessment",
    "RollbackContext",
    "Schema",
    "SchemaAnalysisContext",
    "SchemaDiffContext",
    "SchemaDifference",
    "ValidationContext",
]
