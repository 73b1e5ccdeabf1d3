"""Type stubs for ``confiture._core``, the compiled engine. Python code should prefer the public
modules (``confiture.core.builder``, ``confiture.config.environment``, ``confiture.testing``)."""

from pathlib import Path
from typing import Any, Literal, TypedDict, final

__version__: str
__all__ = [
    "PostgresServer",
    "__version__",
    "apply_schema",
    "build_schema",
    "common_parent",
    "compute_hash",
    "create_database",
    "database_url_from_config",
    "diff_drift",
    "diff_sides",
    "diff_sql",
    "drop_database",
    "find_sql_files",
    "init_plan",
    "init_write",
    "list_environments",
    "list_templates",
    "load_environment",
    "load_yaml",
    "next_migration_version",
    "parse_database_url",
    "redact_url",
    "render_database_url",
    "render_diff",
    "schema_model",
    "url_with_database",
    "write_migration",
]

class _ConfigWarningDict(TypedDict):
    path: str
    key: str
    message: str

class _LoadedEnvironmentDict(TypedDict):
    environment: dict[str, Any]
    warnings: list[_ConfigWarningDict]

def load_environment(env: str, project_dir: str | Path) -> _LoadedEnvironmentDict:
    """Loads ``<project_dir>/db/environments/<env>.yaml`` (interpolated, validated)."""

class _ParsedUrlDict(TypedDict):
    given: dict[str, Any]
    resolved: dict[str, Any]

def parse_database_url(url: str) -> _ParsedUrlDict:
    """Parses a libpq URL or DSN: what it says (``given``) and what libpq would use (``resolved``)."""

def render_database_url(params: dict[str, Any]) -> str:
    """A ``postgresql://`` URL from connection parameters shaped like ``given``."""

def redact_url(url: str) -> str:
    """The URL with its password masked."""

def load_yaml(path: str | Path) -> Any:
    """A YAML file with ``${VAR}`` interpolation applied."""

def database_url_from_config(config: dict[str, Any]) -> str:
    """``database_url``, else the ``database:`` mapping with fraiseql-confiture's defaults."""

def url_with_database(url: str, dbname: str) -> str:
    """The same connection URL pointing at another database."""

def list_environments(project_dir: str | Path) -> list[str]:
    """The environments defined in ``<project_dir>/db/environments``, sorted."""

class _SchemaFileDict(TypedDict):
    path: str
    rel: str
    seed: bool

class _DiscoveryDict(TypedDict):
    files: list[_SchemaFileDict]
    base_dir: str
    include_dirs: list[str]

def find_sql_files(environment: dict[str, Any], schema_only: bool = False) -> _DiscoveryDict:
    """The environment's files in build order."""

def common_parent(paths: list[str]) -> str:
    """The deepest directory containing every given directory."""

class _PlannedFileDict(TypedDict):
    rel: str
    exists: bool

def init_plan(path: str | Path) -> list[_PlannedFileDict]:
    """What ``confiture init`` would write under ``path``."""

class _InitReportDict(TypedDict):
    root: str
    written: list[str]
    overwritten: list[str]

def init_write(path: str | Path, overwrite: bool) -> _InitReportDict:
    """Writes the project layout (existing files only when ``overwrite``)."""

class _BuildSummaryDict(TypedDict):
    hash: str
    files: list[str]
    base_dir: str
    size_bytes: int
    output: str | None
    text: str | None

def build_schema(
    environment: dict[str, Any],
    schema_only: bool = False,
    output: str | None = None,
    return_text: bool = True,
) -> _BuildSummaryDict:
    """Assembles the schema file; writes it atomically to ``output`` when given."""

def compute_hash(environment: dict[str, Any], schema_only: bool = False) -> str:
    """The schema hash of the environment's files."""

class _ObjectKindDict(TypedDict):
    kind: str
    count: int
    names: list[str]

class _ApplyReportDict(TypedDict):
    database: str
    server: str
    action: Literal["created", "recreated", "applied"]
    from_template: str | None
    template_created: str | None
    templates_pruned: list[str]
    files: int
    statements: int
    hash: str
    seconds: float
    objects: list[_ObjectKindDict]
    warnings: list[str]

