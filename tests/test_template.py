"""``pmpt answers template``: every question commented, and a filled template triages."""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib

import pytest
from helpers import EXAMPLES, FIXTURES, is_enabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmpt_cli.cli.app import app
from pmpt_cli.engine import run_triage
from pmpt_cli.loader import load_questionnaire
from pmpt_cli.template import template_data, template_toml, toml_value
from pmpt_cli.validation import check_value

MINI = str(FIXTURES / "mini.toml")
ODI = str(EXAMPLES / "questionnaires" / "odi-style.toml")
ENTRY = re.compile(r"^# ([a-z][a-z0-9_]*) = (.*)$")


def fill(template: str, answers: dict) -> str:
    """What a person does: uncomment the lines they answer and write the answer."""
    lines = []
    for line in template.splitlines():
        match = ENTRY.match(line)
        if match and match.group(1) in answers:
            line = f"{match.group(1)} = {toml_value(answers[match.group(1)])}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_template_is_valid_toml_with_nothing_answered(mini):
    doc = tomllib.loads(template_toml(mini))
    assert doc == {"questionnaire": "mini", "answers": {}}


@pytest.mark.parametrize("path", [MINI, ODI])
def test_every_question_has_a_commented_entry_with_type_values_and_condition(path):
    q = load_questionnaire(path)
    text = template_toml(q)
    entries = [m.group(1) for m in map(ENTRY.match, text.splitlines()) if m]
    assert entries == [question.id for question in q.questions]
    for question in q.questions:
        block = text.split(f"# {question.id} = ")[0].rsplit("\n\n", 1)[-1]
        assert question.text.split()[0] in block
        assert ("required" if question.required else "optional") in block
        if question.choices:
            assert all(f'"{c.value}" = {c.label}' in " ".join(block.replace("\n#  ", "").split()) or c.value in block
                       for c in question.choices)  # fmt: skip


def test_template_explains_types_and_conditions(mini):
    text = template_toml(mini)
    assert '# choice, required; one of: "no" = No | "unsure" = Not sure | "yes" = Yes\n# hot_joint = "no"' in text
    assert "# Asked only when pain_now > 0; otherwise leave it out" in text
    assert "# yes/no, required; true (yes) or false (no)\n# tried = false" in text
    assert "# number, required; a whole number from 0 to 1000, in weeks" in text


def test_example_values_have_the_right_type(mini):
    for question in template_data(mini)["questions"]:
        q = mini.question(question["id"])
        assert check_value(q, question["example"]) == question["example"]


