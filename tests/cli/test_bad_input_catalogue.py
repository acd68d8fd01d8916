"""The bad-input catalogue (issue 13, item 9): answers files, questionnaire files, summaries,
command-line values and batch inputs that are wrong, clumsy or hostile.

Every case gives its documented exit code, a message that names the problem and the fix,
empty stdout, no traceback, no ESC byte and no file left behind (helpers.check_case).
"""

from __future__ import annotations

import json
import os

import pytest
import tomli_w
from helpers import FIXTURES, MINI_TOML, Case, check_case

GOOD = {"hot_joint": "no", "pain_now": 5, "pain_worst": 6, "limits": ["stairs"], "weeks": 10, "tried": True}


@pytest.fixture(autouse=True)
def fixtures_by_id(monkeypatch, tmp_path):
    monkeypatch.setenv("PMPT_QUESTIONNAIRES_DIR", str(FIXTURES))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def toml(answers: dict, **top: object) -> str:
    return tomli_w.dumps({"questionnaire": "mini", **top, "answers": answers})


def triage(name: str, *more: str) -> list[str]:
    return ["triage", "--answers", name, "--no-input", *more]


def fifo(name: str):
    def make(folder):
        os.mkfifo(folder / name)

    return make


def link(name: str, target: str):
    def make(folder):
        (folder / name).symlink_to(folder / target)

    return make


def both(*setups):
    def make(folder):
        for setup in setups:
            if callable(setup):
                setup(folder)
            else:
                for name, text in setup.items():
                    (folder / name).write_bytes(text) if isinstance(text, bytes) else (folder / name).write_text(text)

    return make


DEEP_JSON = '{"questionnaire": "mini", "answers": {"weeks": ' + "[" * 100_000 + "]" * 100_000 + "}}"
UNKNOWN_IDS = {f"question_{i}": 1 for i in range(100_000)}

