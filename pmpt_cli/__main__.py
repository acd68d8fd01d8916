"""``python -m pmpt_cli`` runs the same CLI as the ``pmpt`` command."""

from .cli.entry import run

run()
