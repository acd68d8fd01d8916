"""The typer declarations of the commands loaded on demand (``cli.app`` lists them).
They map options onto the functions that do the work and hold no logic of their own."""
