"""Coordination of parallel schema work: agents register intents before changing the schema, and
conflicts are detected from the parsed DDL (by the engine). See docs/guides/coordination.md."""

from confiture.integrations.pggit.coordination.detector import ConflictDetector
from confiture.integrations.pggit.coordination.models import (
    ConflictReport,
    ConflictSeverity,
    ConflictType,
    Intent,
    IntentStatus,
    IntentStatusChange,
    RiskLevel,
)
from confiture.integrations.pggit.coordination.registry import IntentRegistry

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
