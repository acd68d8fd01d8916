"""The README and every --help example, run: each command in a temporary folder with the
files it names, an interactive one in a real pseudo-terminal with its answers typed."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from helpers import EXAMPLES, ROOT, SDC_FIXTURES, TYPICAL_CORE, Screen, typical_steps

README = ROOT / "README.md"
CORE = ROOT / "questionnaires" / "pmpt-core.toml"
#: Setup steps in the README's shell blocks: CI runs them itself (.ci/run), a test cannot.
SETUP = re.compile(r"^(python3? -m venv|\. \.venv/bin/activate|pip install|pytest)\b")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.S)


def readme_commands() -> list[str]:
    """Every command in the README's ``sh`` blocks, comments and setup steps left out."""
    commands = []
    for block in blocks("sh"):
        for line in block.splitlines():
            line = re.split(r"\s+#\s", line)[0].strip()
            for part in (p.strip() for p in line.split("&&")):
                if part and not SETUP.match(part):
                    commands.append(part)
    return commands


def help_commands() -> list[str]:
    """Every example in every --help epilog (the lines that start with ``pmpt``)."""
    import typer

    from pmpt_cli.cli.app import app

    root = typer.main.get_command(app)
    found: list[str] = []

    def walk(command, ctx) -> None:
        for line in (command.epilog or "").splitlines():
            if line.startswith("  ") and line.strip().startswith(("pmpt ", "cat ")):  # the indented examples
                found.append(line.strip())
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                walk(sub, typer.Context(sub, parent=ctx, info_name=name))

    walk(root, typer.Context(root, info_name="pmpt"))
    return found


def readme_answers() -> str:
    return blocks("toml")[0]


def test_the_readme_answers_file_is_valid_for_pmpt_core():
    from pmpt_cli.engine import run_triage
    from pmpt_cli.loader import load_questionnaire

    doc = tomllib.loads(readme_answers())
    core = load_questionnaire(doc.get("questionnaire", "pmpt-core"))
    assert run_triage(core, doc["answers"]).outcome == "self-care"


def test_commands_were_found():
    assert len(readme_commands()) >= 15 and "pmpt triage" in readme_commands()
    assert len(help_commands()) >= 15 and "pmpt triage --resume" in help_commands()


def files_for(folder: Path, command: str) -> None:
    """The files ``command`` names, in ``folder``."""
    (folder / "examples").symlink_to(EXAMPLES)
    shutil.copytree(ROOT / "questionnaires", folder / "questionnaires")
    answers = tomllib.loads(readme_answers())["answers"]
    (folder / "answers.toml").write_text(readme_answers())
    core = CORE.read_text()
    (folder / "my-clinic.toml").write_text(core.replace('\nid = "pmpt-core"', '\nid = "my-clinic"', 1))
    id_key = "patient" if "--id-column patient" in command else "id"
    with (folder / "people.jsonl").open("w") as out:
        for n in (1, 2):
            out.write(json.dumps({id_key: f"p{n}", **answers}) + "\n")
    with (folder / "people.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", *answers])
        writer.writerow(["p1", *(",".join(v) if isinstance(v, list) else v for v in answers.values())])
    (folder / "answers").mkdir()
    for path in sorted(EXAMPLES.glob("*.toml"))[:3]:
        shutil.copy(path, folder / "answers" / path.name)
    saved_results(folder)
    # What the command writes must not be there yet (pmpt never overwrites without --force).
    for target in re.findall(r"(?:--output|-o|--export|>)\s+(\S+)", command):
        if target != "-":
            (folder / target).unlink(missing_ok=True)


