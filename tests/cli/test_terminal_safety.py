"""Issue 13, item 1: no control characters reach a terminal, whatever path the text takes.

Every output path gets the same payload: an OSC that retitles the window, a CSI that
erases the line (the sequence that hid half a rule from ``questionnaires show``), a C1
CSI and a bidirectional override. Plain outputs must hold no ESC byte at all (nor the C1
or bidi characters); styled outputs (rich, prompt_toolkit) draw with escape sequences of
their own, so there the payload's own sequences must not come out.

Payloads come from where they really can: answers files (keys, values, text answers),
file names, questionnaire files (refused by the builder, so what is checked there is the
error path), and, for the paths that show questionnaire text, a questionnaire built in
memory that skips the builder (as a library caller or a future bug could).
"""

from __future__ import annotations

import io
import json
import os
import tomllib
from typing import Any

import pytest
import tomli_w
from helpers import FIXTURES, fake_env, pretend_terminal

from pmpt_cli.cli.app import app

PAYLOAD = "\x1b]0;PWNED\x07\x1b[2K\x9b31m\u202eEVIL\x1b[0m"
BAD = ("\x1b", "\x9b", "\u202e", "\x07")
#: What styled output may not hold: the payload's own sequences.
PAYLOAD_PARTS = ("\x1b]0;PWNED", "\x1b[2K", "\x9b", "\u202e", "\x07")
MINI_DOC = tomllib.loads((FIXTURES / "mini.toml").read_text())


def assert_plain(*texts: str) -> None:
    for text in texts:
        found = [c for c in BAD if c in text]
        assert not found, f"{found} in {text[:2000]!r}"


def assert_styled(*texts: str) -> None:
    for text in texts:
        found = [p for p in PAYLOAD_PARTS if p in text]
        assert not found, f"{found} in {text[:2000]!r}"


def run(runner: Any, args: list[str], **kwargs: Any) -> Any:
    result = runner.invoke(app, args, **kwargs)
    assert result.exit_code != 70, result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture
def home(tmp_path, monkeypatch):
    """cwd, data folder and questionnaire ids in tmp_path; 'talk' is mini plus a rule whose
    evidence is the free-text answer, so the summary shows what the person typed."""
    doc = json.loads(json.dumps(MINI_DOC))
    doc["id"] = "talk"
    doc["rules"].append({"id": "talked", "outcome": "both", "when": "len(comment) > 0", "priority": 99,
                         "explanation": "You told us something we should read.", "source": "Illustrative"})  # fmt: skip
    folder = tmp_path / "qs"
    folder.mkdir()
    (folder / "talk.toml").write_text(tomli_w.dumps(doc))
    (folder / "mini.toml").write_text((FIXTURES / "mini.toml").read_text())
    monkeypatch.setenv("PMPT_QUESTIONNAIRES_DIR", str(folder))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def answers_file(folder, answers: dict, name: str = "answers.toml", **extra: Any) -> str:
    path = folder / name
    path.write_text(tomli_w.dumps({"questionnaire": "talk", **extra, "answers": answers}))
    return str(path)


GOOD = {"hot_joint": "no", "pain_now": 5, "pain_worst": 6, "limits": ["stairs"], "weeks": 10, "tried": True}


# -- answers: text answers, keys and values ---------------------------------------------


@pytest.mark.parametrize("mode", [[], ["--plain"], ["--json"], ["--export", "-"], ["--export", "out.toml"]])
def test_a_text_answer_with_escapes_never_reaches_the_terminal_raw(home, runner, mode):
    path = answers_file(home, GOOD | {"comment": PAYLOAD})
    result = run(runner, ["triage", "--answers", path, "--no-input", *mode])
    assert result.exit_code == 0, result.stderr
    assert_plain(result.stdout, result.stderr)
    if "--json" in mode:
        assert json.loads(result.stdout)["answers"]["comment"] == PAYLOAD  # the data is whole
    if mode == ["--export", "-"]:
        assert tomllib.loads(result.stdout)["answers"]["comment"] == PAYLOAD
    if mode == ["--export", "out.toml"]:
        assert_plain((home / "out.toml").read_text())
        assert tomllib.loads((home / "out.toml").read_text())["answers"]["comment"] == PAYLOAD


def test_the_rich_summary_escapes_a_text_answer(home, runner, monkeypatch):
    from pmpt_cli.cli.environment import Environment

    real = Environment.from_system.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(Environment, "from_system", classmethod(
        lambda cls, *, no_color=False: real(cls, no_color=no_color)._replace(stdout_isatty=True, colour=True)))  # fmt: skip
    path = answers_file(home, GOOD | {"comment": PAYLOAD})
    result = run(runner, ["triage", "--answers", path, "--no-input"])
    assert result.exit_code == 0, result.stderr
    assert "\\x1b]0;PWNED" in result.stdout  # shown, escaped
    assert_styled(result.stdout)
    assert_plain(result.stderr)