def apply_schema(
    environment: dict[str, Any],
    database_url: str | None = None,
    schema_only: bool = False,
    recreate: bool = False,
    use_cache: bool = True,
) -> _ApplyReportDict:
    """Builds a database from the environment's files, in one transaction."""

class _TemplateDict(TypedDict):
    name: str
    hash: str
    lineage: str
    created: str

def list_templates(url: str) -> list[_TemplateDict]:
    """The template databases on the server of ``url``."""

def create_database(url: str, name: str, template: str | None = None) -> None:
    """``CREATE DATABASE name [TEMPLATE template]`` on the server of ``url``."""

def drop_database(url: str, name: str, force: bool = False) -> None:
    """``DROP DATABASE IF EXISTS name``; ``force`` closes other sessions first."""

class _ReferenceColumnDict(TypedDict):
    name: str
    type: str
    sql_type: str
    nullable: bool
    default: str | None
    primary_key: bool
    unique: bool
    length: int | None

class _ReferenceTableDict(TypedDict):
    name: str
    columns: list[_ReferenceColumnDict]
    indexes: list[str]
    constraints: list[str]

class _SchemaModelDict(TypedDict):
    tables: list[_ReferenceTableDict]
    model: dict[str, Any]
    notes: list[str]

def schema_model(sql: str, name: str = "<sql>", include_grants: bool = False) -> _SchemaModelDict:
    """The schema model of a SQL text (parsed with PostgreSQL's parser; nothing runs)."""

class _HazardDict(TypedDict, total=False):
    kind: str
    message: str
    safer: str

class _StepDict(TypedDict):
    sql: str
    action: str
    kind: str
    object: str
    hazards: list[_HazardDict]

class _ChangeDict(TypedDict, total=False):
    type: str
    kind: str
    object: str
    table: str
    column: str
    old_value: str
    new_value: str
    details: dict[str, str]
    description: str

class _SideDict(TypedDict):
    kind: str
    source: str
    read: str
    objects: dict[str, int]

class _DiffReportDict(TypedDict):
    old: _SideDict
    new: _SideDict
    mode: Literal["offline", "online"]
    identical: bool
    destructive: bool
    changes: list[_ChangeDict]
    up: list[_StepDict]
    down: list[_StepDict]
    notes: list[str]

def diff_sql(old_sql: str, new_sql: str, include_grants: bool = False) -> _DiffReportDict:
    """The diff between two SQL texts, with up and down plans."""

def diff_sides(
    old: str, new: str, project_dir: str | Path, online: bool = False, include_grants: bool = False
) -> _DiffReportDict:
    """The diff between two sides: SQL files, directories, ``env:NAME`` or database URLs."""

def diff_drift(
    env: str, project_dir: str | Path, online: bool = False, include_grants: bool = False
) -> _DiffReportDict:
    """The environment's live database (old) against its DDL (new)."""

def render_diff(report: _DiffReportDict, format: Literal["json", "sql"]) -> str:
    """A report as one JSON document, or its up plan as a SQL script."""

class _GeneratedDict(TypedDict):
    version: str
    name: str
    up: str
    down: str

def write_migration(
    report: _DiffReportDict, migrations_dir: str | Path, name: str, allow_destructive: bool = False
) -> _GeneratedDict:
    """Writes ``NNN_<name>.up.sql`` and ``NNN_<name>.down.sql`` for a report."""

def next_migration_version(migrations_dir: str | Path) -> str:
    """The version the next migration in ``migrations_dir`` gets (``001``, …)."""

@final
class PostgresServer:
    """A PostgreSQL server for tests: throw-away, or the one in ``CONFITURE_TEST_DATABASE_URL``."""

    @staticmethod
    def start(throwaway: bool = False) -> PostgresServer:
        """Starts a throw-away cluster (or attaches to the server named by the environment)."""
    @property
    def url(self) -> str:
        """URL of the maintenance database (``postgres``)."""
    @property
    def is_external(self) -> bool:
        """Whether this is an existing server (``stop()`` leaves it running)."""
    @property
    def directory(self) -> Path | None:
        """The cluster directory of a throw-away server."""
    def url_for(self, dbname: str) -> str:
        """URL of database ``dbname`` on this server."""
    def stop(self) -> None:
        """Stops a throw-away server and removes its directory (idempotent)."""
    def __enter__(self) -> PostgresServer: ...
    def __exit__(self, *args: object) -> bool: ...
