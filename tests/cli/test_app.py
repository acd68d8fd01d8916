"""The CLI through typer's runner: exit codes, stdout against stderr, '-' for stdin and stdout."""

from __future__ import annotations

import json
import os
import stat
import tomllib

import pytest
from helpers import EXAMPLES, FIXTURES, KNOWN_DISAGREEMENTS, ROOT

from pmpt_cli import __version__
from pmpt_cli.cli.app import app

MINI = str(FIXTURES / "mini.toml")


@pytest.fixture(autouse=True)
def _mini_by_id(fixtures_by_id):
    """An answers file names its questionnaire by id only: make 'mini' one."""


def write_answers(tmp_path, answers: dict, name: str = "answers.toml", questionnaire: str = "mini") -> str:
    import tomli_w

    path = tmp_path / name
    path.write_text(tomli_w.dumps({"questionnaire": questionnaire, "answers": answers}))
    return str(path)


def test_version(runner):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"pmpt {__version__}\n"


@pytest.mark.parametrize("args", [["-h"], ["--help"], ["triage", "-h"]])
def test_help_everywhere_with_examples(runner, args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "Usage" in result.stdout
    if args[0] == "triage":
        assert "pmpt triage --answers" in result.stdout


def test_help_lists_every_command_in_order_with_its_help(runner):
    # batch, questionnaires and answers are loaded lazily (cli.ErrorBoundaryGroup), yet listed.
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    rows = [line.split(None, 1) for line in result.stdout.splitlines() if line.startswith("  ") and line.strip()]
    names = ("triage", "batch", "export", "compare", "questionnaires", "answers")
    commands = {row[0]: row[1] for row in rows if row[0] in names}
    assert list(commands) == list(names)
    assert commands["triage"].startswith("Triage one person")
    assert commands["export"].startswith("Export a summary as FHIR")
    assert commands["compare"].startswith("Compare summaries over time")
    assert commands["batch"].startswith("Triage many people at once")
    assert commands["questionnaires"].startswith("List, show, validate, export and import questionnaires")
    assert commands["answers"].startswith("Work with answers files")


@pytest.mark.parametrize(("words", "expected"), [
    ("pmpt ", ["triage", "batch", "export", "compare", "questionnaires", "answers"]),
    ("pmpt q", ["questionnaires"]),
    ("pmpt answers t", ["template"]),
])  # fmt: skip
def test_shell_completion_offers_the_lazily_loaded_commands(runner, words, expected):
    env = {"_PMPT_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    result = runner.invoke(app, [], env=env, prog_name="pmpt")
    assert result.exit_code == 0
    assert result.stdout.split() == expected


def test_a_mistyped_command_suggests_the_right_one(runner):
    result = runner.invoke(app, ["batc"])
    assert result.exit_code == 2
    assert "Did you mean 'batch'?" in result.stderr


def test_bare_pmpt_shows_help_and_exits_2(runner):
    result = runner.invoke(app, [])
    assert result.exit_code == 2
    assert "triage" in result.stdout


def test_summary_on_stdout_nothing_on_stderr(runner, tmp_path, mini_answers):
    result = runner.invoke(app, ["triage", "--answers", write_answers(tmp_path, mini_answers), "--no-input"])
    assert result.exit_code == 0, result.stderr
    assert "OUTCOME: physical-therapy" in result.stdout
    assert "pmpt is not a diagnosis" in result.stdout
    assert result.stderr == ""


def test_json_has_the_documented_keys_and_nothing_else_on_stdout(runner, tmp_path, mini_answers):
    answers = mini_answers | {"pain_now": 8, "pain_worst": 9}
    result = runner.invoke(app, ["triage", "-a", write_answers(tmp_path, answers), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"outcome", "reasons", "scores", "answers", "questionnaire"} <= set(data)
    assert data["questionnaire"]["id"] == "mini" and data["questionnaire"]["version"] == "1.0.0"
    assert data["outcome"] == "both"
    decisive = data["reasons"][0]
    assert decisive["decisive"] and decisive["rule"] == "severe_and_limited"
    assert {e["name"]: e["answer"] for e in decisive["evidence"]} == {"limits": "Stairs", "pain": "8.5"}
    assert data["scores"]["pain"] == {
        "label": "Pain intensity",
        "value": 8.5,
        "band": "severe",
        "answered": 2,
        "missing": 0,
        "internal": False,
        "from_answers": True,
    }


def test_answers_from_stdin(runner, mini_answers, tmp_path):
    text = open(write_answers(tmp_path, mini_answers)).read()
    result = runner.invoke(app, ["triage", "--answers", "-", "--json"], input=text)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["outcome"] == "physical-therapy"


def test_json_answers_file(runner, tmp_path, mini_answers):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"questionnaire": "mini", "answers": mini_answers}))
    result = runner.invoke(app, ["triage", "--answers", str(path), "--json"])
    assert result.exit_code == 0, result.stderr


