"""Testing helpers: throw-away PostgreSQL servers and the pytest plugin's fixtures.

``PostgresServer.start()`` runs a private PostgreSQL (initdb into a temporary directory, a free
port, ``fsync=off``) that is removed by ``stop()``, when garbage-collected, or at exit; with
``CONFITURE_TEST_DATABASE_URL`` (or ``CONFITURE_TEST_DB_URL``) set it uses that server instead.
"""

from __future__ import annotations

from confiture._core import PostgresServer

__all__ = ["PostgresServer"]
