"""Type stubs for ``confiture._core``, the compiled engine. Python code should prefer the public
modules (``confiture.core.builder``, ``confiture.config.environment``, ``confiture.testing``)."""

from pathlib import Path
from typing import Any, Literal, TypedDict, final

__version__: str
__all__ = [
    "Anonymizer",
    "PostgresServer",
    "SyncRun",
    "__version__",
    "anonymization_profile_from_dict",
    "anonymization_strategies",
    "apply_schema",
    "build_schema",
    "card_number_info",
    "common_parent",
    "compute_hash",
    "create_database",
    "database_url_from_config",
    "drop_database",
    "find_sql_files",
    "init_plan",
    "init_write",
    "list_environments",
    "list_templates",
    "load_anonymization_profile",
    "load_environment",
    "load_sync_checkpoint",
    "load_yaml",
    "parse_database_url",
    "redact_url",
    "render_database_url",
    "resolve_seed",
    "save_sync_checkpoint",
    "sync_check_connections",
    "sync_list_tables",
    "sync_parse_rule",
    "sync_select_tables",
    "sync_start",
    "url_with_database",
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
