"""Connections for the Python API: configuration files and psycopg connections.

``load_config`` reads a YAML configuration file (with ``${VAR}`` interpolation, in the engine);
``create_connection`` opens a psycopg connection (autocommit off) from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from confiture import _core
from confiture.config.environment import DatabaseConfig
from confiture.exceptions import ConfigurationError, MigrationError

if TYPE_CHECKING:
    import psycopg


def load_config(config_file: Path) -> dict[str, Any]:
    """Reads a configuration file (``db/environments/<env>.yaml``) as a dict."""
    try:
        data = _core.load_yaml(str(config_file))
    except ConfigurationError as e:
        # fraiseql-confiture raised MigrationError here; callers catch it.
        raise MigrationError(str(e)) from e
    if not isinstance(data, dict):
        raise MigrationError(f"Invalid YAML configuration: {config_file}: the top level must be a mapping")
    return data


def database_url_from_config(config: dict[str, Any] | DatabaseConfig) -> str:
    """The connection URL of a config dict (``database_url``, else the ``database:`` mapping)."""
    if isinstance(config, DatabaseConfig):
        return config.to_url()
    return _core.database_url_from_config(config)


def create_connection(config: dict[str, Any] | DatabaseConfig) -> psycopg.Connection:
    """Opens a psycopg connection (autocommit off)."""
    import psycopg

    url = database_url_from_config(config)
    try:
        return psycopg.connect(url, autocommit=False)
    except psycopg.Error as e:
        raise MigrationError(f"Failed to connect to database {_core.redact_url(url)}: {e}") from e


__all__ = ["create_connection", "database_url_from_config", "load_config"]
