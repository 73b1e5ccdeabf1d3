"""Core API: schema builder, connections (and, in later releases of this rewrite, migrations)."""
