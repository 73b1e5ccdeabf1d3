"""Migration checksums: SHA-256 of each applied file (``.up.sql`` or ``.py``), stored in the
tracking table and verified before ``migrate up``."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from confiture import _core
from confiture.exceptions import ConfiturError


class ChecksumMismatchBehavior(Enum):
    FAIL = "fail"
    WARN = "warn"
    IGNORE = "ignore"


@dataclass
class ChecksumConfig:
    enabled: bool = True
    on_mismatch: ChecksumMismatchBehavior = field(default=ChecksumMismatchBehavior.FAIL)
    algorithm: str = "sha256"


@dataclass
class ChecksumMismatch:
    version: str
    name: str
    file_path: Path
    expected: str
    actual: str

    def __post_init__(self) -> None:
        self.file_path = Path(self.file_path)


class ChecksumVerificationError(ConfiturError):
    """Applied migration files changed since they were applied."""

    def __init__(self, mismatches: list[ChecksumMismatch | dict[str, Any]]) -> None:
        self.mismatches = [
            m if isinstance(m, ChecksumMismatch) else ChecksumMismatch(**m) for m in mismatches
        ]
        lines = "\n".join(
            f"  - {m.version}_{m.name} ({m.file_path}): expected {m.expected}, actual {m.actual}"
            for m in self.mismatches
        )
        super().__init__(f"checksum mismatch in {len(self.mismatches)} migration(s):\n{lines}")


def _require_sha256(algorithm: str) -> None:
    if algorithm.lower() != "sha256":
        raise ValueError(f"unsupported checksum algorithm {algorithm!r}: migration checksums are sha256")


def compute_checksum(file_path: Path, algorithm: str = "sha256") -> str:
    """SHA-256 (hex) of a file's bytes."""
    _require_sha256(algorithm)
    return _core.checksum_file(str(file_path))


def compute_checksum_from_content(content: str | bytes, algorithm: str = "sha256") -> str:
    """SHA-256 (hex) of text (UTF-8) or bytes."""
    _require_sha256(algorithm)
    return _core.checksum_bytes(content.encode() if isinstance(content, str) else content)


class MigrationChecksumVerifier:
    """Compares stored checksums with the migration files."""

    def __init__(
        self, connection: Any, config: ChecksumConfig | None = None, *, table: str = "tb_confiture"
    ) -> None:
        self.connection = connection
        self.config = config or ChecksumConfig()
        self.table = table

    def verify_all(self, migrations_dir: Path) -> list[ChecksumMismatch]:
        if not self.config.enabled:
            return []
        report = _core.migrate_verify(self.connection, str(migrations_dir), self.table, False)
        mismatches = [ChecksumMismatch(**m) for m in report["mismatches"]]
        if mismatches and self.config.on_mismatch is ChecksumMismatchBehavior.FAIL:
            raise ChecksumVerificationError(mismatches)
        return mismatches

    def verify_single(self, migration_file: Path, expected_checksum: str) -> bool:
        return compute_checksum(migration_file) == expected_checksum

    def update_checksum(self, version: str, new_checksum: str) -> None:
        from confiture.core.migrator import Migrator

        Migrator(self.connection, migration_table=self.table)._update_checksum(version, new_checksum)

    def update_all_checksums(self, migrations_dir: Path) -> int:
        report = _core.migrate_verify(self.connection, str(migrations_dir), self.table, True)
        return int(report["fixed"])


__all__ = [
    "ChecksumConfig",
    "ChecksumMismatch",
    "ChecksumMismatchBehavior",
    "ChecksumVerificationError",
    "MigrationChecksumVerifier",
    "compute_checksum",
    "compute_checksum_from_content",
]
