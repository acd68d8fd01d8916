"""Fixtures for the application's tests."""

from __future__ import annotations

import pytest
from helpers import FIXTURES


@pytest.fixture
def fixtures_by_id(monkeypatch):
    """The test questionnaires by id ('mini', 'measure-only', ...): an answers file names its
    questionnaire by id only."""
    monkeypatch.setenv("PMPT_QUESTIONNAIRES_DIR", str(FIXTURES))