@pytest.mark.parametrize(
    ("answers", "extra"),
    [
        ({PAYLOAD: 1}, {}),  # an unknown question id
        ({"hot_joint": PAYLOAD}, {}),  # a choice that is not one
        ({"pain_now": PAYLOAD, "limits": [PAYLOAD], "tried": PAYLOAD}, {}),
        ({"comment": PAYLOAD * 100}, {}),  # longer than max_length
        (GOOD, {PAYLOAD: "x"}),  # an unknown top-level key
        (GOOD, {"questionnaire_sha256": "0" * 64}),  # a warning naming the file
    ],
)
def test_bad_answers_are_reported_escaped(home, runner, answers, extra):
    path = answers_file(home, answers, name=f"a{PAYLOAD}.toml", **extra)
    result = run(runner, ["triage", "--answers", path, "--no-input", "--set", f"weeks={PAYLOAD}"])
    assert_plain(result.stdout, result.stderr)


def test_a_duplicate_json_key_is_reported_escaped(home, runner):
    path = home / "a.json"
    path.write_text('{"questionnaire": "talk", "answers": {"%s": 1, "%s": 2}}' % ((json.dumps(PAYLOAD)[1:-1],) * 2))
    result = run(runner, ["triage", "--answers", str(path), "--no-input"])
    assert result.exit_code == 1 and "given 2 times" in result.stderr
    assert_plain(result.stdout, result.stderr)


def test_a_set_value_and_a_set_id_are_reported_escaped(home, runner):
    path = answers_file(home, GOOD)
    result = run(runner, ["triage", "-a", path, "--no-input", "--set", f"{PAYLOAD}=1", "--set", f"hot_joint={PAYLOAD}"])
    assert result.exit_code == 1
    assert_plain(result.stdout, result.stderr)


# -- file names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["triage", "--answers", f"missing{PAYLOAD}.toml", "--no-input"],
        ["triage", "-q", f"missing{PAYLOAD}.toml", "--no-input"],
        ["triage", "-q", f"no-such-id{PAYLOAD}", "--no-input"],
        ["questionnaires", "show", f"q{PAYLOAD}.toml"],
        ["questionnaires", "validate", f"q{PAYLOAD}.toml"],
        ["questionnaires", "validate", f"q{PAYLOAD}.toml", "--json"],
        ["answers", "template", "mini", "--output", f"no-such-folder{PAYLOAD}/t.toml"],
        ["batch", f"people{PAYLOAD}.csv", "-q", "mini"],
    ],
)
def test_file_names_in_messages_are_escaped(home, runner, args):
    result = run(runner, args)
    assert result.exit_code in (1, 3)
    assert_plain(result.stdout, result.stderr)


def test_a_written_file_name_is_escaped_in_the_next_step_hint(home, runner):
    path = answers_file(home, GOOD)
    result = run(runner, ["triage", "-a", path, "--export", f"out{PAYLOAD}.toml"])
    assert result.exit_code == 0, result.stderr
    assert "Re-run it with" in result.stderr
    assert_plain(result.stdout, result.stderr)
    again = run(runner, ["triage", "-a", path, "--export", f"out{PAYLOAD}.toml"])
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert_plain(again.stdout, again.stderr)
    template = run(runner, ["answers", "template", "mini", "--output", f"t{PAYLOAD}.toml"])
    assert template.exit_code == 0
    assert_plain(template.stdout, template.stderr)


def test_questionnaire_ids_from_file_names_are_escaped_in_the_list(home, runner):
    folder = home / "qs"
    (folder / f"evil{PAYLOAD}.toml").write_text((FIXTURES / "mini.toml").read_text())
    (folder / f"broken{PAYLOAD}.toml").write_text(f'title = "{PAYLOAD.encode("unicode_escape").decode()}"\n[')
    text = run(runner, ["questionnaires", "list"])
    assert text.exit_code == 0
    assert "evil\\x1b]0;PWNED" in text.stdout
    assert_plain(text.stdout, text.stderr)
    data = run(runner, ["questionnaires", "list", "--json"])
    assert_plain(data.stdout, data.stderr)
    assert any(row["id"] == f"evil{PAYLOAD}" for row in json.loads(data.stdout)["questionnaires"])


# -- questionnaire files: refused by the builder, and the refusal is escaped --------------


