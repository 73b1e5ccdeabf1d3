"""Integrations with other tools (``confiture.integrations.pggit``: coordination of parallel work)."""
