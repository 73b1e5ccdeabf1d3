"""``python -m confiture.cli``: the same as the ``confiture`` command."""

from confiture.cli.main import app

app(prog_name="confiture")
