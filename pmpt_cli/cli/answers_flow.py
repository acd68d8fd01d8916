"""What ``pmpt answers template`` does: a ready-to-fill answers file (``template``), written out."""

from __future__ import annotations

import shlex

from pmpt_cli.cli.environment import Environment
from pmpt_cli.cli.fileio import json_text, write_json, write_private


def write_template(env: Environment, ref: str | None, *, as_json: bool, output: str | None, force: bool) -> None:
    """The template of questionnaire ``ref`` (default pmpt-core) to ``output`` (default stdout)."""
    from pmpt_cli.loader import load_questionnaire
    from pmpt_cli.registry import DEFAULT_QUESTIONNAIRE
    from pmpt_cli.template import template_data, template_toml

    questionnaire = load_questionnaire(ref or DEFAULT_QUESTIONNAIRE)
    target = output or "-"
    if as_json and target == "-":
        write_json(template_data(questionnaire), env.stdout)
        return
    text = json_text(template_data(questionnaire)) if as_json else template_toml(questionnaire)
    write_private(target, text, force=force, stdout=env.stdout)
    if target != "-":
        what = "Described" if as_json else "Wrote a template with"
        next_step = "" if as_json else f" Fill it in, then run: pmpt triage --answers {shlex.quote(target)}"
        env.say(f"{what} {len(questionnaire.questions)} questions of '{questionnaire.id}' to {target}.{next_step}")
