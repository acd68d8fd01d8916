"""``python -m pmpt_cli`` runs the same CLI as the ``pmpt`` command."""

from .cli import main

raise SystemExit(main())