ANSWERS_FILES = [
    Case("answers-missing", triage("none.toml"), 1, ["none.toml", "does not exist"], ["check the name"]),
    Case(
        "answers-is-a-folder",
        triage("folder"),
        1,
        ["is a folder"],
        ["give the path of an answers file"],
        setup=lambda d: (d / "folder").mkdir(),
    ),
    Case(
        "answers-is-a-named-pipe",
        triage("pipe.toml"),
        1,
        ["named pipe, not a regular file"],
        ["give the path of an answers file"],
        setup=fifo("pipe.toml"),
    ),
    Case(
        "answers-is-dev-zero",
        triage("/dev/zero"),
        1,
        ["character device, not a regular file"],
        ["give the path of an answers file"],
    ),
    Case(
        "answers-larger-than-5-mb",
        triage("big.toml"),
        1,
        ["larger than 5 MB"],
        ["check that it is the right file"],
        setup={"big.toml": "# " + "x" * 5_000_001},
    ),
    Case(
        "answers-not-utf8",
        triage("latin1.toml"),
        1,
        ["not UTF-8 text"],
        ["save the file as UTF-8"],
        setup={"latin1.toml": 'questionnaire = "mini"\n[answers]\ncomment = "caf\xe9"\n'.encode("latin-1")},
    ),
    Case(
        "answers-invalid-toml",
        triage("bad.toml"),
        1,
        ["not valid TOML"],
        ["A JSON answers file must have a name ending in .json"],
        setup={"bad.toml": "answers = [\n"},
    ),
    Case(
        "answers-invalid-json",
        triage("bad.json"),
        1,
        ["not valid JSON", "line 1"],
        ["line 1, column"],
        setup={"bad.json": '{"answers": {"weeks": 10,}}'},
    ),
    Case(
        "answers-json-is-a-list",
        triage("list.json"),
        1,
        ["must be a table (object)"],
        ["pmpt answers template"],
        setup={"list.json": "[1, 2]"},
    ),
    Case(
        "answers-json-duplicate-red-flag",
        triage("dup.json"),
        1,
        ["answers.hot_joint", "given 2 times"],
        ["keep only one"],
        setup={
            "dup.json": '{"questionnaire": "mini", "answers": {"hot_joint": "yes", "pain_now": 5, '
            '"pain_worst": 6, "weeks": 10, "tried": true, "hot_joint": "no"}}'
        },
    ),
    Case(
        "answers-json-duplicate-questionnaire",
        triage("dup2.json"),
        1,
        ["questionnaire", "given 2 times"],
        ["give each key once"],
        setup={"dup2.json": '{"questionnaire": "mini", "questionnaire": "pmpt-core", "answers": {}}'},
    ),
    Case(
        "answers-json-nested-100000-deep",
        triage("deep.json"),
        1,
        ["nested more than 200 levels"],
        ["check that it is the right file"],
        setup={"deep.json": DEEP_JSON},
    ),
    Case(
        "answers-toml-nested-100000-deep",
        triage("deep.toml"),
        1,
        ["nested more than 20 levels"],
        ["check that it is the right file"],
        setup={"deep.toml": "[answers]\nweeks = " + "[" * 100_000 + "]" * 100_000 + "\n"},
    ),
    Case(
        "answers-json-5000-digit-integer",
        triage("digits.json"),
        1,
        ["more than 4,300 digits"],
        ["check that it is the right file"],
        setup={"digits.json": '{"questionnaire": "mini", "answers": {"weeks": ' + "9" * 5000 + "}}"},
    ),
    Case(
        "answers-toml-5000-digit-integer",
        triage("digits.toml"),
        1,
        ["more than 4,300 digits"],
        ["check that it is the right file"],
        setup={"digits.toml": "[answers]\nweeks = " + "9" * 5000 + "\n"},
    ),
    Case(
        "answers-10-to-the-4000-feeding-a-mean",
        triage("huge.json"),
        1,
        ["answers.pain_now", "too large"],
        ["numbers from -1e15 to 1e15"],
        setup={"huge.json": json.dumps({"questionnaire": "mini", "answers": GOOD | {"pain_now": 10**4000}})},
    ),
    Case(
        "answers-json-lone-surrogate",
        triage("surrogate.json"),
        1,
        ["lone surrogate"],
        ["write the character itself"],
        setup={"surrogate.json": '{"questionnaire": "mini", "answers": {"comment": "\\ud800"}}'},
    ),
    Case(
        "answers-json-nan",
        triage("nan.json"),
        1,
        ["answers.weeks", "finite number"],
        ["answers.weeks"],
        setup={"nan.json": '{"questionnaire": "mini", "answers": {"weeks": NaN}}'},
    ),
    Case(
        "answers-json-infinity",
        triage("inf.json"),
        1,
        ["answers.pain_now", "finite number"],
        ["answers.pain_now"],
        setup={"inf.json": '{"questionnaire": "mini", "answers": {"pain_now": Infinity}}'},
    ),
    Case(
        "answers-unknown-top-level-key",
        triage("typo.toml"),
        1,
        ["unknown key 'questionaire'"],
        ["did you mean 'questionnaire'"],
        setup={"typo.toml": 'questionaire = "mini"\n[answers]\n'},
    ),
    Case(
        "answers-questionnaire-not-a-string",
        triage("q.toml"),
        1,
        ["questionnaire: must be a questionnaire id"],
        ['like "pmpt-core"'],
        setup={"q.toml": "questionnaire = 5\n[answers]\n"},
    ),
    Case(
        "answers-not-a-table",
        triage("a.toml"),
        1,
        ["answers: must be a table"],
        ["question id = answer"],
        setup={"a.toml": 'questionnaire = "mini"\nanswers = [1, 2]\n'},
    ),
    Case(
        "answers-unknown-question",
        triage("a.toml"),
        1,
        ["unknown question 'pain_nw'"],
        ["did you mean 'pain_now'", "pmpt answers template"],
        setup={"a.toml": toml(GOOD | {"pain_nw": 3})},
    ),
    Case(
        "answers-100000-unknown-questions",
        triage("many.json"),
        1,
        ["unknown question 'question_0'"],
        ["... and 999", "more", "pmpt answers template"],
        setup={"many.json": json.dumps({"questionnaire": "mini", "answers": UNKNOWN_IDS})},
    ),
    Case(
        "answers-not-a-choice",
        triage("a.toml"),
        1,
        ["'maybe' is not a choice"],
        ["choices: no, unsure, yes"],
        setup={"a.toml": toml(GOOD | {"hot_joint": "maybe"})},
    ),
    Case(
        "answers-choice-with-escape",
        triage("a.toml"),
        1,
        ["'no\\x1b[2k' is not a choice"],
        ["choices:"],
        setup={"a.toml": toml(GOOD | {"hot_joint": "no\x1b[2K"})},
    ),
    Case(
        "answers-out-of-range",
        triage("a.toml"),
        1,
        ["12 is out of range"],
        ["give a number from 0 to 10"],
        setup={"a.toml": toml(GOOD | {"pain_now": 12})},
    ),
    Case(
        "answers-number-as-text",
        triage("a.toml"),
        1,
        ["must be a number, not '5'"],
        ["answers.pain_now"],
        setup={"a.toml": toml(GOOD | {"pain_now": "5"})},
    ),
    Case(
        "answers-bool-for-a-number",
        triage("a.toml"),
        1,
        ["must be a number, not true"],
        ["answers.pain_now"],
        setup={"a.toml": toml(GOOD | {"pain_now": True})},
    ),
    Case(
        "answers-fraction-for-a-whole-number",
        triage("a.toml"),
        1,
        ["must be a whole number, not 2.5"],
        ["answers.weeks"],
        setup={"a.toml": toml(GOOD | {"weeks": 2.5})},
    ),
    Case(
        "answers-text-for-yes-no",
        triage("a.toml"),
        1,
        ["must be true or false, not 'yes'"],
        ["answers.tried"],
        setup={"a.toml": toml(GOOD | {"tried": "yes"})},
    ),
    Case(
        "answers-text-for-multi-choice",
        triage("a.toml"),
        1,
        ["must be a list of choice values"],
        ["like ['stairs']"],
        setup={"a.toml": toml(GOOD | {"limits": "stairs"})},
    ),
    Case(
        "answers-exclusive-combined",
        triage("a.toml"),
        1,
        ["'none' cannot be combined"],
        ["answers.limits"],
        setup={"a.toml": toml(GOOD | {"limits": ["none", "stairs"]})},
    ),
    Case(
        "answers-text-too-long",
        triage("a.toml"),
        1,
        ["characters long; the limit is 200"],
        ["answers.comment"],
        setup={"a.toml": toml(GOOD | {"comment": "x" * 201})},
    ),
    Case(
        "answers-required-missing-no-input",
        triage("a.toml"),
        1,
        ["answers missing"],
        ["run without --no-input to be asked", "pmpt answers template"],
        setup={"a.toml": toml({"hot_joint": "no"})},
    ),
    Case(
        "answers-empty-file",
        triage("empty.toml"),
        1,
        ["answers missing"],
        ["run without --no-input to be asked", "pmpt answers template"],
        setup={"empty.toml": ""},
    ),
    Case(
        "answers-names-a-questionnaire-path",
        triage("a.toml"),
        1,
        ["names its questionnaire by the path"],
        ["run again with --questionnaire"],
        setup={"a.toml": toml(GOOD, questionnaire=str(FIXTURES / "mini.toml"))},
    ),
    Case(
        "answers-names-an-unknown-questionnaire",
        triage("a.toml"),
        1,
        ["'mni' not found"],
        ["did you mean 'mini'", "pmpt questionnaires list"],
        setup={"a.toml": toml(GOOD, questionnaire="mni")},
    ),
    Case(
        "answers-stdin-not-utf8",
        ["triage", "--answers", "-", "--no-input"],
        1,
        ["<stdin>: not UTF-8 text"],
        ["save the file as UTF-8"],
        stdin=b'questionnaire = "mini"\n[answers]\ncomment = "\xff"\n',
    ),
    Case(
        "answers-stdin-duplicate-json",
        ["triage", "--answers", "-", "--no-input"],
        1,
        ["given 2 times"],
        ["keep only one"],
        stdin='{"questionnaire": "mini", "answers": {"weeks": 1, "weeks": 2}}',
    ),
]

