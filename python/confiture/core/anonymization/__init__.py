"""Anonymization: deterministic, keyed strategies computed by the engine.

Import the submodules (``strategy``, ``registry``, ``profile``, ``strategies.*``), as with
fraiseql-confiture. Every strategy is keyed with the secret in ``CONFITURE_ANONYMIZATION_KEY``:
the same value maps to the same output in every table and every run, and nothing runs without a key.
"""
