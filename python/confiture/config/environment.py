"""Environment configuration: ``db/environments/<env>.yaml``.

The engine reads and validates the file (``${VAR}`` interpolation, defaults, errors naming the file
and key, warnings for unknown keys); these dataclasses carry the result with fraiseql-confiture's
attribute names.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from confiture import _core
from confiture.exceptions import ConfigurationError, ConfigurationWarning


@dataclass
class BuildConfig:
    sort_mode: str = "alphabetical"


@dataclass
class LockingConfig:
    enabled: bool = True
    timeout_ms: int = 30000


@dataclass
class MigrationConfig:
    strict_mode: bool = False
    locking: LockingConfig = field(default_factory=LockingConfig)


@dataclass
class PgGitConfig:
    enabled: bool = False
    auto_init: bool = True
    default_branch: str = "main"
    auto_commit: bool = False
    commit_message_template: str = "Migration: {migration_name}"
    require_branch: bool = False
    protected_branches: list[str] = field(default_factory=lambda: ["main", "master"])


@dataclass
class SyncSettings:
    """``sync:`` settings: whether ``confiture sync --yes`` may write into a protected environment."""

    allow_as_target: bool = False


@dataclass
class DirectoryConfig:
    """An ``include_dirs`` item with options. ``seed`` marks seed data (None: guessed from the path)."""

    path: str
    recursive: bool = True
    include: list[str] = field(default_factory=lambda: ["**/*.sql"])
    exclude: list[str] = field(default_factory=list)
    auto_discover: bool = True
    order: int = 0
    seed: bool | None = None


@dataclass
class DatabaseConfig:
    """Connection parameters. ``from_url`` understands every libpq URL form and fills in what libpq
    would use (``PG*`` variables, the OS user, the socket directory); the password never shows in
    ``repr``."""

    host: str = "localhost"
    port: int = 5432
    database: str = "postgres"
    user: str = "postgres"
    password: str = field(default="", repr=False)
    sslmode: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_url(cls, url: str) -> DatabaseConfig:
        parsed = _core.parse_database_url(url)
        given, resolved = parsed["given"], parsed["resolved"]
        return cls(
            host=resolved["hosts"][0] if resolved["hosts"] else "",
            port=resolved["ports"][0] if resolved["ports"] else 5432,
            database=resolved["dbname"],
            user=resolved["user"],
            password=resolved["password"] or "",
            sslmode=given["sslmode"],
            options=dict(given["options"]),
        )

    def to_url(self) -> str:
        """A ``postgresql://`` URL for these parameters (password percent-encoded)."""
        return _core.render_database_url(
            {
                "hosts": [self.host] if self.host else [],
                "ports": [self.port],
                "dbname": self.database,
                "user": self.user,
                "password": self.password or None,
                "sslmode": self.sslmode,
                "options": self.options,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "database": {
                "host": self.host,
                "port": self.port,
                "database": self.database,
                "user": self.user,
                "password": self.password,
            }
        }


@dataclass
class Environment:
    """A loaded environment. Paths are absolute; ``database_url`` is interpolated."""

    name: str
    database_url: str | None = None
    include_dirs: list[str | DirectoryConfig] = field(default_factory=list)
    exclude_dirs: list[str] = field(default_factory=list)
    migration_table: str = "tb_confiture"
    auto_backup: bool = True
    require_confirmation: bool = True
    build: BuildConfig = field(default_factory=BuildConfig)
    migration: MigrationConfig = field(default_factory=MigrationConfig)
    pggit: PgGitConfig = field(default_factory=PgGitConfig)
    protected: bool = False
    sync: SyncSettings = field(default_factory=SyncSettings)
    #: The ``lint:`` section as written (checked by the engine when ``confiture lint`` runs).
    lint: dict[str, Any] = field(default_factory=dict)
    project_dir: Path = field(default_factory=Path.cwd)
    source: Path | None = None

    @property
    def database(self) -> DatabaseConfig:
        if not self.database_url:
            where = self.source or f"db/environments/{self.name}.yaml"
            raise ConfigurationError(
                f"{where}: no database configured; set `database_url` (or a `database:` mapping)"
            )
        return DatabaseConfig.from_url(self.database_url)

    @classmethod
    def load(cls, env_name: str, project_dir: Path | None = None) -> Environment:
        """Loads ``<project_dir>/db/environments/<env_name>.yaml`` (project_dir: the current directory)."""
        loaded = _core.load_environment(env_name, str(project_dir if project_dir is not None else Path.cwd()))
        for w in loaded["warnings"]:
            warnings.warn(
                f"{w['path']}: key `{w['key']}`: {w['message']}", ConfigurationWarning, stacklevel=2
            )
        return cls._from_engine(loaded["environment"])

    @classmethod
    def _from_engine(cls, data: dict[str, Any]) -> Environment:
        include_dirs: list[str | DirectoryConfig] = [
            item if isinstance(item, str) else DirectoryConfig(**item) for item in data["include_dirs"]
        ]
        migration = data["migration"]
        return cls(
            name=data["name"],
            database_url=data["database_url"],
            include_dirs=include_dirs,
            exclude_dirs=list(data["exclude_dirs"]),
            migration_table=data["migration_table"],
            auto_backup=data["auto_backup"],
            require_confirmation=data["require_confirmation"],
            build=BuildConfig(**data["build"]),
            migration=MigrationConfig(
                strict_mode=migration["strict_mode"], locking=LockingConfig(**migration["locking"])
            ),
            pggit=PgGitConfig(**data["pggit"]),
            protected=data["protected"],
            sync=SyncSettings(**data["sync"]),
            lint=dict(data.get("lint") or {}),
            project_dir=Path(data["project_dir"]),
            source=Path(data["source"]),
        )

    def _to_engine(self) -> dict[str, Any]:
        """The environment as the engine reads it."""
        data = asdict(self)
        data["include_dirs"] = [d if isinstance(d, str) else asdict(d) for d in self.include_dirs]
        data["project_dir"] = str(self.project_dir)
        data["source"] = str(self.source or "")
        return data


__all__ = [
    "BuildConfig",
    "DatabaseConfig",
    "DirectoryConfig",
    "Environment",
    "LockingConfig",
    "MigrationConfig",
    "PgGitConfig",
    "SyncSettings",
]