COMMAND_LINE = [
    Case(
        "set-without-equals",
        triage("a.toml", "--set", "pain_now"),
        1,
        ["must look like ID=VALUE"],
        ["for example --set pain_now=6"],
        setup={"a.toml": toml(GOOD)},
    ),
    Case(
        "set-unknown-question",
        triage("a.toml", "--set", "pian_now=3"),
        1,
        ["unknown question 'pian_now'"],
        ["did you mean 'pain_now'"],
        setup={"a.toml": toml(GOOD)},
    ),
    Case(
        "set-not-a-number",
        triage("a.toml", "--set", "pain_now=eleven"),
        1,
        ["'eleven' is not a number"],
        ["--set pain_now=eleven"],
        setup={"a.toml": toml(GOOD)},
    ),
    Case(
        "set-5000-digits",
        triage("a.toml", "--set", "weeks=" + "9" * 5000),
        1,
        ["must be a finite number"],
        ["--set weeks="],
        setup={"a.toml": toml(GOOD)},
    ),
    Case(
        "export-onto-an-existing-file",
        triage("a.toml", "--export", "old.toml"),
        1,
        ["'old.toml' already exists"],
        ["pass --force to overwrite it"],
        setup={"a.toml": toml(GOOD), "old.toml": "keep me"},
    ),
    Case(
        "export-onto-a-dangling-link",
        triage("a.toml", "--export", "link.toml"),
        1,
        ["already exists"],
        ["pass --force"],
        setup=both({"a.toml": toml(GOOD)}, link("link.toml", "nowhere.toml")),
    ),
    Case(
        "export-into-a-missing-folder",
        triage("a.toml", "--export", "no/such/out.toml"),
        1,
        ["does not exist"],
        ["create it first"],
        setup={"a.toml": toml(GOOD)},
    ),
    Case(
        "export-onto-a-folder",
        triage("a.toml", "--export", "folder", "--force"),
        1,
        ["is a folder"],
        ["give a file name"],
        setup=both({"a.toml": toml(GOOD)}, lambda d: (d / "folder").mkdir()),
    ),
    Case(
        "json-and-export-to-stdout",
        triage("a.toml", "--json", "--export", "-"),
        2,
        ["both write to stdout"],
        ["choose one"],
        setup={"a.toml": toml(GOOD)},
    ),
    Case(
        "resume-with-answers",
        ["triage", "--resume", "--answers", "a.toml"],
        2,
        ["--resume and --answers"],
        ["give it to --answers alone"],
        setup={"a.toml": toml(GOOD)},
    ),
    Case(
        "resume-with-nothing-saved",
        ["triage", "--resume", "--no-input"],
        1,
        ["No unfinished answers"],
        ["Start a new triage with: pmpt triage"],
    ),
    Case(
        "template-onto-an-existing-file",
        ["answers", "template", "mini", "--output", "t.toml"],
        1,
        ["already exists"],
        ["pass --force"],
        setup={"t.toml": "mine"},
    ),
]

