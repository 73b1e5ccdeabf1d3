"""Schema and migration lint (``confiture.core.linting``): ``SchemaLinter`` runs the engine's rules
over an environment's schema (or a SQL text) and its migrations; results come back as a
``LintReport`` of ``LintViolation``s grouped by ``RuleSeverity``.
"""

from confiture.core.linting.schema_linter import (
    LintConfig,
    LintReport,
    LintViolation,
    RuleSeverity,
    SchemaLinter,
    list_rules,
)

__all__ = ["LintConfig", "LintReport", "LintViolation", "RuleSeverity", "SchemaLinter", "list_rules"]
