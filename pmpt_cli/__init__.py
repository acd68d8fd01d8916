"""pmpt: terminal triage for musculoskeletal pain (pain management, physical therapy or both).

The library API: ``load_questionnaire`` and ``run_triage``; the CLI is a thin layer over them.
"""

from pmpt_cli.version import __version__

__all__ = ["__version__", "load_questionnaire", "run_triage"]


def __getattr__(name: str):  # lazy, so `pmpt --version` imports nothing else
    if name == "load_questionnaire":
        from pmpt_cli.loader import load_questionnaire

        return load_questionnaire
    if name == "run_triage":
        from pmpt_cli.engine import run_triage

        return run_triage
    raise AttributeError(name)
