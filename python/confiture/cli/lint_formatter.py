"""fraiseql-confiture's lint formatter API (``confiture.cli.lint_formatter``) over the engine's
renderers: the same table, JSON and CSV as ``confiture lint`` prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from confiture import _core
from confiture.models.lint import LintReport


def _engine(report: LintReport) -> dict[str, Any]:
    return report._to_engine()


def format_table(report: LintReport, console: Any) -> None:
    """Prints the table rendering on ``console`` (a ``rich.console.Console`` or anything with ``print``)."""
    console.print(_core.lint_render(_engine(report), "table"), end="", markup=False, highlight=False)


def format_json(report: LintReport) -> str:
    return _core.lint_render(_engine(report), "json")


def format_csv(report: LintReport) -> str:
    return _core.lint_render(_engine(report), "csv")


def format_lint_report(
    report: LintReport,
    format_type: Literal["table", "json", "csv"] = "table",
    console: Any | None = None,
) -> str:
    """The report in ``format_type``; the table is also printed on ``console`` when given."""
    text = _core.lint_render(_engine(report), format_type)
    if format_type == "table" and console is not None:
        console.print(text, end="", markup=False, highlight=False)
    return text


def save_report(report: LintReport, output_path: Path, format_type: Literal["json", "csv"] = "json") -> None:
    """Writes the report to ``output_path`` atomically."""
    _core.lint_render(_engine(report), format_type, str(output_path))


__all__ = ["format_csv", "format_json", "format_lint_report", "format_table", "save_report"]
