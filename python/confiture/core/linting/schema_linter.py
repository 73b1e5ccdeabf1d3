"""``SchemaLinter``: fraiseql-confiture's API over the engine's lint.

The rules run in the engine on PostgreSQL's parse tree (see ``confiture lint --list-rules``):
schema rules over the model of the environment's DDL, migration rules over each statement of the
migration files, with table sizes when the database is reachable. This module translates
arguments and wraps the engine's findings; it decides nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from confiture import _core
from confiture.models import lint as models


class RuleSeverity(Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass
class LintViolation:
    """One finding of a rule, about one object, at one place."""

    rule_id: str
    rule_name: str
    severity: RuleSeverity
    object_type: str
    object_name: str
    message: str
    file_path: str | None = None
    line_number: int | None = None
    column_number: int | None = None
    suggested_fix: str | None = None

    def __str__(self) -> str:
        where = self.file_path or self.object_name
        if self.file_path and self.line_number:
            where = f"{self.file_path}:{self.line_number}"
            if self.column_number:
                where += f":{self.column_number}"
        return f"{where}: {self.severity.value} [{self.rule_id}] {self.message}"


@dataclass
class LintReport:
    """Findings grouped by severity, each group in report order (file, line, column, rule)."""

    errors: list[LintViolation] = field(default_factory=list)
    warnings: list[LintViolation] = field(default_factory=list)
    info: list[LintViolation] = field(default_factory=list)
    schema_name: str = ""
    tables_checked: int = 0
    columns_checked: int = 0
    migrations_checked: int = 0
    statements_checked: int = 0
    suppressed: int = 0
    execution_time_ms: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def has_warnings(self) -> bool:
        return bool(self.warnings)

    @property
    def has_info(self) -> bool:
        return bool(self.info)

    @property
    def total_violations(self) -> int:
        return len(self.errors) + len(self.warnings) + len(self.info)

    @property
    def violations(self) -> list[LintViolation]:
        """Every finding, errors first."""
        return [*self.errors, *self.warnings, *self.info]

    def add_violation(self, violation: LintViolation) -> None:
        {
            RuleSeverity.ERROR: self.errors,
            RuleSeverity.WARNING: self.warnings,
            RuleSeverity.INFO: self.info,
        }[violation.severity].append(violation)

    def to_model(self) -> models.LintReport:
        """The report as ``confiture.models.lint.LintReport`` (what the CLI formatter takes)."""
        return models.LintReport(
            violations=[
                models.Violation(
                    rule_name=v.rule_name,
                    severity=models.LintSeverity(v.severity.value),
                    message=v.message,
                    location=v.object_name,
                    suggested_fix=v.suggested_fix,
                    rule_id=v.rule_id,
                    object_type=v.object_type,
                    file_path=v.file_path,
                    line_number=v.line_number,
                    column_number=v.column_number,
                )
                for v in self.violations
            ],
            schema_name=self.schema_name,
            tables_checked=self.tables_checked,
            columns_checked=self.columns_checked,
            errors_count=len(self.errors),
            warnings_count=len(self.warnings),
            info_count=len(self.info),
            execution_time_ms=self.execution_time_ms,
            migrations_checked=self.migrations_checked,
            statements_checked=self.statements_checked,
            suppressed=self.suppressed,
            notes=list(self.notes),
        )

    @classmethod
    def _from_engine(cls, data: dict[str, Any]) -> LintReport:
        report = cls(
            schema_name=data["schema_name"],
            tables_checked=data["tables_checked"],
            columns_checked=data["columns_checked"],
            migrations_checked=data["migrations_checked"],
            statements_checked=data["statements_checked"],
            suppressed=data["suppressed"],
            execution_time_ms=data["execution_time_ms"],
            notes=list(data["notes"]),
        )
        for f in data["findings"]:
            report.add_violation(
                LintViolation(
                    rule_id=f["rule_id"],
                    rule_name=f["rule_name"],
                    severity=RuleSeverity(f["severity"]),
                    object_type=f["object_type"],
                    object_name=f["object_name"],
                    message=f["message"],
                    file_path=f["file"],
                    line_number=f["line"],
                    column_number=f["column"],
                    suggested_fix=f["suggested_fix"],
                )
            )
        return report


#: ``LintConfig``'s ``check_*`` switches and the rule families each turns off.
_CHECK_FAMILIES = {
    "check_naming": ["naming"],
    "check_primary_keys": ["pk"],
    "check_documentation": ["doc"],
    "check_indexes": ["idx", "fk_001", "tenant_002"],
    "check_constraints": ["fk_002", "fk_003"],
    "check_security": ["sec"],
}


class LintConfig:
    """Switches for a lint run (fraiseql-confiture's signature), plus rule selection.

    ``select``/``ignore`` take rule ids or families (``pk_001``, ``mig``, ``naming_``); they add
    to the environment's ``lint:`` section (``select`` replaces its ``select``).
    """

    def __init__(
        self,
        enabled: bool = True,
        fail_on_error: bool = True,
        fail_on_warning: bool = False,
        check_naming: bool = True,
        check_primary_keys: bool = True,
        check_documentation: bool = True,
        check_indexes: bool = True,
        check_constraints: bool = True,
        check_security: bool = True,
        *,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        tenant_column: str | None = None,
        exclude_tables: list[str] | None = None,
    ) -> None:
        self.enabled = enabled
        self.fail_on_error = fail_on_error
        self.fail_on_warning = fail_on_warning
        self.check_naming = check_naming
        self.check_primary_keys = check_primary_keys
        self.check_documentation = check_documentation
        self.check_indexes = check_indexes
        self.check_constraints = check_constraints
        self.check_security = check_security
        self.select = list(select or [])
        self.ignore = list(ignore or [])
        self.tenant_column = tenant_column
        self.exclude_tables = list(exclude_tables or [])

    def _to_options(self) -> dict[str, Any]:
        ignore = list(self.ignore)
        for switch, families in _CHECK_FAMILIES.items():
            if not getattr(self, switch):
                ignore.extend(families)
        return {
            "select": list(self.select),
            "ignore": ignore,
            "fail_on_error": self.fail_on_error,
            "fail_on_warning": self.fail_on_warning,
            "exclude_tables": list(self.exclude_tables),
            "tenant_column": self.tenant_column,
        }


class SchemaLinter:
    """Lints an environment's schema and migrations.

    Args:
        env: environment name (``db/environments/<env>.yaml``; its ``lint:`` section applies).
        project_dir: project root (default: the current directory).
        config: a :class:`LintConfig` (or ``confiture.models.lint.LintConfig``).

    Raises:
        ConfigurationError: the environment cannot be loaded.
    """

    def __init__(
        self,
        env: str = "local",
        project_dir: Path | None = None,
        config: LintConfig | models.LintConfig | None = None,
    ) -> None:
        from confiture.config.environment import Environment

        self.env = env
        self.project_dir = Path(project_dir) if project_dir is not None else Path.cwd()
        self.config = config if config is not None else LintConfig()
        loaded = _core.load_environment(env, str(self.project_dir))
        self._environment = loaded["environment"]
        self.env_config = Environment._from_engine(loaded["environment"])

    def _run(self, **kwargs: Any) -> LintReport:
        if not self.config.enabled:
            return LintReport(schema_name=self.env)
        data = _core.lint_run(str(self.project_dir), self._environment, self.config._to_options(), **kwargs)
        return LintReport._from_engine(data)

    def lint(self, schema: str | None = None) -> LintReport:
        """Lints the environment's schema files, or ``schema`` (SQL text; a built schema file's
        ``-- File:`` sections are mapped back to their source files)."""
        return self._run(schema_text=schema)

    def lint_migrations(
        self,
        migrations_dir: Path | None = None,
        files: list[Path] | None = None,
        *,
        database: bool = True,
    ) -> LintReport:
        """Lints migrations: ``files`` exactly, or the pending ones of ``migrations_dir``
        (default ``db/migrations``; all of them when the database cannot be asked)."""
        if files is not None:
            return self._run(schema=False, migration_files=[str(f) for f in files], database=database)
        directory = migrations_dir or self.project_dir / "db" / "migrations"
        return self._run(schema=False, migrations_dir=str(directory), database=database)


def list_rules() -> list[dict[str, Any]]:
    """Every rule: id, name, target (schema or migration), severity, whether it is on by default,
    and its documentation."""
    rules: list[dict[str, Any]] = json.loads(_core.lint_rules("json"))
    return rules


__all__ = ["LintConfig", "LintReport", "LintViolation", "RuleSeverity", "SchemaLinter", "list_rules"]
