"""``python -m pmpt_cli`` runs the same CLI as the ``pmpt`` command."""

from pmpt_cli.cli.entry import run

run()