QUESTIONNAIRE_FILES = [
    Case("questionnaire-missing", ["questionnaires", "show", "none.toml"], 1, ["does not exist"], ["check the name"]),
    Case(
        "questionnaire-is-a-folder",
        ["questionnaires", "show", "dir/"],
        1,
        ["is a folder"],
        ["give the path of a .toml file"],
        setup=lambda d: (d / "dir").mkdir(),
    ),
    Case(
        "questionnaire-is-a-named-pipe",
        ["questionnaires", "show", "pipe.toml"],
        1,
        ["named pipe"],
        ["give the path of a .toml file"],
        setup=fifo("pipe.toml"),
    ),
    Case(
        "questionnaire-is-dev-zero",
        ["triage", "-q", "/dev/zero", "--no-input"],
        1,
        ["character device"],
        ["give the path of a .toml file"],
    ),
    Case(
        "questionnaire-larger-than-2-mb",
        ["questionnaires", "show", "big.toml"],
        1,
        ["larger than 2 MB"],
        ["check that it is the right file"],
        setup={"big.toml": MINI_TOML + "#" * 2_000_001},
    ),
    Case(
        "questionnaire-not-utf8",
        ["questionnaires", "show", "q.toml"],
        1,
        ["not UTF-8 text"],
        ["save the file as UTF-8"],
        setup={"q.toml": MINI_TOML.replace("Mini", "M\xefni").encode("latin-1")},
    ),
    Case(
        "questionnaire-invalid-toml",
        ["questionnaires", "show", "q.toml"],
        1,
        ["not valid TOML", "line"],
        ["correct the file there"],
        setup={"q.toml": MINI_TOML + "\n[[questions]\n"},
    ),
    Case(
        "questionnaire-duplicate-toml-key",
        ["questionnaires", "show", "q.toml"],
        1,
        ["not valid TOML"],
        ["correct the file there"],
        setup={"q.toml": MINI_TOML.replace('title = "Mini knee check"', 'title = "Mini knee check"\ntitle = "Other"')},
    ),
    Case(
        "questionnaire-unknown-id",
        ["triage", "-q", "mnii", "--no-input"],
        1,
        ["'mnii' not found"],
        ["did you mean 'mini'", "pmpt questionnaires list"],
    ),
    Case(
        "validate-a-missing-file",
        ["questionnaires", "validate", "none.toml"],
        1,
        ["does not exist"],
        ["give the path of a questionnaire .toml file"],
        report=True,
    ),
]