def hostile_file(home) -> str:
    doc = json.loads(json.dumps(MINI_DOC))
    doc["title"] = f"Knee {PAYLOAD}"
    doc["sections"][0]["title"] = PAYLOAD
    doc["questions"][0]["choices"][0]["label"] = PAYLOAD
    doc["rules"][0]["when"] = f"hot_joint in ['yes', 'unsure']  # {PAYLOAD} and pain_now > 3"
    doc["rules"][1][f"key{PAYLOAD}"] = "x"
    doc["questions"][1]["type"] = f"scale{PAYLOAD}"
    path = home / "hostile.toml"
    path.write_text(tomli_w.dumps(doc))
    return str(path)


@pytest.mark.parametrize(
    "args",
    [
        ["questionnaires", "show", "{q}"],
        ["questionnaires", "show", "{q}", "--json"],
        ["questionnaires", "validate", "{q}"],
        ["questionnaires", "validate", "{q}", "--json"],
        ["answers", "template", "{q}"],
        ["triage", "-q", "{q}", "--no-input"],
        ["batch", "{csv}", "-q", "{q}"],
    ],
)
def test_a_questionnaire_with_escapes_is_refused_and_the_refusal_escaped(home, runner, args):
    q = hostile_file(home)
    (home / "p.csv").write_text("id,hot_joint\np1,no\n")
    result = run(runner, [a.format(q=q, csv=home / "p.csv") for a in args])
    assert result.exit_code in (1, 3)
    assert "control character" in result.stderr + result.stdout
    assert_plain(result.stdout, result.stderr)


# -- questionnaire text that skipped the builder --------------------------------------------


def hostile_questionnaire(q: Any) -> Any:
    """``q`` with the payload in every text a person reads (built in memory: no builder)."""

    def t(text: str) -> str:
        return f"{text or 'x'} {PAYLOAD}"

    return q._replace(
        title=t(q.title), description=t(q.description), licence=t(q.licence), language=t(q.language),
        sources=tuple(s._replace(citation=t(s.citation), url=t(s.url)) for s in q.sources),
        sections=tuple(s._replace(title=t(s.title), intro=t(s.intro)) for s in q.sections),
        questions=tuple(
            item._replace(text=t(item.text), help=t(item.help), unit=t(item.unit), min_label=t(item.min_label),
                          max_label=t(item.max_label),
                          choices=tuple(c._replace(label=t(c.label), help=t(c.help)) for c in item.choices))
            for item in q.questions
        ),
        scores=tuple(s._replace(label=t(s.label), source=t(s.source), description=t(s.description),
                                bands=tuple(b._replace(label=t(b.label)) for b in s.bands)) for s in q.scores),
        rules=tuple(r._replace(explanation=t(r.explanation), source=t(r.source)) for r in q.rules),
        notes=tuple(n._replace(text=t(n.text), source=t(n.source)) for n in q.notes),
        default=q.default._replace(explanation=t(q.default.explanation), source=t(q.default.source)),
        outcome_texts={k: v._replace(headline=t(v.headline), care=t(v.care), steps=tuple(map(t, v.steps)),
                                     next=t(v.next)) for k, v in q.outcome_texts.items()},
    )  # fmt: skip


@pytest.fixture
def in_memory(home, monkeypatch, mini):
    """Every command that loads a questionnaire gets the hostile in-memory one."""
    import pmpt_cli.cli.triage_flow as flow
    import pmpt_cli.loader as loader

    hostile = hostile_questionnaire(mini)
    monkeypatch.setattr(loader, "load_questionnaire", lambda ref: hostile)
    monkeypatch.setattr(flow, "load_questionnaire", lambda ref: hostile)
    return hostile


@pytest.mark.parametrize(
    "args",
    [
        ["questionnaires", "show", "mini"],
        ["questionnaires", "show", "mini", "--json"],
        ["answers", "template", "mini"],
        ["answers", "template", "mini", "--json"],
        ["answers", "template", "mini", "--output", "t.toml"],
    ],
)
def test_questionnaire_text_is_escaped_in_show_and_template(in_memory, runner, args, home):
    result = run(runner, args)
    assert result.exit_code == 0, result.stderr
    assert_plain(result.stdout, result.stderr)
    if "--output" in args:
        assert_plain((home / "t.toml").read_text())


@pytest.mark.parametrize("mode", [[], ["--json"], ["--export", "-"]])
def test_questionnaire_text_is_escaped_in_the_summary(in_memory, runner, home, mode):
    path = answers_file(home, GOOD | {"hot_joint": "yes"})
    result = run(runner, ["triage", "--answers", path, "--no-input", *mode])
    assert result.exit_code == 0, result.stderr
    assert_plain(result.stdout, result.stderr)