def saved_results(folder: Path) -> None:
    """What earlier commands would have written: summaries (``summary.toml``, several of one
    person over time for ``compare``), FHIR files (the SDC PHQ-9 and enable-when forms, a
    response) and an imported questionnaire."""
    from pmpt_cli.engine import run_triage
    from pmpt_cli.export import summary_document, summary_toml
    from pmpt_cli.fhir.questionnaire_in import import_file
    from pmpt_cli.fhir.response import response_to_fhir
    from pmpt_cli.loader import load_questionnaire

    core = load_questionnaire(CORE)
    readme = tomllib.loads(readme_answers())["answers"]
    result = run_triage(core, readme)
    (folder / "summary.toml").write_text(summary_toml(core, result))
    response = response_to_fhir(core, summary_document(core, result))
    (folder / "response.json").write_text(json.dumps(response))
    later = ["pain-management-chronic-back", "both-chronic-back", "physical-therapy-knee", "self-care-recent-back"]
    for name, example in zip(["before", "week0", "week6", "week12", "after"], [later[0], *later[1:], later[3]]):
        answers = tomllib.loads((EXAMPLES / f"{example}.toml").read_text())["answers"]
        (folder / f"{name}.toml").write_text(summary_toml(core, run_triage(core, answers)))
    phq9 = (SDC_FIXTURES / "sdc-phq9-questionnaire.json").read_bytes()
    (folder / "phq9.json").write_bytes(phq9)
    (folder / "phq9-response.json").write_bytes((SDC_FIXTURES / "sdc-phq9-questionnaireresponse.json").read_bytes())
    from pmpt_cli.fhir.questionnaire_out import questionnaire_to_fhir

    odi = load_questionnaire(EXAMPLES / "questionnaires" / "odi-style.toml")  # a form the R4B models accept
    (folder / "form.json").write_text(json.dumps(questionnaire_to_fhir(odi)))
    (folder / "phq9.toml").write_text(import_file(phq9, origin="phq9.json", qid="phq9").text)


def environment(folder: Path) -> dict[str, str]:
    env = {**os.environ, "XDG_DATA_HOME": str(folder / "data"), "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def interactive(command: str) -> bool:
    return command.startswith("pmpt triage") and "--answers" not in command


def run_interactive(folder: Path, command: str) -> None:
    """``pmpt triage`` (or ``--resume``) in a pty, answered as the commonest user would."""
    from pmpt_cli.loader import load_questionnaire

    core = load_questionnaire(CORE)
    given: dict = {}
    if "--resume" in command:  # something to resume: the first half of the answers
        from pmpt_cli.cli import partial

        given = dict(list(TYPICAL_CORE.items())[:20])
        target = folder / "data" / "pmpt" / "partial-pmpt-core.toml"
        target.parent.mkdir(parents=True, mode=0o700)
        target.parent.parent.chmod(0o700)
        target.write_text(partial.partial_text(core, given, "pmpt-core"))
    screen = Screen(folder, [], 80, 24, command=["bash", "-c", command], env=environment(folder))
    for question, keys in typical_steps(core, TYPICAL_CORE):
        if question.id in given:
            continue
        screen.wait_for(question.text.split("?")[0][:40])
        for key in keys:
            screen.send(key)
    screen.wait_for("Check your answers")
    screen.send("\r")
    screen.wait_for("Save this summary to a file?")
    screen.send("n")
    if given:
        screen.wait_for("Delete your unfinished answers")
        screen.send("y")
    assert screen.finish() == 0, "\n".join(screen.lines)


def run(folder: Path, command: str) -> None:
    if interactive(command):
        run_interactive(folder, command)
        return
    done = subprocess.run(["bash", "-c", command], cwd=folder, env=environment(folder), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, f"{command}\n{done.stderr}"


@pytest.mark.slow
@pytest.mark.parametrize("command", readme_commands())
def test_every_readme_command_runs(tmp_path, command):
    files_for(tmp_path, command)
    run(tmp_path, command)


@pytest.mark.slow
@pytest.mark.parametrize("command", help_commands())
def test_every_help_example_runs(tmp_path, command):
    files_for(tmp_path, command)
    run(tmp_path, command)


def test_the_readme_python_example_runs(tmp_path, monkeypatch):
    (tmp_path / "answers.toml").write_text(readme_answers())
    monkeypatch.chdir(tmp_path)
    done = subprocess.run([sys.executable, "-c", blocks("python")[0]], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("self-care ")


@pytest.mark.parametrize("command", ["triage", "batch", "questionnaires list", "questionnaires show",
                                     "questionnaires validate", "answers template"])  # fmt: skip
def test_no_color_after_any_command(runner, command):
    from pmpt_cli.cli.app import app

    result = runner.invoke(app, [*command.split(), "--no-color", "--help"])
    assert result.exit_code == 0, result.stderr
    assert "--no-color" in result.stdout


@pytest.mark.parametrize("args", [["--help"], ["triage", "--help"], ["batch", "--help"],
                                  ["questionnaires", "--help"], ["answers", "template", "--help"]])  # fmt: skip
def test_help_pages_wrap_at_spaces_at_40_columns(args):
    done = subprocess.run([sys.executable, "-m", "pmpt_cli", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "40"}, check=False)  # fmt: skip
    assert done.returncode == 0
    for line in done.stdout.splitlines():
        assert len(line) <= 40, line
    assert "physical-\n" not in done.stdout and "…" not in done.stdout
    assert not [line for line in done.stdout.splitlines() if re.search(r"[a-z]\.\.\.$", line)]  # cut short
