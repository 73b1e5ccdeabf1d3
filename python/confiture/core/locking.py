"""The migration lock: a PostgreSQL advisory lock that keeps two runs from migrating one
database at once (same constants as fraiseql-confiture, so both tools exclude each other)."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from confiture import _core
from confiture.exceptions import ConfiturError


class LockMode(Enum):
    BLOCKING = "blocking"
    NON_BLOCKING = "non_blocking"


@dataclass
class LockConfig:
    enabled: bool = True
    timeout_ms: int = 30000
    lock_id: int | None = None
    mode: LockMode = field(default=LockMode.BLOCKING)

    def _engine(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "timeout_ms": self.timeout_ms,
            "blocking": self.mode is LockMode.BLOCKING,
        }


class LockAcquisitionError(ConfiturError):
    """The lock could not be taken; ``holder`` says who has it (pid, application, since)."""

    def __init__(self, message: str, timeout: bool = False, holder: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.timeout = timeout
        self.holder = holder


class MigrationLock:
    """``with MigrationLock(conn).acquire(): …`` holds the migration lock for the block."""

    DEFAULT_LOCK_NAMESPACE = 1751936052

    def __init__(self, connection: Any, config: LockConfig | None = None) -> None:
        self.connection = connection
        self.config = config or LockConfig()
        self._held = False

    def _get_lock_id(self) -> int:
        if self.config.lock_id is not None:
            return self.config.lock_id
        row = self.connection.execute("SELECT current_database()").fetchone()
        return _core.lock_id(row[0])

    @contextmanager
    def acquire(self) -> Generator[None, None, None]:
        if not self.config.enabled:
            yield
            return
        lock_id = self._get_lock_id()
        _core.lock_acquire(
            self.connection,
            lock_id,
            self.config.mode is LockMode.BLOCKING,
            self.config.timeout_ms,
        )
        self._held = True
        try:
            yield
        finally:
            self._held = False
            _core.lock_release(self.connection, lock_id)

    def is_locked(self) -> bool:
        return self.get_lock_holder() is not None

    def get_lock_holder(self) -> dict[str, Any] | None:
        return _core.lock_holder(self.connection, self._get_lock_id())

    @property
    def lock_held(self) -> bool:
        return self._held


__all__ = ["LockAcquisitionError", "LockConfig", "LockMode", "MigrationLock"]
