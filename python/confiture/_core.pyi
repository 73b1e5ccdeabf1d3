"""Type stubs for ``confiture._core``, the compiled engine. Python code should prefer the public
modules (``confiture.core.builder``, ``confiture.config.environment``, ``confiture.testing``)."""

from collections.abc import Awaitable
from pathlib import Path
from typing import Any, Literal, TypedDict, final

__version__: str
__all__ = [
    "Anonymizer",
    "ClonePool",
    "CoordinationProject",
    "EngineHandle",
    "PostgresServer",
    "SchemaToSchemaRun",
    "SyncRun",
    "__version__",
    "analyze_sql",
    "anonymization_profile_from_dict",
    "anonymization_strategies",
    "apply_schema",
    "apply_schema_async",
    "build_schema",
    "card_number_info",
    "check_precondition",
    "checksum_bytes",
    "checksum_file",
    "common_parent",
    "compute_hash",
    "coordinate_allocate_branch",
    "coordinate_check",
    "coordinate_conflicts",
    "coordinate_database_url",
    "coordinate_detect",
    "coordinate_extract",
    "coordinate_get",
    "coordinate_history",
    "coordinate_init",
    "coordinate_list",
    "coordinate_overview",
    "coordinate_project",
    "coordinate_register",
    "coordinate_resolve",
    "coordinate_transition",
    "create_database",
    "data_baseline",
    "data_count_changes",
    "data_foreign_key_violations",
    "data_invalid_indexes",
    "data_row_count",
    "data_violations",
    "database_url_from_config",
    "diff_drift",
    "diff_sides",
    "diff_sql",
    "drop_database",
    "find_sql_files",
    "init_plan",
    "init_write",
    "lint_command",
    "lint_render",
    "lint_rules",
    "lint_run",
    "list_environments",
    "list_templates",
    "load_anonymization_profile",
    "load_environment",
    "load_environment_file",
    "load_sync_checkpoint",
    "load_yaml",
    "lock_acquire",
    "lock_holder",
    "lock_id",
    "lock_release",
    "migrate_baseline",
    "migrate_down",
    "migrate_dry_run",
    "migrate_find",
    "migrate_fix_naming",
    "migrate_generate",
    "migrate_scan",
    "migrate_status",
    "migrate_up",
    "migrate_up_async",
    "migrate_validate",
    "migrate_verify",
    "migrator_applied",
    "migrator_apply",
    "migrator_dry_run",
    "migrator_initialize",
    "migrator_mark_applied",
    "migrator_rollback",
    "migrator_update_checksum",
    "next_migration_version",
    "order_hooks",
    "parse_database_url",
    "redact_url",
    "render_database_url",
    "render_diff",
    "resolve_seed",
    "roundtrip_check",
    "s2s_count_compare",
    "s2s_start",
    "save_sync_checkpoint",
    "schema_model",
    "snapshot_capture",
    "snapshot_compare",
    "sync_async",
    "sync_check_connections",
    "sync_list_tables",
    "sync_parse_rule",
    "sync_select_tables",
    "sync_start",
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

def load_environment_file(path: str | Path) -> _LoadedEnvironmentDict:
    """Loads an environment file by path (``--config FILE``)."""

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

def apply_schema_async(
    environment: dict[str, Any],
    database_url: str | None = None,
    schema_only: bool = False,
    recreate: bool = False,
    use_cache: bool = True,
) -> Awaitable[_ApplyReportDict]:
    """``apply_schema``, awaitable (call inside a running event loop)."""

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

class _LintFindingDict(TypedDict):
    rule_id: str
    rule_name: str
    severity: Literal["error", "warning", "info"]
    object_type: str
    object_name: str
    message: str
    suggested_fix: str | None
    file: str | None
    line: int | None
    column: int | None

class _LintReportDict(TypedDict):
    schema_name: str
    findings: list[_LintFindingDict]
    tables_checked: int
    columns_checked: int
    migrations_checked: int
    statements_checked: int
    suppressed: int
    execution_time_ms: int
    database: str
    fail_on_error: bool
    fail_on_warning: bool
    rules: list[str]
    notes: list[str]

def lint_run(
    project_dir: str | Path,
    environment: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    schema: bool = True,
    schema_text: str | None = None,
    schema_name: str = "<schema>",
    migrations_dir: str | Path | None = None,
    migration_files: list[str] | list[Path] | None = None,
    database: bool = True,
    connect_timeout: float = 5.0,
) -> _LintReportDict:
    """Runs a lint: the environment's schema (``schema``) or ``schema_text``; the pending
    migrations of ``migrations_dir`` or exactly ``migration_files``."""

class _LintCommandDict(TypedDict):
    text: str | None
    findings: int
    errors: int
    warnings: int
    failed: bool
    notes: list[str]

def lint_command(
    project_dir: str | Path,
    format: str,
    environment: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    output: str | Path | None = None,
    schema: bool = True,
    migrations_dir: str | Path | None = None,
    migration_files: list[str] | list[Path] | None = None,
    database: bool = True,
    connect_timeout: float = 5.0,
) -> _LintCommandDict:
    """``confiture lint``: runs, renders (written atomically to ``output`` when given) and summarises."""

def lint_render(
    report: _LintReportDict | dict[str, Any], format: str, output: str | Path | None = None
) -> str:
    """A lint report as ``table``, ``json``, ``csv`` or ``sarif`` (written atomically to ``output``)."""

def lint_rules(format: str) -> str:
    """The rule catalogue as ``table`` (Markdown), ``json`` or ``csv``."""

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

# --- migrations -------------------------------------------------------------------------------
# ``target`` is a connection URL (the engine connects natively) or a psycopg connection (the
# engine runs SQL through it). ``host`` receives events and runs Python migrations and hooks.

_Target = str | Any

def migrate_scan(directory: str | Path) -> dict[str, Any]:
    """The migration files in ``directory``: migrations, problems and orphans."""

def migrate_status(target: _Target, directory: str | Path, table: str) -> dict[str, Any]:
    """Applied and pending migrations, checksum state, tracking table presence."""

def migrate_up(
    target: _Target,
    directory: str | Path,
    table: str,
    options: dict[str, Any],
    lock: dict[str, Any] | None = None,
    host: Any | None = None,
) -> dict[str, Any]:
    """Applies pending migrations (``options``: target, strict, force, on_mismatch, …)."""

def migrate_up_async(
    url: str,
    directory: str | Path,
    table: str,
    options: dict[str, Any],
    lock: dict[str, Any] | None = None,
    host: Any | None = None,
) -> Awaitable[dict[str, Any]]:
    """``migrate_up`` on a database URL, awaitable (call inside a running event loop)."""

def migrate_find(
    directory: str | Path, version: str | None = None, name: str | None = None
) -> list[dict[str, Any]]:
    """The migrations with this version (as versions compare) or full name (``003_add_users``)."""

def roundtrip_check(
    target: _Target, directory: str | Path, table: str, version: str, host: Any | None = None
) -> dict[str, Any]:
    """Up → down → up of one migration with the schemas compared (see ``confiture.testing.roundtrip``)."""

def migrate_down(
    target: _Target,
    directory: str | Path,
    table: str,
    steps: int | None = None,
    to: str | None = None,
    lock: dict[str, Any] | None = None,
    host: Any | None = None,
) -> dict[str, Any]:
    """Rolls back the last ``steps`` migrations, or back to version ``to``."""

def migrate_baseline(
    target: _Target,
    directory: str | Path,
    table: str,
    through: str,
    dry_run: bool = False,
    lock: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Records migrations up to ``through`` as applied without running them."""

def migrate_verify(target: _Target, directory: str | Path, table: str, fix: bool = False) -> dict[str, Any]:
    """Compares recorded checksums with the files; ``fix`` records the files' checksums."""

def migrate_dry_run(
    target: _Target,
    directory: str | Path,
    table: str,
    mode: str,
    direction: str,
    steps: int | None = None,
    to: str | None = None,
    migration_id: str = ...,
    lock: dict[str, Any] | None = None,
    host: Any | None = None,
) -> dict[str, Any]:
    """Analyses (``mode="analyze"``) or executes and rolls back (``"execute"``) pending migrations."""

def migrate_generate(directory: str | Path, name: str, sql: bool = False) -> list[Path]:
    """Writes the next migration's file(s) and returns their paths."""

def migrate_fix_naming(directory: str | Path, dry_run: bool = False) -> list[dict[str, Any]]:
    """Renames orphaned ``.sql`` files to ``.up.sql``; returns what was (or would be) renamed."""

def migrator_initialize(connection: Any, table: str = ...) -> None:
    """Creates (or upgrades) the tracking table."""

def migrator_applied(connection: Any, table: str = ...) -> list[dict[str, Any]]:
    """The tracking table's rows, oldest first."""

def migrator_apply(connection: Any, table: str, migration: dict[str, Any], force: bool, host: Any) -> int:
    """Applies one migration and records it; returns its duration in milliseconds."""

def migrator_rollback(connection: Any, table: str, migration: dict[str, Any], host: Any) -> int:
    """Rolls back one migration and removes its record; returns its duration in milliseconds."""

def migrator_dry_run(connection: Any, table: str, migration: dict[str, Any], host: Any) -> dict[str, Any]:
    """Executes one migration inside a savepoint that is rolled back; reports what it did."""

def migrator_mark_applied(connection: Any, table: str, file: str | Path) -> str | None:
    """Records a migration file as applied without running it."""

def migrator_update_checksum(connection: Any, table: str, version: str, checksum: str) -> None:
    """Records a new checksum for an applied migration."""

def lock_id(database: str) -> int:
    """The advisory lock key for ``database`` (stable across processes and versions)."""

def lock_acquire(connection: Any, id: int, blocking: bool = True, timeout_ms: int = 30000) -> None:
    """Takes the migration lock, waiting up to ``timeout_ms`` unless ``blocking`` is false."""

def lock_release(connection: Any, id: int) -> None:
    """Releases the migration lock."""

def lock_holder(connection: Any, id: int) -> dict[str, Any] | None:
    """Who holds the migration lock (pid, application, since), if anyone."""

def check_precondition(spec: dict[str, Any], connection: Any) -> tuple[bool, str]:
    """Evaluates one precondition: whether it holds and why not."""

def checksum_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes, hex."""

def checksum_bytes(data: bytes) -> str:
    """SHA-256 of ``data``, hex."""

def analyze_sql(sql: str) -> list[dict[str, Any]]:
    """Per-statement effects: locks taken, rewrites, scans, destructive changes."""

def order_hooks(hooks: list[dict[str, Any]]) -> list[str]:
    """Hook names in execution order (priority, then declared dependencies)."""

@final
class EngineHandle:
    """The migration's transaction on Confiture's connection, for Python migrations."""

    def run(self, sql: str, params: Any | None = None) -> dict[str, Any]:
        """Runs SQL; returns ``{"columns", "rows", "rowcount"}``."""

# --- anonymization -------------------------------------------------------------------------------

def anonymization_strategies() -> list[str]:
    """Every strategy name, sorted."""

@final
class Anonymizer:
    """A strategy bound to the key (variable ``key_env_var``, default
    ``CONFITURE_ANONYMIZATION_KEY``; refused when unset or shorter than 16 characters) and a domain
    (default: the strategy name, plus the seed when non-zero)."""

    def __new__(
        cls,
        strategy: str,
        config: dict[str, Any] | None = None,
        seed: int = 0,
        domain: str | None = None,
        unique: bool = False,
        key_env_var: str | None = None,
    ) -> Anonymizer: ...
    @property
    def name(self) -> str:
        """The strategy's registry name."""
    def anonymize(self, value: str | None) -> str | None:
        """The replacement of one value (``None`` stays ``None``)."""
    def anonymize_many(self, values: list[str | None]) -> list[str | None]:
        """The replacements of many values, in order."""
    def looks_valid(self, value: str) -> bool:
        """Whether ``value`` looks like what the strategy is meant for."""

class _LoadedProfileDict(TypedDict):
    path: str
    profile: dict[str, Any]
    rules: list[dict[str, Any]]

def load_anonymization_profile(path: str | Path) -> _LoadedProfileDict:
    """Reads and checks a profile (every problem reported at once)."""

def anonymization_profile_from_dict(data: dict[str, Any]) -> _LoadedProfileDict:
    """Checks a profile given as a dict."""

def resolve_seed(seed: int | None = None, seed_env_var: str | None = None) -> int:
    """The integer in variable ``seed_env_var`` when set, else ``seed``, else 0."""

class _CardInfoDict(TypedDict):
    digits: str
    valid: bool
    network: str
    check_digit: int | None

def card_number_info(number: str) -> _CardInfoDict:
    """Luhn validity, network and check digit of a card number."""

# --- sync ----------------------------------------------------------------------------------------

class _TableProgressDict(TypedDict):
    table: str
    rows: int
    estimate: int
    state: Literal["pending", "copying", "done", "skipped", "failed"]

class _ProgressDict(TypedDict):
    phase: str
    tables: list[_TableProgressDict]

class _ColumnReportDict(TypedDict):
    column: str
    strategy: str
    kind: str
    unique: bool
    collisions: int
    origin: str

class _VerificationDict(TypedDict):
    method: str
    sampled: int
    unchecked: list[str]

class _TableReportDict(TypedDict):
    table: str
    status: Literal["synced", "skipped", "planned"]
    rows: int
    seconds: float
    rows_per_second: float
    synced_at: str | None
    columns: int
    anonymized: list[_ColumnReportDict]
    verification: _VerificationDict | None

class _SequenceReportDict(TypedDict):
    sequence: str
    last_value: int | None

class _SyncReportDict(TypedDict):
    source: str
    target: str
    snapshot: str | None
    check_only: bool
    order: list[list[str]]
    tables: list[_TableReportDict]
    sequences: list[_SequenceReportDict]
    warnings: list[str]
    rows: int
    seconds: float
    rows_per_second: float
    checkpoint: str | None

@final
class SyncRun:
    """A sync running in the background."""

    def progress(self) -> _ProgressDict:
        """The phase and each table's rows so far."""
    def wait(self, timeout: float | None = None) -> _SyncReportDict | None:
        """The report once finished (raising the sync's error if it failed); ``None`` on timeout."""
    def cancel(self) -> None:
        """Stops at the next batch; what is not committed is rolled back."""
    def done(self) -> bool:
        """Whether the sync has finished."""

def sync_start(request: dict[str, Any]) -> SyncRun:
    """Starts a sync: ``source``/``target`` (environment name or URL), ``project_dir``, ``tables``,
    ``exclude``, ``anonymize`` (``TABLE.COLUMN[=STRATEGY]``), ``rules``, ``profile``,
    ``key_env_var``, ``schema_only_check``, ``batch_size``, ``jobs``, ``checkpoint``, ``resume``,
    ``truncate``, ``yes``, ``verify``."""

def sync_async(request: dict[str, Any]) -> Awaitable[_SyncReportDict]:
    """A sync, awaitable (same request as ``sync_start``); cancelling the task cancels the sync."""

def sync_list_tables(endpoint: str, project_dir: str | Path | None = None) -> list[str]:
    """The user tables of a database (all schemas), as displayed names."""

def sync_select_tables(
    endpoint: str,
    include: list[str] = ...,
    exclude: list[str] = ...,
    project_dir: str | Path | None = None,
) -> list[str]:
    """The tables the patterns select."""

def sync_check_connections(endpoints: list[str], project_dir: str | Path | None = None) -> list[str]:
    """Connects to each endpoint once; returns their ``host:port/db``."""

def sync_parse_rule(spec: str) -> dict[str, Any]:
    """Parses ``TABLE.COLUMN[=STRATEGY]``."""

def load_sync_checkpoint(path: str | Path) -> dict[str, Any] | None:
    """Reads a checkpoint file (``None`` when it does not exist)."""

def save_sync_checkpoint(path: str | Path, checkpoint: dict[str, Any]) -> None:
    """Writes a checkpoint file atomically."""

# --- coordination --------------------------------------------------------------------------------
# ``target`` is a connection URL or a psycopg connection; ``ensure`` creates the tables when missing.

@final
class CoordinationProject:
    """The project's schema model, parsed once for many registrations."""

def coordinate_database_url(given: str | None = None, env: str = ..., project_dir: str = ...) -> str | None:
    """The registry URL: ``given``, DATABASE_URL, CONFITURE_DB_URL, then ``coordination.database_url``."""

def coordinate_project(env: str = ..., project_dir: str = ...) -> CoordinationProject | None:
    """The model of the environment's DDL (``None`` without such an environment)."""

def coordinate_extract(sql: str) -> dict[str, Any]:
    """What DDL affects: ``objects`` (kind, object, role) and ``tables``."""

def coordinate_detect(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Conflicts between intent dicts ``a`` (newer) and ``b``."""

def coordinate_init(target: _Target) -> bool:
    """Creates the coordination tables when missing; whether it did."""

def coordinate_register(
    target: _Target, request: dict[str, Any], project: CoordinationProject | None = None, ensure: bool = False
) -> dict[str, Any]:
    """Registers an intent: ``intent``, ``conflicts``, ``objects``, ``tables_affected``."""

def coordinate_check(
    target: _Target, request: dict[str, Any], project: CoordinationProject | None = None, ensure: bool = False
) -> dict[str, Any]:
    """The conflicts an intent would have (nothing stored)."""

def coordinate_get(target: _Target, intent_id: str, ensure: bool = False) -> dict[str, Any] | None:
    """One intent with its objects (a unique id prefix is enough)."""

def coordinate_list(
    target: _Target, status: str | None = None, agent_id: str | None = None, ensure: bool = False
) -> list[dict[str, Any]]:
    """Intents, newest first."""

def coordinate_transition(
    target: _Target, intent_id: str, to: str, reason: str, changed_by: str = ..., ensure: bool = False
) -> dict[str, Any]:
    """Moves an intent to status ``to`` (validated); returns it."""

def coordinate_conflicts(
    target: _Target, intent_id: str | None = None, ensure: bool = False
) -> list[dict[str, Any]]:
    """An intent's conflicts, or every unreviewed conflict."""

def coordinate_resolve(
    target: _Target,
    conflict_id: int,
    notes: str,
    reviewed: bool = True,
    changed_by: str = ...,
    ensure: bool = False,
) -> dict[str, Any]:
    """Marks a conflict reviewed; returns it."""

def coordinate_history(
    target: _Target, intent_id: str | None = None, limit: int | None = None, ensure: bool = False
) -> list[dict[str, Any]]:
    """Status changes, oldest first."""

def coordinate_overview(target: _Target, ensure: bool = False) -> dict[str, Any]:
    """Active intents, counts per status, unresolved conflicts."""

def coordinate_allocate_branch(target: _Target, feature_name: str, ensure: bool = False) -> str:
    """The branch a feature would get."""

# --- testing toolkit -----------------------------------------------------------------------------

def snapshot_capture(connection: _Target) -> dict[str, Any]:
    """The schema snapshot of a database: ``tables`` (by name), ``views``, ``materialized_views``,
    ``functions``."""

def snapshot_compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed between two snapshots."""

def data_baseline(connection: _Target) -> dict[str, Any]:
    """Exact row counts by ``schema.table`` and constraint violations."""

def data_violations(connection: _Target) -> list[dict[str, Any]]:
    """Rows that break a foreign key or a ``NOT VALID`` CHECK, per constraint."""

def data_foreign_key_violations(connection: _Target, table: str, column: str) -> list[dict[str, Any]]:
    """Rows that break the foreign keys of ``table`` that include ``column``."""

def data_count_changes(
    before: dict[str, Any], after: dict[str, Any], allow_additions: bool = True
) -> list[dict[str, Any]]:
    """Tables whose row count dropped (or changed, without ``allow_additions``)."""

def data_invalid_indexes(connection: _Target) -> list[str]:
    """Indexes that are not valid or not ready, as ``schema.table.index``."""

def data_row_count(connection: _Target, table: str, schema: str | None = None) -> int:
    """The exact row count of a table."""

@final
class ClonePool:
    """Clones of a template database, made ahead of time for per-test databases."""

    def __new__(cls, server_url: str, template: str, ahead: int = 2, prefix: str = ...) -> ClonePool: ...
    def take(self) -> str:
        """The name of a fresh clone (waits when none is ready)."""
    def give_back(self, name: str) -> None:
        """Drops a clone in the background."""
    def close(self) -> None:
        """Drops unused clones and waits for every drop."""
    @property
    def ready(self) -> int:
        """Clones ready right now."""

# Schema-to-schema (confiture.core.schema_to_schema)

@final
class SchemaToSchemaRun:
    """A schema-to-schema step running in the background."""

    def progress(self) -> _ProgressDict:
        """The phase and each table's rows so far."""
    def wait(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The step's report once finished (raising its error if it failed); ``None`` on timeout."""
    def cancel(self) -> None:
        """Stops at the next batch; committed batches are kept."""
    def done(self) -> bool:
        """Whether the step has finished."""

def s2s_start(command: str, request: dict[str, Any]) -> SchemaToSchemaRun:
    """Starts a step (``setup``, ``analyze``, ``migrate``, ``catch-up``, ``verify``, ``cutover``,
    ``cleanup``, ``status``, ``one-shot``): ``source``/``target`` (environment name, URL or connection
    parameters), ``project_dir``, ``server_name``, ``foreign_schema``, ``schemas``, ``fdw_host``,
    ``fdw_port``, ``mapping_file`` or ``mapping``, ``capture``, ``skip_import``, ``strategy``,
    ``jobs``, ``batch_rows``, ``copy_threshold``, ``truncate``, ``restart``, ``tables``,
    ``lock_timeout_ms``, ``no_verify``, ``sample_rows``."""

def s2s_count_compare(
    request: dict[str, Any], tables: list[str], source_schema: str, target_schema: str
) -> dict[str, dict[str, Any]]:
    """``count(*)`` of each table in ``source_schema`` and ``target_schema`` of the target."""

class _ValidateViolationDict(TypedDict):
    kind: str
    check: Literal["naming", "require_migration", "drift"]
    object: str | None
    file: str | None
    line: int | None
    message: str

class _ValidateReportDict(TypedDict):
    status: Literal["ok", "issues_found"]
    base_ref: str | None
    base_commit: str | None
    compared: Literal["worktree", "index"] | None
    checks: list[str]
    violations: list[_ValidateViolationDict]
    changed_schema_files: list[str]
    changed_migrations: list[str]
    notes: list[str]

def migrate_validate(
    project_dir: str | Path,
    migrations_dir: str | Path,
    schema_dirs: list[str | Path] = ...,
    env: str | None = None,
    base_ref: str | None = None,
    staged: bool = False,
    require_migration: bool = False,
    check_drift: bool = False,
    naming: bool = True,
) -> _ValidateReportDict:
    """Naming checks on ``migrations_dir`` and, with ``require_migration``/``check_drift``, the
    git-aware checks against ``base_ref`` (default ``origin/main``, else ``main``): the working
    tree, or the index with ``staged``. Raises ``ValidationError`` (``kind`` says why) when the
    repository or the ref cannot be used."""
