"""``python -m pmpt_cli`` runs the same CLI as the ``pmpt`` command."""

from .entry import run

run()
