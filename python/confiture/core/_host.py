"""The Python side of a migration run: loads Python migrations, runs their ``up``/``down``,
preconditions and hooks when the engine's runner asks, and reports progress. Decisions (order,
transactions, locks, checksums, bookkeeping) stay in the engine."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from confiture import _core

log = logging.getLogger("confiture.migrations")

# Runner phase → (Migration hook list, HookRegistry phase up, HookRegistry phase down).
_PHASES = {
    "before_validation": ("before_validation_hooks", "before_validate", "before_validate"),
    "before_ddl": ("before_ddl_hooks", "before_execute", "before_rollback"),
    "after_ddl": ("after_ddl_hooks", "after_execute", "after_rollback"),
    "after_validation": ("after_validation_hooks", "after_validate", "after_validate"),
    "cleanup": ("cleanup_hooks", None, None),
    "error": ("error_hooks", None, None),
}


def run_coroutine(coro: Coroutine[Any, Any, Any]) -> Any:
    """Runs a hook coroutine to completion, also when called from inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coro)
        except BaseException as e:
            outcome["error"] = e

    thread = threading.Thread(target=target, name="confiture-hook")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class MigrationHost:
    """Answers the runner's callbacks.

    ``connection`` is the caller's psycopg connection (``Migrator``); without one, Python
    migrations get an ``EngineConnection`` over the runner's own transaction (the CLI).
    """

    def __init__(
        self,
        *,
        connection: Any = None,
        registry: Any = None,
        skip_preconditions: bool = False,
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.connection = connection
        self.registry = registry
        self.skip_preconditions = skip_preconditions
        self.on_event = on_event
        self._objects: dict[int, Any] = {}
        self._classes: dict[str, type] = {}

    @property
    def has_registered_hooks(self) -> bool:
        """Whether hooks apply to SQL file migrations too (they declare none of their own)."""
        return self.registry is not None

    # -- migrations handed in as objects (Migrator.apply) ------------------------------------

    def spec(self, migration: Any, migration_file: Path | None = None) -> dict[str, Any]:
        """What the engine needs to know about a migration object."""
        up_file = getattr(type(migration), "up_file", None)
        if up_file is not None and getattr(type(migration), "down_file", None) is not None:
            # A SQL file migration: the engine reads and runs the files itself.
            return {
                "version": migration.version,
                "name": migration.name,
                "id": 0,
                "file": str(up_file),
                "up_file": str(up_file),
                "down_file": str(migration.down_file),
            }
        self._objects[id(migration)] = migration
        return {
            "version": migration.version,
            "name": migration.name,
            "id": id(migration),
            "file": str(migration_file) if migration_file is not None else None,
        }

    # -- callbacks ----------------------------------------------------------------------------

    def _class(self, spec: dict[str, Any]) -> type:
        kind = spec["kind"]
        if kind["type"] == "external":
            return type(self._objects[kind["id"]])
        path = kind["file"]
        if path not in self._classes:
            from confiture.core.connection import load_migration_class

            self._classes[path] = load_migration_class(Path(path))
        return self._classes[path]

    def _instance(self, spec: dict[str, Any], handle: Any) -> Any:
        kind = spec["kind"]
        if kind["type"] == "external":
            return self._objects[kind["id"]]
        return self._class(spec)(connection=self._connection(handle))

    def _connection(self, handle: Any) -> Any:
        if self.connection is not None:
            return self.connection
        from confiture.core.engine_connection import EngineConnection

        return EngineConnection(handle)

    def describe(self, spec: dict[str, Any]) -> dict[str, Any]:
        cls = self._class(spec)
        return {"version": str(cls.version), "name": str(cls.name), "transactional": bool(cls.transactional)}

    def run(self, spec: dict[str, Any], direction: str, handle: Any) -> None:
        getattr(self._instance(spec, handle), direction)()

    def check_preconditions(self, spec: dict[str, Any], direction: str, handle: Any) -> list[tuple[str, str]]:
        if self.skip_preconditions:
            return []
        from confiture.core.preconditions import _EnginePrecondition

        items = getattr(self._class(spec), f"{direction}_preconditions", []) or []
        failures = []
        for p in items:
            try:
                if isinstance(p, _EnginePrecondition):
                    ok, message = _core.check_precondition(p._spec(), handle)
                else:
                    ok, message = p.check(self._connection(handle))
            except Exception as e:
                ok, message = False, f"Check failed with error: {e}"
            if not ok:
                failures.append((str(p), message))
        return failures

    def hooks(self, spec: dict[str, Any], direction: str, phase: str, handle: Any, error: str | None) -> None:
        from confiture.core.hooks import ExecutionContext, HookContext, HookError, HookPhase

        attr, registry_up, registry_down = _PHASES[phase]
        # SQL file migrations declare no hooks; registered hooks still run for them.
        declared = [] if spec["kind"]["type"] == "sql" else list(getattr(self._class(spec), attr, []) or [])
        registry_phase = registry_up if direction == "up" else registry_down
        if not declared and (self.registry is None or registry_phase is None):
            return
        data = ExecutionContext(
            metadata={
                "version": spec["version"],
                "name": spec["name"],
                "direction": direction,
                "phase": phase,
                "connection": self._connection(handle),
                "error": error,
            }
        )
        for hook in declared:
            context = HookContext(phase, data, hook_id=hook.id)
            try:
                result = run_coroutine(hook.execute(context))
            except HookError:
                raise
            except Exception as e:
                raise HookError(
                    f"hook {hook.name!r} failed in {phase}: {e}", hook.id, hook.name, phase, e
                ) from e
            if not result.success:
                raise HookError(
                    f"hook {hook.name!r} failed in {phase}: {result.error or 'it reported failure'}",
                    hook.id,
                    hook.name,
                    phase,
                )
        if self.registry is not None and registry_phase is not None:
            run_coroutine(self.registry.trigger(HookPhase(registry_phase), HookContext(registry_phase, data)))

    def event(self, event: dict[str, Any]) -> None:
        if self.on_event is not None:
            self.on_event(event)
        else:
            log.info("%s", event)
