"""pgGit integration. The coordination registry (``confiture.integrations.pggit.coordination``)
is available; the pgGit branch client of fraiseql-confiture 0.3.9 is not (see
docs/compatibility.md)."""

from confiture.integrations.pggit.coordination import (
    ConflictDetector,
    ConflictReport,
    ConflictSeverity,
    ConflictType,
    Intent,
    IntentRegistry,
    IntentStatus,
    IntentStatusChange,
    RiskLevel,
)

__all__ = [
    "ConflictDetector",
    "ConflictReport",
    "ConflictSeverity",
    "ConflictType",
    "Intent",
    "IntentRegistry",
    "IntentStatus",
    "IntentStatusChange",
    "RiskLevel",
]
