"""pmpt: terminal triage for musculoskeletal pain (pain management, physical therapy or both).

The library API: ``load_questionnaire``, ``run_triage`` and ``triage_record`` (one person's
answers in, the row ``pmpt batch`` writes out); the CLI is a thin layer over them.
"""

from pmpt_cli.version import __version__

__all__ = ["__version__", "load_questionnaire", "run_triage", "triage_record"]


def __getattr__(name: str):  # lazy, so `pmpt --version` imports nothing else
    if name == "load_questionnaire":
        from pmpt_cli.loader import load_questionnaire

        return load_questionnaire
    if name == "run_triage":
        from pmpt_cli.engine import run_triage

        return run_triage
    if name == "triage_record":
        from pmpt_cli.rows import triage_record

        return triage_record
    raise AttributeError(name)
