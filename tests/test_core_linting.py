"""``confiture.core.linting`` and ``confiture.models.lint``: fraiseql-confiture's names and shapes,
with the engine's findings behind them; ``confiture.cli.lint_formatter`` over the engine's
renderers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from confiture.cli import lint_formatter
from confiture.core.linting import (
    LintConfig,
    LintReport,
    LintViolation,
    RuleSeverity,
    SchemaLinter,
    list_rules,
)
from confiture.exceptions import ConfigurationError
from confiture.models import lint as models

FILES = {
    "db/schema/tables.sql": (
        'CREATE TABLE "Users" (id int, api_key text);\n'
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$;\n"
    ),
    "db/environments/local.yaml": "database_url: postgresql://127.0.0.1:1/none\ninclude_dirs: [db/schema]\n",
}


@pytest.fixture
def project(make_project: Callable[..., Path]) -> Path:
    return make_project(FILES)


def ids(violations: list[LintViolation]) -> list[str]:
    return [v.rule_id for v in violations]


def test_schema_linter_groups_engine_findings(project: Path) -> None:
    report = SchemaLinter(env="local", project_dir=project).lint()
    assert isinstance(report, LintReport)
    assert ids(report.errors) == ["sec_004"]
    assert ids(report.warnings) == ["naming_001", "pk_001", "sec_001"]
    assert ids(report.info) == ["doc_001"]
    assert report.has_errors and report.has_warnings and report.has_info
    assert report.total_violations == 5 == len(report.violations)
    v = report.warnings[2]
    assert v.severity is RuleSeverity.WARNING and v.rule_name == "Sensitive Data Column"
    assert (v.object_type, v.object_name) == ("column", "Users.api_key")
    assert (v.file_path, v.line_number, v.column_number) == ("db/schema/tables.sql", 1, 31)
    assert (
        str(v) == "db/schema/tables.sql:1:31: warning [sec_001] "
        "column Users.api_key may hold sensitive data (api_key)"
    )
    assert report.tables_checked == 1 and report.columns_checked == 2


def test_sql_text_and_check_switches(project: Path) -> None:
    linter = SchemaLinter(project_dir=project, config=LintConfig(check_naming=False, check_security=False))
    report = linter.lint("CREATE TABLE t (id int PRIMARY KEY);")
    assert ids(report.violations) == ["doc_001"]
    assert report.violations[0].file_path == "<schema>"
    assert SchemaLinter(project_dir=project, config=LintConfig(enabled=False)).lint().total_violations == 0
    selected = SchemaLinter(project_dir=project, config=LintConfig(select=["pk"])).lint()
    assert ids(selected.violations) == ["pk_001"]


def test_models_config_and_report(project: Path) -> None:
    config = models.LintConfig.default()
    assert set(config.rules) == {
        "naming_convention",
        "primary_key",
        "documentation",
        "multi_tenant",
        "missing_index",
        "security",
    }
    config.rules["multi_tenant"]["enabled"] = True
    config.rules["security"]["enabled"] = False
    report = SchemaLinter(project_dir=project, config=config).lint()
    assert "tenant_001" in ids(report.violations) and "sec_004" not in ids(report.violations)

    model = report.to_model()
    assert isinstance(model, models.LintReport)
    assert model.errors_count == 0 and model.warnings_count == len(report.warnings)
    assert not model.has_errors and model.has_warnings
    by = model.violations_by_severity()
    assert [v.rule_id for v in by[models.LintSeverity.WARNING]] == ids(report.warnings)
    assert model.violations[0].location == report.violations[0].object_name


def test_formatter_uses_the_engine(project: Path, tmp_path: Path) -> None:
    model = SchemaLinter(project_dir=project).lint().to_model()
    doc = json.loads(lint_formatter.format_json(model))
    assert doc["violations"]["total"] == 5 and doc["violations"]["items"][0]["rule"]
    assert lint_formatter.format_csv(model).startswith("rule_name,severity,location,message,suggested_fix,")
    assert lint_formatter.format_lint_report(model, "table").startswith("Violations\n")
    target = tmp_path / "r.csv"
    lint_formatter.save_report(model, target, "csv")
    assert target.read_text() == lint_formatter.format_csv(model)


def test_migrations_and_errors(project: Path, tmp_path: Path) -> None:
    m = tmp_path / "007_x.up.sql"
    m.write_text("CREATE INDEX CONCURRENTLY i ON t (a);\n")
    report = SchemaLinter(project_dir=project).lint_migrations(files=[m], database=False)
    assert ids(report.errors) == ["mig_017"]
    assert report.migrations_checked == 1 and report.statements_checked == 1
    with pytest.raises(ConfigurationError):
        SchemaLinter(env="missing", project_dir=project)
    rules = list_rules()
    assert len(rules) >= 30 and {"id", "name", "target", "severity", "summary", "why", "fix"} <= set(rules[0])
