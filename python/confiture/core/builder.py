"""Build from DDL: the environment's schema files, in order, as one file or as a fresh database.

``SchemaBuilder`` keeps fraiseql-confiture's API (``find_sql_files``, ``build``, ``compute_hash``,
``include_dirs``, ``base_dir``, ``env_config``) and adds ``build_database``. Discovery, ordering,
hashing, assembly and database builds all run in the engine, without the GIL.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from confiture import _core
from confiture.config.environment import DirectoryConfig, Environment
from confiture.exceptions import SchemaError

HAS_RUST = True  # fraiseql-confiture compatibility: the engine is always the Rust one.


@dataclass
class BuildFileReport:
    """What ``build_file`` wrote."""

    hash: str
    files: list[Path]
    size_bytes: int
    output: Path | None


@dataclass
class ObjectSummary:
    """A kind of object in a built database: how many, and the first few names."""

    kind: str
    count: int
    names: list[str] = field(default_factory=list)


@dataclass
class DatabaseBuildReport:
    """What ``build_database`` did."""

    database: str
    server: str
    action: str
    from_template: str | None
    template_created: str | None
    templates_pruned: list[str]
    files: int
    statements: int
    hash: str
    seconds: float
    objects: list[ObjectSummary]
    warnings: list[str]

    @classmethod
    def _from_engine(cls, data: dict[str, Any]) -> DatabaseBuildReport:
        objects = [ObjectSummary(**o) for o in data.pop("objects")]
        return cls(objects=objects, **data)


class SchemaBuilder:
    """Builds an environment's schema.

    Args:
        env: environment name (``db/environments/<env>.yaml``).
        project_dir: project root (default: the current directory).
        schema_only: leave seed directories out.
    """

    def __init__(self, env: str, project_dir: Path | None = None, *, schema_only: bool = False) -> None:
        self.env = env
        self.project_dir = Path(project_dir) if project_dir is not None else Path.cwd()
        self.schema_only = schema_only
        self.env_config = Environment.load(env, project_dir=self.project_dir)
        if not self.env_config.include_dirs:
            raise SchemaError(
                f"No include_dirs specified in {self.env_config.source}: "
                "list the directories holding your DDL"
            )
        self.include_configs: list[dict[str, Any]] = [
            asdict(DirectoryConfig(path=item)) if isinstance(item, str) else asdict(item)
            for item in self.env_config.include_dirs
        ]
        self.include_dirs = [Path(c["path"]) for c in self.include_configs]
        self.base_dir = Path(_core.common_parent([str(d) for d in self.include_dirs]))

    def _engine_env(self) -> dict[str, Any]:
        data = self.env_config._to_engine()
        data["include_dirs"] = [dict(c) for c in self.include_configs]
        return data

    def find_sql_files(self) -> list[Path]:
        """The files of the build, in order."""
        found = _core.find_sql_files(self._engine_env(), self.schema_only)
        return [Path(f["path"]) for f in found["files"]]

    def build(self, output_path: Path | None = None) -> str:
        """The schema file's text; also written (atomically) to ``output_path`` when given."""
        result = _core.build_schema(
            self._engine_env(), self.schema_only, str(output_path) if output_path is not None else None, True
        )
        return result["text"]

    def build_file(self, output_path: Path) -> BuildFileReport:
        """Writes the schema file (atomically) and reports on it, without returning the text."""
        result = _core.build_schema(self._engine_env(), self.schema_only, str(output_path), False)
        return BuildFileReport(
            hash=result["hash"],
            files=[Path(f) for f in result["files"]],
            size_bytes=result["size_bytes"],
            output=Path(result["output"]),
        )

    def compute_hash(self) -> str:
        """SHA-256 over the files' relative paths and bytes (see docs/guides/build.md)."""
        return _core.compute_hash(self._engine_env(), self.schema_only)

    def build_database(
        self, database_url: str | None = None, *, recreate: bool = False, use_cache: bool = True
    ) -> DatabaseBuildReport:
        """Builds a database from the schema (the environment's own unless ``database_url``).

        A missing database is created; an existing non-empty one is refused unless ``recreate``.
        Everything runs in one transaction; a failure leaves nothing half-built and raises
        ``SchemaApplyError`` naming the file, line and statement. With ``use_cache`` the result is
        kept as a template database and the next build with the same hash clones it.
        """
        report = _core.apply_schema(self._engine_env(), database_url, self.schema_only, recreate, use_cache)
        return DatabaseBuildReport._from_engine(report)

    async def build_database_async(
        self, database_url: str | None = None, *, recreate: bool = False, use_cache: bool = True
    ) -> DatabaseBuildReport:
        """``build_database``, awaitable: the build runs on the engine's runtime, off the event loop."""
        report = await _core.apply_schema_async(
            self._engine_env(), database_url, self.schema_only, recreate, use_cache
        )
        return DatabaseBuildReport._from_engine(report)


__all__ = ["HAS_RUST", "BuildFileReport", "DatabaseBuildReport", "ObjectSummary", "SchemaBuilder"]