def test_filled_template_is_accepted_by_triage(runner, tmp_path, mini, mini_answers):
    path = tmp_path / "answers.toml"
    path.write_text(fill(template_toml(mini), mini_answers))
    result = runner.invoke(app, ["triage", "--answers", str(path), "--questionnaire", MINI, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["outcome"] == run_triage(mini, mini_answers).outcome
    assert data["answers"] == mini_answers


@st.composite
def mini_answer_sets(draw, questionnaire):
    """Valid answers for any questionnaire, walking its questions and honouring enable-when."""
    answers: dict = {}
    for q in questionnaire.questions:
        if q.is_conditional and not is_enabled(q, answers):
            continue
        if not q.required and draw(st.booleans()):
            continue
        if q.type == "choice":
            value = draw(st.sampled_from(q.choice_values))
        elif q.type == "multi_choice":
            exclusive = [c.value for c in q.choices if c.exclusive]
            plain = [c.value for c in q.choices if not c.exclusive]
            if exclusive and draw(st.booleans()):
                value = [draw(st.sampled_from(exclusive))]
            else:
                value = draw(st.lists(st.sampled_from(plain), unique=True))
        elif q.type == "yes_no":
            value = draw(st.booleans())
        elif q.type in ("scale", "number"):
            low = q.min if q.min is not None else -1000
            high = q.max if q.max is not None else 1000
            value = draw(st.integers(int(low), int(high)) if q.integer else st.floats(low, high))
        else:
            value = draw(st.text(max_size=q.max_length).filter(lambda s: "\r" not in s))
        answers[q.id] = value
    return answers


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_round_trip_any_valid_answers(data, mini):
    answers = data.draw(mini_answer_sets(mini))
    filled = tomllib.loads(fill(template_toml(mini), answers))
    assert filled["answers"] == answers
    assert run_triage(mini, filled["answers"]) == run_triage(mini, answers)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_round_trip_odi_style(data):
    q = load_questionnaire(ODI)
    answers = data.draw(mini_answer_sets(q))
    filled = tomllib.loads(fill(template_toml(q), answers))
    assert run_triage(q, filled["answers"]) == run_triage(q, answers)


def test_json_describes_the_same_questions(runner):
    result = runner.invoke(app, ["answers", "template", MINI, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["questionnaire"]["id"] == "mini"
    assert data["answers_file"] == {"questionnaire": "mini", "answers": {}}
    questions = {q["id"]: q for q in data["questions"]}
    assert questions["pain_worst"]["applies_when"] == "pain_now > 0"
    assert questions["pain_worst"]["enable_when"] == [{"question": "pain_now", "operator": ">", "answer": 0}]
    assert questions["limits"]["choices"][2] == {"value": "none", "label": "None of these", "exclusive": True}
    assert (questions["weeks"]["min"], questions["weeks"]["max"], questions["weeks"]["integer"]) == (0, 1000, True)
    assert questions["comment"]["max_length"] == 200 and questions["comment"]["required"] is False


def test_output_file_is_private_and_never_overwritten_without_force(runner, tmp_path):
    target = tmp_path / "answers.toml"
    result = runner.invoke(app, ["answers", "template", MINI, "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"pmpt triage --answers {target}" in result.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    again = runner.invoke(app, ["answers", "template", MINI, "--output", str(target)])
    assert again.exit_code == 1 and "--force" in again.stderr
    forced = runner.invoke(app, ["answers", "template", MINI, "--output", str(target), "--force", "--json"])
    assert forced.exit_code == 0
    assert json.loads(target.read_text())["questionnaire"]["id"] == "mini"


def test_template_by_id_on_the_search_path(runner, monkeypatch):
    monkeypatch.setenv("PMPT_QUESTIONNAIRES_DIR", str(EXAMPLES / "questionnaires"))
    result = runner.invoke(app, ["answers", "template", "odi-style"])
    assert result.exit_code == 0, result.output
    assert 'questionnaire = "odi-style"' in result.stdout
    assert "# sex_life = " in result.stdout


@pytest.mark.parametrize("value", ['say "hi"\\there', "naïve ünïcode", "tab\tand\nnewline", "\x01control", "del\x7f"])
def test_toml_value_round_trips_awkward_text(value):
    assert tomllib.loads(f"x = {toml_value(value)}")["x"] == value


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_round_trip_bundled_pmpt_core(data):
    q = load_questionnaire("pmpt-core")
    answers = data.draw(mini_answer_sets(q))
    filled = tomllib.loads(fill(template_toml(q), answers))
    assert filled["questionnaire"] == "pmpt-core"
    assert run_triage(q, filled["answers"]) == run_triage(q, answers)


def test_default_template_is_pmpt_core_and_triage_accepts_it_filled(runner, tmp_path):
    result = runner.invoke(app, ["answers", "template"])
    assert result.exit_code == 0, result.output
    q = load_questionnaire("pmpt-core")
    answers = {}
    for question in q.questions:  # the template's own example values, where the question is asked
        if (not question.is_conditional or is_enabled(question, answers)) and question.required:
            answers[question.id] = next(d["example"] for d in template_data(q)["questions"] if d["id"] == question.id)
    path = tmp_path / "core.toml"
    path.write_text(fill(result.stdout, answers))
    triaged = runner.invoke(app, ["triage", "--answers", str(path), "--json"])
    assert triaged.exit_code == 0, triaged.output
    assert json.loads(triaged.stdout)["outcome"] == run_triage(q, answers).outcome


def test_every_template_line_is_a_comment_whatever_the_questionnaire_text(mini):
    """A newline in a title must not smuggle an uncommented, pre-filled answer into the template."""
    import tomllib

    from pmpt_cli.template import template_toml

    smuggled = "\npain_now = 10\n"
    hostile = mini._replace(
        title=f"Knee{smuggled}", sections=tuple(s._replace(title=f"{s.title}{smuggled}") for s in mini.sections),
        questions=tuple(q._replace(text=f"{q.text}\u2028pain_now = 10\rhot_joint = 'yes'") for q in mini.questions),
    )  # fmt: skip
    text = template_toml(hostile)
    assert tomllib.loads(text)["answers"] == {}
    data_lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert data_lines == ['questionnaire = "mini"', "[answers]"]
