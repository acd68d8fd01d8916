"""``pmpt questionnaires list | show | validate``, the search path, completion and start-up imports."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from helpers import EXAMPLES, FIXTURES, ROOT

from pmpt_cli.cli.app import app
from pmpt_cli.loader import load_questionnaire
from pmpt_cli.registry import complete_questionnaire_ids


@pytest.fixture
def custom_dir(tmp_path, monkeypatch):
    """A PMPT_QUESTIONNAIRES_DIR with mini, the ODI-style example and one broken file."""
    folder = tmp_path / "custom"
    folder.mkdir()
    shutil.copy(FIXTURES / "mini.toml", folder / "mini.toml")
    shutil.copy(EXAMPLES / "questionnaires" / "odi-style.toml", folder / "odi-style.toml")
    (folder / "broken.toml").write_text("format = 1\nid = 'broken'\n")
    (folder / "notes.txt").write_text("not a questionnaire")
    monkeypatch.setenv("PMPT_QUESTIONNAIRES_DIR", str(folder))
    return folder


def test_list_json_describes_each_questionnaire(runner, custom_dir):
    result = runner.invoke(app, ["questionnaires", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.stdout)["questionnaires"]}
    assert {"mini", "odi-style", "broken"} <= set(rows)
    assert rows["mini"] | {"path": None} == {
        "id": "mini", "title": "Mini knee check", "version": "1.0.0", "language": "en", "licence": "CC0-1.0",
        "questions": 7, "origin": "custom", "path": None,
    }  # fmt: skip
    assert rows["odi-style"]["questions"] == 11
    assert "problems found" in rows["broken"]["error"] and "validate" in rows["broken"]["error"]


def test_list_human_is_a_table_and_warns_about_broken_files(runner, custom_dir):
    result = runner.invoke(app, ["questionnaires", "list"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "VERSION", "LANG", "QUESTIONS", "LICENCE", "TITLE"]
    assert any(line.startswith("mini ") and "Mini knee check" in line for line in lines)
    assert "warning: broken:" in result.stderr


def test_search_path_folders_come_before_the_bundled_ones(runner, custom_dir, tmp_path, monkeypatch):
    second = tmp_path / "second"
    second.mkdir()
    text = (FIXTURES / "mini.toml").read_text().replace('title = "Mini knee check"', 'title = "Shadowed"')
    (second / "mini.toml").write_text(text)
    monkeypatch.setenv("PMPT_QUESTIONNAIRES_DIR", f"{second}:{custom_dir}")
    rows = {r["id"]: r for r in json.loads(runner.invoke(app, ["questionnaires", "list", "--json"]).stdout)[
        "questionnaires"]}  # fmt: skip
    assert rows["mini"]["title"] == "Shadowed" and "odi-style" in rows


def test_show_json_has_every_part(runner):
    result = runner.invoke(app, ["questionnaires", "show", str(FIXTURES / "mini.toml"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == "mini" and len(data["sha256"]) == 64
    assert [s["id"] for s in data["sections"]] == ["safety", "pain"]
    questions = {q["id"]: q for q in data["questions"]}
    assert [c["value"] for c in questions["hot_joint"]["choices"]] == ["no", "unsure", "yes"]
    assert questions["pain_worst"]["applies_when"] == "pain_now > 0"
    assert questions["pain_now"]["applies_when"] is None
    assert data["scores"][0]["bands"][1] == {"min": 0, "max": 4, "label": "mild"}
    assert data["rules"][0] == {
        "id": "septic_joint", "outcome": "emergency", "when": "hot_joint in ['yes', 'unsure']", "priority": 100,
        "explanation": "A hot, red, swollen joint with fever can be a joint infection.",
        "source": "BSR/BOA hot swollen joint guidance",
    }  # fmt: skip
    assert data["default"]["outcome"] == "physical-therapy"
    assert set(data["outcomes"]) == {
        "emergency",
        "urgent",
        "under-16",
        "pain-management",
        "both",
        "physical-therapy",
        "self-care",
    }


def test_show_by_id_through_the_search_path(runner, custom_dir):
    result = runner.invoke(app, ["questionnaires", "show", "odi-style"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "SECTION disability" in out and "percent of pain_intensity" in out
    assert "bands: 0-20 minimal; 20-40 moderate" in out
    assert "cauda_equina -> emergency (priority 100)" in out


def test_show_human_lists_choices_with_values_and_conditions(runner):
    out = runner.invoke(app, ["questionnaires", "show", str(FIXTURES / "mini.toml")]).stdout
    assert "hot_joint (choice): Is the knee hot" in out
    assert "unsure  Not sure" in out
    assert "asked only when: pain_now > 0" in out
    assert "none     None of these (score 0, not with others)" in out


def test_show_unknown_id_exits_1_with_a_hint(runner, custom_dir):
    result = runner.invoke(app, ["questionnaires", "show", "minni"])
    assert result.exit_code == 1
    assert "did you mean 'mini'?" in result.stderr and "pmpt questionnaires list" in result.stderr


def test_show_json_is_never_wrapped(runner, monkeypatch):
    monkeypatch.setenv("COLUMNS", "20")
    result = runner.invoke(app, ["questionnaires", "show", str(EXAMPLES / "questionnaires" / "odi-style.toml"),
                                 "--json"])  # fmt: skip
    assert json.loads(result.stdout)["licence"].startswith("CC0-1.0 (this file); the ODI's own wording")


def test_validate_good_file_exits_0(runner):
    result = runner.invoke(app, ["questionnaires", "validate", str(FIXTURES / "mini.toml")])
    assert result.exit_code == 0 and result.stdout.endswith(": ok\n")


def test_questionnaires_without_a_command_shows_help(runner):
    result = runner.invoke(app, ["questionnaires"])
    assert "list" in result.output and "validate" in result.output


def test_completion_offers_ids_from_the_search_path(custom_dir):
    assert set(complete_questionnaire_ids("")) >= {"mini", "odi-style", "broken"}
    assert complete_questionnaire_ids("od") == ["odi-style"]


def test_scripted_commands_do_not_import_rich_questionary_or_tomli_w():
    code = (
        "import sys; from pmpt_cli.cli.app import main; "
        f"main(['questionnaires', 'validate', {str(FIXTURES / 'mini.toml')!r}, '--json']); "
        "print(sorted(m for m in ('rich', 'questionary', 'prompt_toolkit', 'tomli_w') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


# -- export and import: FHIR ------------------------------------------------------------


def test_export_writes_an_r4_questionnaire_to_stdout_or_a_private_file(runner, tmp_path):
    from helpers import validate_r4b

    result = runner.invoke(app, ["questionnaires", "export", "pmpt-core", "--format", "fhir"])
    assert result.exit_code == 0, result.output
    resource = json.loads(result.stdout)
    validate_r4b(resource)
    assert (
        resource["url"] == "urn:pmpt:questionnaire:pmpt-core"
        and resource["version"] == load_questionnaire("pmpt-core").version
    )
    out = tmp_path / "core.json"
    result = runner.invoke(app, ["questionnaires", "export", "pmpt-core", "--legacy-ordinal", "-o", str(out)])
    assert result.exit_code == 0 and "ordinalValue" in out.read_text() and "itemWeight" not in out.read_text()
    assert (out.stat().st_mode & 0o777) == 0o600
    again = runner.invoke(app, ["questionnaires", "export", "pmpt-core", "-o", str(out)])
    assert again.exit_code == 1 and "pass --force" in again.stderr
    assert runner.invoke(app, ["questionnaires", "export", "pmpt-core", "--format", "xml"]).exit_code == 2


def test_import_writes_a_questionnaire_that_validates(runner, tmp_path):
    from helpers import SDC_FIXTURES

    out = tmp_path / "phq9.toml"
    result = runner.invoke(app, ["questionnaires", "import", str(SDC_FIXTURES / "sdc-phq9-questionnaire.json"),
                                 "--output", str(out), "--id", "phq9"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "warning: language: the Questionnaire has no language" in result.stderr
    assert "Imported 'phq9' (measure-only, 9 questions, 1 scores)" in result.stderr
    assert runner.invoke(app, ["questionnaires", "validate", str(out)]).exit_code == 0


def test_import_refuses_unsupported_features_with_exit_1_and_skips_them_on_request(runner, tmp_path):
    from helpers import SDC_FIXTURES

    form = str(SDC_FIXTURES / "sdc-enablewhen-questionnaire.json")
    refused = runner.invoke(app, ["questionnaires", "import", form])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "item[1].item[0].answerValueSet: the external value set" in refused.stderr
    assert "pass --skip-unsupported" in refused.stderr
    skipped = runner.invoke(app, ["questionnaires", "import", form, "--skip-unsupported"])
    assert skipped.exit_code == 0 and skipped.stdout.startswith("# Imported by pmpt from the FHIR Questionnaire")


@pytest.mark.parametrize(("content", "message"), [
    ('{"resourceType": "Questionnaire", "item": [', "not valid JSON: Expecting value (line 1, column 44)"),
    ("[" * 100_000 + "]" * 100_000, "nested more than 200 levels deep"),
    ('{"resourceType": "Questionnaire", "item": "lots"}', "item: must be a list"),
    ('{"resourceType": "Questionnaire", "item": [{"linkId": 7, "type": "boolean"}]}', "item[0].linkId: is required"),
    ('"just a string"', "a FHIR resource is a JSON object"),
])  # fmt: skip
def test_hostile_files_give_a_clear_error_and_exit_1(runner, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = runner.invoke(app, ["questionnaires", "import", str(path)])
    assert result.exit_code == 1, result.output
    assert message in result.stderr and "Traceback" not in result.output and "internal error" not in result.stderr


def test_strict_checks_the_r4b_model_and_says_when_the_package_is_missing(runner, tmp_path, monkeypatch):
    from helpers import SDC_FIXTURES

    bad = tmp_path / "bad.json"
    bad.write_text('{"resourceType": "Questionnaire", "status": "active", "item": [{"linkId": "a", "type": "boolean", '
                   '"colour": "red"}]}')  # fmt: skip
    result = runner.invoke(app, ["questionnaires", "import", str(bad), "--strict"])
    assert result.exit_code == 1 and "item[0].colour: Extra inputs are not permitted" in result.stderr
    assert runner.invoke(app, ["questionnaires", "import", str(bad)]).exit_code == 0  # lenient without --strict
    good = str(SDC_FIXTURES / "sdc-phq9-questionnaire.json")
    assert runner.invoke(app, ["questionnaires", "import", good, "--strict"]).exit_code == 0
    monkeypatch.setitem(sys.modules, "fhir.resources.R4B", None)
    missing = runner.invoke(app, ["questionnaires", "import", good, "--strict"])
    assert missing.exit_code == 1 and "pip install fhir.resources" in missing.stderr


def test_codebook_as_csv_and_json(runner, tmp_path):
    result = runner.invoke(app, ["questionnaires", "codebook", "pmpt-core"])
    assert result.exit_code == 0 and result.stdout.startswith("variable,kind,section,type,label,")
    out = tmp_path / "codebook.json"
    result = runner.invoke(app, ["questionnaires", "codebook", "pmpt-core", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0 and json.loads(out.read_text())["questionnaire"]["id"] == "pmpt-core"
    assert runner.invoke(app, ["questionnaires", "codebook", "pmpt-core", "--format", "sav"]).exit_code == 2


def test_show_names_the_need_scores(runner):
    data = json.loads(runner.invoke(app, ["questionnaires", "show", "pmpt-core", "--json"]).stdout)
    needs = {s["id"]: s["need"] for s in data["scores"] if s["need"]}
    assert needs == {"pain_relief_need": "pain-relief", "rehabilitation_need": "rehabilitation"}
    text = runner.invoke(app, ["questionnaires", "show", "pmpt-core"]).stdout
    assert "need: the pain-relief need; its items are the contributors" in " ".join(text.split())
