"""The application: the typer commands, the interview and its prompts, rendering, batch,
saved partial answers and output files. Only modules under this package may import
typer or rich, and only ``cli.prompting`` imports questionary and prompt_toolkit; the
core (the package root and ``expr``) never imports anything from here."""
