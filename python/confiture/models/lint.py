"""Lint results as the CLI formatter of fraiseql-confiture shapes them (``confiture.models.lint``):
``Violation`` (rule name, severity, message, location, suggested fix), ``LintReport`` and a
``LintConfig`` of rule switches.

Findings come from the engine (``confiture.core.linting.SchemaLinter``); these classes carry them,
with the places (file, line, column) and rule ids fraiseql-confiture did not have.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class LintSeverity(str, Enum):  # noqa: UP042 (fraiseql-confiture's base classes)
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass
class Violation:
    """One finding: ``location`` is the object (``app.users.email``); ``file_path``,
    ``line_number`` and ``column_number`` say where it is defined."""

    rule_name: str
    severity: LintSeverity
    message: str
    location: str
    suggested_fix: str | None = None
    rule_id: str = ""
    object_type: str = ""
    file_path: str | None = None
    line_number: int | None = None
    column_number: int | None = None

    def __str__(self) -> str:
        return f"[{self.severity.value}] {self.rule_name}: {self.message} ({self.location})"


#: Rule switches of fraiseql-confiture's ``LintConfig.default()`` and the rule families they cover.
RULE_FAMILIES: dict[str, list[str]] = {
    "naming_convention": ["naming"],
    "primary_key": ["pk"],
    "documentation": ["doc"],
    "multi_tenant": ["tenant"],
    "missing_index": ["fk_001", "idx", "tenant_002"],
    "security": ["sec"],
}


@dataclass
class LintConfig:
    """Which rules run. ``rules`` maps a switch of :data:`RULE_FAMILIES` (or a rule id / family
    such as ``pk_001`` or ``mig``) to ``{"enabled": bool, ...}``; ``multi_tenant`` takes the
    tenant column as ``identifier``."""

    enabled: bool = True
    rules: dict[str, Any] = field(default_factory=dict)
    fail_on_error: bool = True
    fail_on_warning: bool = False
    exclude_tables: list[str] = field(default_factory=list)

    @classmethod
    def default(cls) -> LintConfig:
        return cls(
            rules={
                "naming_convention": {"enabled": True, "style": "snake_case"},
                "primary_key": {"enabled": True},
                "documentation": {"enabled": True},
                # Off unless the schema is multi-tenant: the identifier is the tenant column.
                "multi_tenant": {"enabled": False, "identifier": "tenant_id"},
                "missing_index": {"enabled": True},
                "security": {"enabled": True},
            }
        )

    def _to_options(self) -> dict[str, Any]:
        """The engine's lint options."""
        ignore: list[str] = []
        tenant: str | None = None
        for name, spec in self.rules.items():
            spec = spec if isinstance(spec, dict) else {"enabled": bool(spec)}
            selectors = RULE_FAMILIES.get(name, [name])
            if not spec.get("enabled", True):
                ignore.extend(selectors)
            elif name == "multi_tenant":
                tenant = spec.get("identifier") or "tenant_id"
        return {
            "ignore": ignore,
            "fail_on_error": self.fail_on_error,
            "fail_on_warning": self.fail_on_warning,
            "exclude_tables": list(self.exclude_tables),
            "tenant_column": tenant,
        }


@dataclass
class LintReport:
    """A lint run. Counts, ``has_errors``/``has_warnings`` and ``violations_by_severity()`` as in
    fraiseql-confiture; ``tables_checked``/``columns_checked``/``execution_time_ms`` are real."""

    violations: list[Violation]
    schema_name: str
    tables_checked: int
    columns_checked: int
    errors_count: int
    warnings_count: int
    info_count: int
    execution_time_ms: int
    migrations_checked: int = 0
    statements_checked: int = 0
    suppressed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return self.errors_count > 0

    @property
    def has_warnings(self) -> bool:
        return self.warnings_count > 0

    def violations_by_severity(self) -> dict[LintSeverity, list[Violation]]:
        out: dict[LintSeverity, list[Violation]] = {s: [] for s in LintSeverity}
        for v in self.violations:
            out[v.severity].append(v)
        return out

    @classmethod
    def _from_engine(cls, data: dict[str, Any]) -> LintReport:
        violations = [
            Violation(
                rule_name=f["rule_name"],
                severity=LintSeverity(f["severity"]),
                message=f["message"],
                location=f["object_name"],
                suggested_fix=f["suggested_fix"],
                rule_id=f["rule_id"],
                object_type=f["object_type"],
                file_path=f["file"],
                line_number=f["line"],
                column_number=f["column"],
            )
            for f in data["findings"]
        ]
        count = {s: sum(1 for v in violations if v.severity is s) for s in LintSeverity}
        return cls(
            violations=violations,
            schema_name=data["schema_name"],
            tables_checked=data["tables_checked"],
            columns_checked=data["columns_checked"],
            errors_count=count[LintSeverity.ERROR],
            warnings_count=count[LintSeverity.WARNING],
            info_count=count[LintSeverity.INFO],
            execution_time_ms=data["execution_time_ms"],
            migrations_checked=data["migrations_checked"],
            statements_checked=data["statements_checked"],
            suppressed=data["suppressed"],
            notes=list(data["notes"]),
        )

    def _to_engine(self, *, fail_on_error: bool = True, fail_on_warning: bool = False) -> dict[str, Any]:
        """The report as the engine's renderers read it."""
        return {
            "schema_name": self.schema_name,
            "findings": [
                {
                    "rule_id": v.rule_id,
                    "rule_name": v.rule_name,
                    "severity": LintSeverity(v.severity).value,
                    "object_type": v.object_type,
                    "object_name": v.location,
                    "message": v.message,
                    "suggested_fix": v.suggested_fix,
                    "file": v.file_path,
                    "line": v.line_number,
                    "column": v.column_number,
                }
                for v in self.violations
            ],
            "tables_checked": self.tables_checked,
            "columns_checked": self.columns_checked,
            "migrations_checked": self.migrations_checked,
            "statements_checked": self.statements_checked,
            "suppressed": self.suppressed,
            "execution_time_ms": self.execution_time_ms,
            "database": "offline",
            "fail_on_error": fail_on_error,
            "fail_on_warning": fail_on_warning,
            "rules": sorted({v.rule_id for v in self.violations if v.rule_id}),
            "notes": list(self.notes),
        }


__all__ = ["RULE_FAMILIES", "LintConfig", "LintReport", "LintSeverity", "Violation"]
