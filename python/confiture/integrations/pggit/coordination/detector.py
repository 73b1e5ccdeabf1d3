"""``ConflictDetector``: the engine's conflict rules between two intents, without a database."""

from __future__ import annotations

from confiture import _core
from confiture.integrations.pggit.coordination.models import ConflictReport, Intent


class ConflictDetector:
    """Compares intents on what their DDL affects, as PostgreSQL's parser reads it."""

    def detect_conflicts(self, intent_a: Intent, intent_b: Intent) -> list[ConflictReport]:
        """Conflicts between ``intent_a`` (the newer) and ``intent_b``; none for the same agent."""
        found = _core.coordinate_detect(intent_a.to_dict(), intent_b.to_dict())
        return [
            ConflictReport.from_dict({**f, "intent_a": intent_a.id, "intent_b": intent_b.id}) for f in found
        ]

    def parse_schema_changes(self, changes: list[str]) -> dict[str, list[str]]:
        """The objects DDL changes, by kind: ``tables``, ``functions``, ``indexes``, ``other``."""
        out: dict[str, list[str]] = {"tables": [], "functions": [], "indexes": [], "other": []}
        for obj in self._objects(changes):
            if obj["role"] == "depends_on":
                continue
            key = {"table": "tables", "view": "tables", "sequence": "tables", "function": "functions"}.get(
                obj["kind"], "indexes" if obj["kind"] == "index" else "other"
            )
            if obj["object"] not in out[key]:
                out[key].append(obj["object"])
        return out

    def _objects(self, changes: list[str]) -> list[dict[str, str]]:
        objects: list[dict[str, str]] = []
        for change in changes:
            objects.extend(_core.coordinate_extract(change)["objects"])
        return objects

    def _changed(self, changes: list[str], kinds: set[str]) -> set[str]:
        return {
            o["object"] for o in self._objects(changes) if o["kind"] in kinds and o["role"] != "depends_on"
        }

    def _extract_tables_from_changes(self, changes: list[str]) -> set[str]:
        return {t for change in changes for t in _core.coordinate_extract(change)["tables"]}

    def _extract_columns_from_changes(self, changes: list[str]) -> set[str]:
        return self._changed(changes, {"column"})

    def _extract_functions_from_changes(self, changes: list[str]) -> set[str]:
        return self._changed(changes, {"function"})

    def _extract_indexes_from_changes(self, changes: list[str]) -> set[str]:
        return self._changed(changes, {"index"})


__all__ = ["ConflictDetector"]
