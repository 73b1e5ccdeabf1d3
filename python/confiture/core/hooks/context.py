"""What hooks receive: a ``HookContext`` around one of these context records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass
class Schema:
    name: str
    tables: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class SchemaDifference:
    type: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class RiskAssessment:
    level: str
    score: float
    factors: dict[str, float] = field(default_factory=dict)


@dataclass
class MigrationStep:
    id: str
    description: str
    estimated_duration_ms: int
    query: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class SchemaAnalysisContext:
    source_schema: Schema
    target_schema: Schema
    analysis_time_ms: int
    tables_analyzed: int
    columns_analyzed: int
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class SchemaDiffContext:
    source_schema: Schema
    target_schema: Schema
    differences: list[SchemaDifference] = field(default_factory=list)
    diff_time_ms: int = 0
    breaking_changes: list[str] = field(default_factory=list)
    safe_changes: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class MigrationPlanContext:
    migration_steps: list[MigrationStep] = field(default_factory=list)
    estimated_duration_ms: int = 0
    estimated_downtime_ms: int = 0
    risk_assessment: RiskAssessment | None = None
    affected_tables: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class ExecutionContext:
    """Handed to migration hooks: ``metadata`` holds ``version``, ``name``, ``direction``,
    ``connection`` (the connection the migration runs on) and, in error hooks, ``error``."""

    current_step: MigrationStep | None = None
    steps_completed: int = 0
    total_steps: int = 0
    elapsed_time_ms: int = 0
    rows_affected: int = 0
    current_connections: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class RollbackContext:
    rollback_reason: str
    steps_to_rollback: list[MigrationStep] = field(default_factory=list)
    original_error: Exception | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class ValidationContext:
    validation_results: list[dict[str, Any]] = field(default_factory=list)
    passed: bool = True
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


class HookContext(Generic[T]):
    """A phase and its data, with an execution id shared by the hooks of one run."""

    def __init__(
        self, phase: Any, data: T, execution_id: uuid.UUID | None = None, hook_id: str | None = None
    ) -> None:
        self.phase = phase
        self.data = data
        self.execution_id = execution_id or uuid.uuid4()
        self.hook_id = hook_id
        self.metadata: dict[str, Any] = {}

    def get_data(self) -> T:
        return self.data

    def add_metadata(self, key: str, value: Any) -> None:
        self.metadata[key] = value