# A summary (pmpt triage --export) is an answers file too: the same rules hold when one is
# read back, edited or forged. The engineer adding new summary files puts their cases here.
SUMMARY_FILES = [
    Case(
        "summary-with-an-edited-answer",
        triage("s.toml"),
        1,
        ["'perhaps' is not a choice"],
        ["choices:"],
        setup={"s.toml": toml(GOOD | {"hot_joint": "perhaps"}, schema=1, outcome="self-care")},
    ),
    Case(
        "summary-with-a-questionnaire-path",
        triage("s.toml"),
        1,
        ["names its questionnaire by the path"],
        ["--questionnaire"],
        setup={"s.toml": toml(GOOD, questionnaire="/etc/passwd.toml", schema=1)},
    ),
    Case(
        "summary-with-a-forged-extra-key",
        triage("s.toml"),
        1,
        ["unknown key 'verdict'"],
        ["an answers file has 'questionnaire' and [answers]"],
        setup={"s.toml": toml(GOOD, verdict="self-care")},
    ),
]

# FHIR files: Questionnaires to import, QuestionnaireResponses given as answers.


def fhir_import(name: str) -> list[str]:
    return ["questionnaires", "import", name, "--output", "out.toml"]


def fhir_questionnaire(**changes: object) -> str:
    item = {"linkId": "a", "type": "string", "text": "A question"}
    return json.dumps({"resourceType": "Questionnaire", "status": "active", "item": [item]} | changes)


RESPONSE_TO_MINI = {"resourceType": "QuestionnaireResponse", "status": "completed",
                    "questionnaire": "urn:pmpt:questionnaire:mini|1.0.0"}  # fmt: skip

FHIR_FILES: list[Case] = [
    Case("fhir-not-json", fhir_import("q.json"), 1, ["not valid JSON", "line 1"], ["line 1, column"],
         setup={"q.json": "{"}),
    Case("fhir-not-an-object", fhir_import("q.json"), 1, ["a FHIR resource is a JSON object"], ["cannot import"],
         setup={"q.json": "[]"}),
    Case("fhir-another-resource", fhir_import("q.json"), 1, ["is 'Patient', not 'Questionnaire'"],
         ["give the JSON of a FHIR Questionnaire"], setup={"q.json": '{"resourceType": "Patient"}'}),
    Case("fhir-duplicate-key", fhir_import("q.json"), 1, ["'status' is given 2 times"], ["keep only one"],
         setup={"q.json": fhir_questionnaire()[:-1] + ', "status": "draft"}'}),
    Case("fhir-nested-100000-deep", fhir_import("q.json"), 1, ["nested more than 200 levels"],
         ["check that it is the right file"], setup={"q.json": DEEP_JSON}),
    Case("fhir-item-without-link-id", fhir_import("q.json"), 1, ["item[0].linkId: is required"], ["Fix"],
         setup={"q.json": fhir_questionnaire(item=[{"type": "string", "text": "A"}])}),
    Case("fhir-external-value-set", fhir_import("q.json"), 1, ["cannot be expanded offline"],
         ["--skip-unsupported"], setup={"q.json": fhir_questionnaire(item=[
             {"linkId": "a", "type": "choice", "text": "A", "answerValueSet": "http://example.org/vs"}])}),
    Case("fhir-escape-in-text", fhir_import("q.json"), 1, ["control character"], ["remove it"],
         setup={"q.json": fhir_questionnaire(item=[{"linkId": "a", "type": "string", "text": "A\x1b[2K"}])}),
    Case("fhir-not-utf8", fhir_import("q.json"), 1, ["not UTF-8"], ["save the file as UTF-8"],
         setup={"q.json": b'{"resourceType": "Questionnaire", "title": "\xff"}'}),
    Case("fhir-response-to-an-unknown-questionnaire", triage("r.json"), 1, ["which pmpt does not know"],
         ["pmpt questionnaires import"], setup={"r.json": json.dumps(RESPONSE_TO_MINI | {
             "questionnaire": "http://example.org/Questionnaire/unknown", "item": []})}),
    Case("fhir-response-with-a-foreign-item", triage("r.json"), 1, ["'nonsense' is not an item of 'mini'"],
         ["pass the right --questionnaire"], setup={"r.json": json.dumps(RESPONSE_TO_MINI | {
             "item": [{"linkId": "nonsense", "answer": [{"valueString": "x"}]}]})}),
    Case("fhir-response-duplicate-key", triage("r.json"), 1, ["'status' is given 2 times"], ["keep only one"],
         setup={"r.json": json.dumps(RESPONSE_TO_MINI)[:-1] + ', "status": "completed"}'}),
]  # fmt: skip

