"""SQL file migrations: ``NNN_name.up.sql`` + ``NNN_name.down.sql`` (+ an optional
``NNN_name.yaml`` of preconditions). The engine reads, splits and runs these files itself; the
classes here give them fraiseql-confiture's Python shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from confiture import _core
from confiture.core.preconditions import Precondition, from_spec
from confiture.models.migration import Migration


class FileSQLMigration(Migration):
    """Runs an ``.up.sql``/``.down.sql`` pair."""

    up_file: ClassVar[Path]
    down_file: ClassVar[Path]

    def __init__(self, connection: Any, up_file: Path | None = None, down_file: Path | None = None) -> None:
        if up_file is not None:
            self.up_file = Path(up_file)  # type: ignore[misc]
        if down_file is not None:
            self.down_file = Path(down_file)  # type: ignore[misc]
        super().__init__(connection)

    def up(self) -> None:
        self.execute(Path(self.up_file).read_text())

    def down(self) -> None:
        self.execute(Path(self.down_file).read_text())

    @classmethod
    def from_files(cls, up_file: Path, down_file: Path) -> type[FileSQLMigration]:
        """A class for one pair of files (with the sidecar's preconditions)."""
        up_file, down_file = Path(up_file), Path(down_file)
        base = up_file.name.removesuffix(".up.sql")
        version, _, name = base.partition("_")
        up_pre: list[Precondition] = []
        down_pre: list[Precondition] = []
        sidecar = find_yaml_sidecar(up_file)
        if sidecar is not None:
            up_pre, down_pre = load_preconditions_from_yaml(sidecar)
        attrs = {
            "version": version,
            "name": name or base,
            "up_file": up_file,
            "down_file": down_file,
            "up_preconditions": up_pre,
            "down_preconditions": down_pre,
            "transactional": not _starts_with_no_transaction(up_file),
        }
        return type(f"FileSQLMigration_{base}", (cls,), attrs)


def _starts_with_no_transaction(path: Path) -> bool:
    first = path.read_text().lstrip("\ufeff").split("\n", 1)[0]
    return " ".join(first.split()).lower() == "-- confiture: no-transaction"


def find_sql_migration_files(migrations_dir: Path) -> list[tuple[Path, Path]]:
    """(up, down) pairs in version order; a missing down file is a ``ValueError``."""
    scanned = _core.migrate_scan(str(migrations_dir))
    for problem in scanned["problems"]:
        if problem["kind"] == "missing_down":
            raise ValueError(
                f"SQL migration {Path(problem['up']).name} has no matching .down.sql file.\n"
                f"Expected: {problem['expected']}"
            )
    pairs = []
    for m in scanned["migrations"]:
        kind = m["kind"]
        if kind["type"] == "sql":
            pairs.append((Path(kind["up"]), Path(kind["down"])))
    return pairs


def get_sql_migration_version(up_file: Path) -> str:
    return Path(up_file).name.removesuffix(".up.sql").split("_", 1)[0]


def find_yaml_sidecar(up_file: Path) -> Path | None:
    base = Path(up_file).name.removesuffix(".up.sql")
    for ext in (".yaml", ".yml"):
        candidate = Path(up_file).with_name(base + ext)
        if candidate.exists():
            return candidate
    return None


def load_preconditions_from_yaml(yaml_file: Path) -> tuple[list[Precondition], list[Precondition]]:
    """The ``up_preconditions`` and ``down_preconditions`` of a sidecar file."""
    data = _core.load_yaml(str(yaml_file)) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{yaml_file}: expected a mapping with up_preconditions/down_preconditions")
    return (
        [from_spec(p) for p in data.get("up_preconditions") or []],
        [from_spec(p) for p in data.get("down_preconditions") or []],
    )


__all__ = [
    "FileSQLMigration",
    "find_sql_migration_files",
    "find_yaml_sidecar",
    "get_sql_migration_version",
    "load_preconditions_from_yaml",
]