def test_set_overrides_one_answer(runner, tmp_path, mini_answers):
    path = write_answers(tmp_path, mini_answers)
    result = runner.invoke(app, ["triage", "-a", path, "--set", "hot_joint=Not sure", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["outcome"] == "emergency"


def test_bad_set_is_exit_1_with_the_reason(runner, tmp_path, mini_answers):
    path = write_answers(tmp_path, mini_answers)
    result = runner.invoke(app, ["triage", "-a", path, "--set", "pain_now=eleven", "--set", "pian_now=3"])
    assert result.exit_code == 1
    assert "'eleven' is not a number" in result.stderr
    assert "did you mean 'pain_now'?" in result.stderr
    assert result.stdout == ""


def test_every_answer_problem_listed_and_exit_1(runner, tmp_path):
    path = write_answers(tmp_path, {"hot_joint": "maybe", "pain_now": 12, "pain_nw": 1})
    result = runner.invoke(app, ["triage", "--answers", path, "--no-input", "--verbose"])
    assert result.exit_code == 1
    err = result.stderr
    assert "answers.hot_joint: 'maybe' is not a choice" in err
    assert "answers.pain_now: 12 is out of range" in err
    assert "answers.pain_nw: unknown question 'pain_nw', did you mean 'pain_now'?" in err
    assert "answers.weeks: required question not answered" in err
    assert "answers.tried: required question not answered" in err
    assert err.rstrip().splitlines()[-1].startswith("error: ")
    assert "Traceback" not in err


def test_missing_answers_are_one_line_without_verbose(runner, tmp_path):
    path = write_answers(tmp_path, {"hot_joint": "maybe", "pain_now": 5})
    result = runner.invoke(app, ["triage", "--answers", path, "--no-input"])
    assert result.exit_code == 1
    lines = result.stderr.rstrip().splitlines()
    assert lines[0].startswith("  - answers.hot_joint: 'maybe' is not a choice")  # the bad value first
    assert lines[-1] == ("error: 1 invalid answer (above) and 3 answers missing; run without --no-input to be "
                         "asked (--verbose lists them), or see `pmpt answers template`.")  # fmt: skip
    assert len(lines) == 2


def test_pmpt_core_missing_answers_are_counted(runner, tmp_path):
    path = write_answers(tmp_path, {"pain_now": 5}, questionnaire="pmpt-core")
    result = runner.invoke(app, ["triage", "--answers", path, "--no-input"])
    assert result.exit_code == 1
    count = int(result.stderr.split()[1])
    assert result.stderr.startswith(f"error: {count} answers missing; run without --no-input to be asked")
    from pmpt_cli.engine import assess
    from pmpt_cli.loader import load_questionnaire

    assert count == len(assess(load_questionnaire("pmpt-core"), {"pain_now": 5}).missing) > 10
    assert len(result.stderr.splitlines()) == 1
    verbose = runner.invoke(app, ["triage", "--answers", path, "--no-input", "--verbose"])
    assert len(verbose.stderr.splitlines()) == count + 1


def test_unreadable_inputs_are_exit_1(runner, tmp_path):
    missing = runner.invoke(app, ["triage", "--answers", str(tmp_path / "none.toml")])
    assert missing.exit_code == 1 and "does not exist" in missing.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("answers = [")
    broken = runner.invoke(app, ["triage", "--answers", str(bad)])
    assert broken.exit_code == 1 and "not valid TOML" in broken.stderr
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('questionaire = "mini"\n[answers]\n')
    shape = runner.invoke(app, ["triage", "--answers", str(wrong)])
    assert shape.exit_code == 1 and "did you mean 'questionnaire'?" in shape.stderr


def test_unknown_questionnaire_is_exit_1(runner, tmp_path, mini_answers):
    path = write_answers(tmp_path, mini_answers)
    result = runner.invoke(app, ["triage", "-a", path, "--questionnaire", "no-such-thing"])
    assert result.exit_code == 1
    assert "pmpt questionnaires list" in result.stderr


def test_unknown_option_is_usage_error_2(runner):
    result = runner.invoke(app, ["triage", "--bogus"])
    assert result.exit_code == 2


def test_no_answers_and_no_input_is_usage_error_2(runner):
    result = runner.invoke(app, ["triage", "--no-input", "-q", MINI])
    assert result.exit_code == 2
    assert "--answers" in result.stderr


def test_json_and_export_to_stdout_conflict(runner, tmp_path, mini_answers):
    result = runner.invoke(app, ["triage", "-a", write_answers(tmp_path, mini_answers), "--json", "--export", "-"])
    assert result.exit_code == 2


def test_export_writes_private_toml_and_round_trips(runner, tmp_path, mini_answers):
    answers = mini_answers | {"hot_joint": "unsure"}
    out = tmp_path / "summary.toml"
    first = runner.invoke(app, ["triage", "-a", write_answers(tmp_path, answers), "--export", str(out)])
    assert first.exit_code == 0, first.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    summary = tomllib.loads(out.read_text())
    assert summary["schema"] == 2 and summary["pmpt_version"] == __version__
    assert summary["questionnaire"] == "mini" and len(summary["questionnaire_sha256"]) == 64
    assert summary["outcome"] == "emergency"
    assert summary["reasons"][0]["rule"] == "septic_joint"
    assert summary["scores"]["pain"]["band"] == "moderate"
    assert summary["answers"] == answers
    again = runner.invoke(app, ["triage", "--answers", str(out), "-q", MINI, "--json"])
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["outcome"] == "emergency"
    assert again.stderr == ""


def test_export_refuses_to_overwrite_without_force(runner, tmp_path, mini_answers):
    out = tmp_path / "summary.toml"
    out.write_text("precious")
    path = write_answers(tmp_path, mini_answers)
    refused = runner.invoke(app, ["triage", "-a", path, "--export", str(out)])
    assert refused.exit_code == 1
    assert "--force" in refused.stderr
    assert out.read_text() == "precious"
    forced = runner.invoke(app, ["triage", "-a", path, "--export", str(out), "--force"])
    assert forced.exit_code == 0
    assert tomllib.loads(out.read_text())["outcome"] == "physical-therapy"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_export_to_stdout_moves_the_summary_to_stderr(runner, tmp_path, mini_answers):
    result = runner.invoke(app, ["triage", "-a", write_answers(tmp_path, mini_answers), "--export", "-"])
    assert result.exit_code == 0
    assert tomllib.loads(result.stdout)["outcome"] == "physical-therapy"
    assert "OUTCOME: physical-therapy" in result.stderr


def test_changed_questionnaire_warns_on_rerun(runner, tmp_path, mini_answers):
    out = tmp_path / "summary.toml"
    runner.invoke(app, ["triage", "-a", write_answers(tmp_path, mini_answers), "--export", str(out)])
    text = out.read_text()
    out.write_text(text.replace(tomllib.loads(text)["questionnaire_sha256"], "0" * 64))
    result = runner.invoke(app, ["triage", "-a", str(out), "-q", MINI, "--json"])
    assert result.exit_code == 0
    assert "different version" in result.stderr


def test_internal_error_is_70_without_traceback(runner, tmp_path, mini_answers, monkeypatch):
    import pmpt_cli.cli.triage_flow as flow

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(flow, "decide", boom)
    path = write_answers(tmp_path, mini_answers)
    result = runner.invoke(app, ["triage", "-a", path])
    assert result.exit_code == 70
    assert "internal error" in result.stderr and "report it" in result.stderr
    assert "Traceback" not in result.stderr
    debug = runner.invoke(app, ["--debug", "triage", "-a", path])
    assert debug.exit_code == 70 and "Traceback" in debug.stderr


def test_markup_in_questionnaire_text_is_shown_literally(tmp_path):
    """Rich would swallow '[critical]'; the rich renderer must escape it."""
    import io

    from rich.console import Console

    from pmpt_cli.cli.render import render_rich

    data = {
        "outcome": "self-care", "notes": [], "scores": {}, "disclaimer": "not a [b]diagnosis[/b]",
        "care": {"headline": "[critical] head", "care": "c", "steps": ["s"], "next": "n"},
        "reasons": [{"decisive": True, "outcome": "self-care", "explanation": "[red]why[/red]", "source": "src",
                     "evidence": []}],
    }  # fmt: skip
    out = io.StringIO()
    render_rich(data, Console(file=out, width=100, color_system=None))
    assert "[critical] head" in out.getvalue()
    assert "[red]why[/red]" in out.getvalue()
    assert "not a [b]diagnosis[/b]" in out.getvalue()


def test_red_flag_summary_shows_only_red_flag_reasons(runner, tmp_path, mini_answers):
    """A person told to go to hospital must not also read reasons for routine care."""
    answers = mini_answers | {"hot_joint": "yes", "pain_now": 9, "pain_worst": 10, "tried": False}
    path = write_answers(tmp_path, answers)
    human = runner.invoke(app, ["triage", "-a", path])
    assert "OUTCOME: emergency" in human.stdout
    assert "joint infection" in human.stdout
    assert "Severe pain together with activities" not in human.stdout
    data = json.loads(runner.invoke(app, ["triage", "-a", path, "--json"]).stdout)
    assert {r["rule"] for r in data["reasons"]} >= {"septic_joint", "severe_and_limited"}  # the data keeps all


def test_internal_scores_are_kept_in_data_but_not_shown(runner, tmp_path):
    answers = tomllib.loads((EXAMPLES / "physical-therapy-knee.toml").read_text())["answers"]
    path = write_answers(tmp_path, answers, questionnaire="pmpt-core")
    human = runner.invoke(app, ["triage", "-a", path])
    data = json.loads(runner.invoke(app, ["triage", "-a", path, "--json"]).stdout)
    internal = [s["label"] for s in data["scores"].values() if s["internal"]]
    assert internal, "pmpt-core should mark its helper scores internal"
    assert all(label not in human.stdout for label in internal)
    shown = [s["label"] for s in data["scores"].values() if not s["internal"]]
    assert all(label in human.stdout for label in shown)


@pytest.mark.parametrize("vignette", sorted((ROOT / "tests" / "vignettes").glob("*.toml")), ids=lambda p: p.stem)
def test_every_vignette_through_the_cli(runner, vignette):
    """Issue 3: `pmpt triage --answers VIGNETTE` gives the expected outcome, and the
    deciding reason names answers the person gave."""
    expected = tomllib.loads(vignette.read_text())["expected"]
    result = runner.invoke(app, ["triage", "--answers", str(vignette), "--json", "--no-input"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    if vignette.stem in KNOWN_DISAGREEMENTS:
        assert data["outcome"] != expected, "pmpt now agrees: remove it from KNOWN_DISAGREEMENTS"
    else:
        assert data["outcome"] == expected
    decisive = next(r for r in data["reasons"] if r["decisive"])
    needs = {n["id"] for n in data["needs"]}  # a need lists the contributors behind it
    if decisive["rule"] != "default":
        assert any(e["kind"] == "question" or e["name"] in needs for e in decisive["evidence"]), decisive["evidence"]


def test_an_answers_file_may_name_a_questionnaire_by_id_only(runner, tmp_path, mini_answers):
    """A path in a file would make pmpt run whatever questionnaire the file's author chose."""
    path = write_answers(tmp_path, mini_answers, questionnaire=MINI)
    refused = runner.invoke(app, ["triage", "--answers", path, "--json"])
    assert refused.exit_code == 1 and refused.stdout == ""
    assert f"names its questionnaire by the path '{MINI}'" in refused.stderr
    assert f"run again with --questionnaire {MINI}" in refused.stderr
    confirmed = runner.invoke(app, ["triage", "--answers", path, "--questionnaire", MINI, "--json"])
    assert confirmed.exit_code == 0, confirmed.stderr


def test_rerun_hints_are_shell_quoted(runner, tmp_path, mini_answers, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_answers(tmp_path, mini_answers)
    result = runner.invoke(app, ["triage", "-a", path, "--export", "my summary; rm -rf ~.toml"])
    assert result.exit_code == 0, result.stderr
    assert "pmpt triage --answers 'my summary; rm -rf ~.toml'" in result.stderr
    template = runner.invoke(app, ["answers", "template", "mini", "--output", "it's.toml"])
    assert template.exit_code == 0, template.stderr
    assert "pmpt triage --answers 'it'\"'\"'s.toml'" in template.stderr


def test_json_output_never_holds_nan_or_infinity(runner, tmp_path):
    """A score can overflow to infinity; --json writes null, never the non-JSON Infinity."""
    import tomli_w

    doc = tomllib.loads((FIXTURES / "mini.toml").read_text())
    doc["scores"].append({"id": "huge", "label": "Huge", "method": "expression", "source": "test",
                          "expression": " * ".join(["1e9"] * 40)})  # fmt: skip
    questionnaire = tmp_path / "huge.toml"
    questionnaire.write_text(tomli_w.dumps(doc))
    answers = write_answers(tmp_path, {"hot_joint": "no", "pain_now": 1, "pain_worst": 1, "weeks": 1, "tried": True})
    result = runner.invoke(app, ["triage", "-a", answers, "-q", str(questionnaire), "--json"])
    assert result.exit_code == 0, result.stderr
    assert "Infinity" not in result.stdout and "NaN" not in result.stdout
    assert json.loads(result.stdout)["scores"]["huge"]["value"] is None


@pytest.mark.parametrize("name", ["bom.toml", "bom.json"])
def test_an_answers_file_with_a_byte_order_mark_is_read(runner, tmp_path, mini_answers, name):
    """Windows editors and spreadsheets start UTF-8 files with a BOM; batch took it, now triage does."""
    path = tmp_path / name
    body = json.dumps({"questionnaire": "mini", "answers": mini_answers}) if name.endswith(".json") else (
        open(write_answers(tmp_path, mini_answers)).read())  # fmt: skip
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    result = runner.invoke(app, ["triage", "--answers", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    piped = runner.invoke(app, ["triage", "--answers", "-", "--json"], input=b"\xef\xbb\xbf" + body.encode())
    assert piped.exit_code == 0, piped.stderr