# Batch inputs go through `pmpt batch` on the command line; a bad row is reported in the
# output rows, on stdout by design (``report``). cli/batch.py is being rewritten
# for streaming (with issue 13 item 2); until that lands, the cases it does not yet meet say
# what it does today (``known``), and the two that would hang or fill memory are not run.
BATCH_INPUTS = [
    Case(
        "batch-input-missing",
        ["batch", "none.csv", "-q", "mini"],
        1,
        ["does not exist"],
        ["check the name"],
    ),
    Case(
        "batch-input-of-unknown-kind",
        ["batch", "people.txt", "-q", "mini"],
        1,
        ["cannot tell what"],
        ["use .toml or .json"],
        setup={"people.txt": "x"},
    ),
    Case(
        "batch-folder-without-inputs",
        ["batch", "empty/", "-q", "mini"],
        1,
        ["has no answers files"],
        [".toml, .json"],
        setup=lambda d: (d / "empty").mkdir(),
    ),
    Case(
        "batch-csv-without-id-column",
        ["batch", "p.csv", "-q", "mini"],
        1,
        ["has no 'id' column"],
        ["--id-column"],
        setup={"p.csv": "name,hot_joint\nx,no\n"},
    ),
    Case(
        "batch-csv-unknown-column",
        ["batch", "p.csv", "-q", "mini", "--output", "out.csv"],
        1,
        ["column 'pian_now' is not a question"],
        ["--ignore-column"],
        setup={"p.csv": "id,pian_now\np1,3\n"},
    ),
    Case(
        "batch-bad-format",
        ["batch", "p.csv", "-q", "mini", "--format", "xml"],
        2,
        ["--format must be csv or jsonl"],
        ["csv or jsonl"],
        setup={"p.csv": "id,hot_joint\np1,no\n"},
    ),
    Case(
        "batch-output-exists",
        ["batch", "p.csv", "-q", "mini", "--output", "out.csv"],
        1,
        ["already exists"],
        ["pass --force"],
        setup={"p.csv": "id,hot_joint\np1,no\n", "out.csv": "old"},
    ),
    Case(
        "batch-stray-quote-swallows-rows",
        ["batch", "p.csv", "-q", "mini"],
        1,
        ["line 3"],
        ["quote"],
        setup={"p.csv": 'id,hot_joint,comment\np1,no,"unclosed\np2,no,x\np3,no,y\n'},
        report=True,
    ),
    Case(
        "batch-jsonl-duplicate-key",
        ["batch", "p.jsonl", "-q", "mini"],
        1,
        ["given 2 times"],
        ["keep only one"],
        setup={"p.jsonl": '{"id": "p1", "hot_joint": "yes", "hot_joint": "no"}\n'},
        report=True,
    ),
    Case(
        "batch-jsonl-5000-digit-integer",
        ["batch", "p.jsonl", "-q", "mini"],
        1,
        ["4,300 digits"],
        ["p.jsonl:1"],
        setup={"p.jsonl": '{"id": "p1", "weeks": ' + "9" * 5000 + "}\n"},
        report=True,
    ),
    Case(
        "batch-input-is-a-named-pipe",
        ["batch", "pipe.csv", "-q", "mini"],
        1,
        ["named pipe"],
        ["regular file"],
        setup=fifo("pipe.csv"),
    ),
    Case(
        "batch-input-is-dev-zero",
        ["batch", "/dev/zero", "-q", "mini"],
        1,
        ["character device"],
        ["regular file"],
    ),
]

CASES = ANSWERS_FILES + COMMAND_LINE + QUESTIONNAIRE_FILES + SUMMARY_FILES + FHIR_FILES + BATCH_INPUTS


def test_the_catalogue_has_at_least_60_cases():
    assert len(CASES) >= 60
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_bad_input(case, tmp_path, runner):
    check_case(case, tmp_path, runner)
