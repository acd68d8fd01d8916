"""Shared fixtures. The rendering environment is pinned before typer or rich load."""

from __future__ import annotations

import os
import tempfile

# Typer's rich help and errors honour these at import; pin them so CI (which may set
# FORCE_COLOR or GITHUB_ACTIONS) renders the same plain text as a developer's machine.
os.environ["TERMINAL_WIDTH"] = "3000"
os.environ["_TYPER_FORCE_DISABLE_TERMINAL"] = "1"
os.environ["COLUMNS"] = "100"
os.environ.pop("FORCE_COLOR", None)
os.environ.pop("PMPT_QUESTIONNAIRES_DIR", None)
# The questionnaire cache must not touch the developer's ~/.cache (nor see stale entries).
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="pmpt-test-cache-")

import pytest  # noqa: E402
from helpers import FIXTURES  # noqa: E402


@pytest.fixture(scope="session")
def mini():
    """The small example questionnaire from docs/questionnaire-format.md."""
    from pmpt_cli.loader import load_questionnaire

    return load_questionnaire(FIXTURES / "mini.toml")


@pytest.fixture
def mini_answers() -> dict:
    """Complete, valid answers to the mini questionnaire (outcome: physical-therapy)."""
    return {
        "hot_joint": "no",
        "pain_now": 5,
        "pain_worst": 6,
        "limits": ["stairs"],
        "weeks": 10,
        "tried": True,
    }


@pytest.fixture
def runner():
    from typer.testing import CliRunner

    return CliRunner()
