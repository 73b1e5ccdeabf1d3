"""Environment configuration (``db/environments/<env>.yaml``)."""
