"""The ``confiture`` command line."""
