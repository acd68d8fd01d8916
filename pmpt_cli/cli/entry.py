"""The ``pmpt`` command: answers a bare ``--version`` before importing typer.

Importing typer and building the command tree costs ~40 ms; a version check (and
scripts that ask for it) should not pay for it. Everything else goes to ``cli.main``.
"""

import sys


def run() -> None:
    """Console-script entry point (also used by ``python -m pmpt_cli``)."""
    if sys.argv[1:] in (["--version"], ["-V"]):
        from pmpt_cli.cli.environment import Environment
        from pmpt_cli.version import __version__

        Environment.from_system().stdout.write(f"pmpt {__version__}\n")
        raise SystemExit(0)
    from pmpt_cli.cli.app import main

    raise SystemExit(main())