def test_errors_name_questionnaire_text_escaped(in_memory, runner, home):
    path = answers_file(home, {"hot_joint": "no"})  # required answers missing: --verbose lists their text
    result = run(runner, ["triage", "--answers", path, "--no-input", "--verbose"])
    assert result.exit_code == 1 and "required question not answered" in result.stderr
    assert_plain(result.stdout, result.stderr)


def test_the_internal_error_message_is_escaped(home, runner, monkeypatch):
    import pmpt_cli.cli.triage_flow as flow

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError(PAYLOAD)

    monkeypatch.setattr(flow, "decide", boom)
    path = answers_file(home, GOOD)
    for extra in ([], ["--debug"]):
        result = runner.invoke(app, [*extra, "triage", "-a", path])
        assert result.exit_code == 70
        assert_plain(result.stdout, result.stderr)


# -- batch (another change rewrites batch; these say what it must do) -------------------------


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_batch_ids_and_cells_are_escaped(home, runner, kind):
    if kind == "csv":
        people = home / "people.csv"
        people.write_text(f"id,hot_joint,comment\nok{PAYLOAD},no,{PAYLOAD}\nbad{PAYLOAD},{PAYLOAD},\n")
    else:
        people = home / "people.jsonl"
        people.write_text(json.dumps({"id": f"ok{PAYLOAD}", "hot_joint": "no", "comment": PAYLOAD}) + "\n"
                          + json.dumps({"id": f"bad{PAYLOAD}", "hot_joint": PAYLOAD}) + "\n")  # fmt: skip
    result = run(runner, ["batch", str(people), "-q", "talk"])
    assert result.exit_code == 1
    assert_plain(result.stderr, result.stdout)


# -- the terminal UX paths: the renderers and the prompts on their own ----------------------


def test_the_plain_summary_renderer_on_its_own(mini):
    from pmpt_cli.cli.render import render_plain
    from pmpt_cli.engine import run_triage
    from pmpt_cli.report import result_to_dict

    hostile = hostile_questionnaire(mini)
    data = result_to_dict(hostile, run_triage(hostile, GOOD | {"hot_joint": "yes", "comment": PAYLOAD}))
    text = render_plain(data)
    assert_plain(text)


def test_the_rich_summary_renderer_on_its_own(mini):
    from rich.console import Console

    from pmpt_cli.cli.render import render_rich
    from pmpt_cli.engine import run_triage
    from pmpt_cli.report import result_to_dict

    hostile = hostile_questionnaire(mini)
    data = result_to_dict(hostile, run_triage(hostile, GOOD | {"hot_joint": "yes"}))
    out = io.StringIO()
    render_rich(data, Console(file=out, width=100, force_terminal=True))
    assert_styled(out.getvalue())


def _plain_interview(runner: Any, monkeypatch: Any, args: list[str], lines: str) -> Any:
    pretend_terminal(monkeypatch)
    return runner.invoke(app, ["triage", "--plain", *args], input=lines)


def test_plain_prompts_show_questionnaire_text_escaped(in_memory, runner, monkeypatch):
    result = _plain_interview(runner, monkeypatch, ["-q", "mini"], "\n" * 3)
    assert result.exit_code != 70, result.stderr
    assert "Section:" in result.stderr  # it did ask
    assert_plain(result.stdout, result.stderr)


def test_plain_prompts_show_a_resumed_text_answer_escaped(home, runner, monkeypatch):
    path = answers_file(home, {k: v for k, v in GOOD.items() if k != "weeks"} | {"comment": PAYLOAD})
    result = _plain_interview(runner, monkeypatch, ["--answers", path], "3\n\n\n\n")
    assert result.exit_code != 70, result.stderr
    assert_plain(result.stdout, result.stderr)


def test_menu_prompts_show_questionnaire_text_escaped(mini):
    from pmpt_cli.cli.prompting import QuestionaryPrompter

    hostile = hostile_questionnaire(mini)
    env = fake_env(stderr_isatty=True)
    prompter = QuestionaryPrompter(env)
    prompter.show("heading", f"{hostile.sections[0].title}\n{hostile.sections[0].intro}")
    prompter.show("welcome", f"{hostile.title}\n{hostile.description}")
    prompter.show("alert", hostile.rules[0].explanation)
    assert_styled(env.stderr.getvalue())


def test_no_module_of_this_change_writes_to_the_process_streams():
    from helpers import ROOT

    for name in ("messages", "input_files", "private_folder"):
        assert "sys.std" not in (ROOT / "pmpt_cli" / f"{name}.py").read_text()
    assert os.sep  # keeps os imported for readers of the fixtures above
