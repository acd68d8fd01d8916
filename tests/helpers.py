"""What several test modules share: paths, and helpers that only tests use.

Test modules import from here (``tests`` is on ``pythonpath``), never from each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from pmpt_cli.expr.expressions import NameInfo

if TYPE_CHECKING:
    from pmpt_cli.cli.environment import Environment
    from pmpt_cli.model import Question, Questionnaire

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"
#: The unaltered HL7 SDC examples the team shares (see their README).
SDC_FIXTURES = ROOT / "tests" / "fixtures" / "fhir-sdc"  # copied unaltered from the HL7 SDC guide (see its README)

#: Settings for the property tests that triage generated answers.
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def answer_strategy(question: Question) -> st.SearchStrategy[Any]:
    """Any valid answer to ``question``."""
    if question.type == "choice":
        return st.sampled_from(question.choice_values)
    if question.type == "multi_choice":
        plain = [c.value for c in question.choices if not c.exclusive]
        exclusive = [[c.value] for c in question.choices if c.exclusive]
        return st.one_of(st.lists(st.sampled_from(plain), unique=True), *map(st.just, exclusive))
    if question.type == "yes_no":
        return st.booleans()
    if question.type == "scale":
        return st.integers(int(question.min), int(question.max))
    if question.type == "number":
        lo = question.min if question.min is not None else -1e6
        hi = question.max if question.max is not None else 1e6
        if question.integer:
            return st.integers(int(lo), int(hi))
        return st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    return st.text(max_size=min(question.max_length, 40))


def valid_answers(questionnaire: Questionnaire) -> st.SearchStrategy[dict[str, Any]]:
    """A complete, valid answer to every question (the engine ignores those not asked)."""
    return st.fixed_dictionaries({q.id: answer_strategy(q) for q in questionnaire.questions})


#: Names of every kind, for expression tests.
NAMES: dict[str, NameInfo] = {
    "pain_now": NameInfo("question", "scale"),
    "age": NameInfo("question", "number"),
    "bladder": NameInfo("question", "choice", frozenset({"no", "unsure", "yes"})),
    "flags": NameInfo("question", "multi_choice", frozenset({"fever", "trauma", "weight_loss"})),
    "night_pain": NameInfo("question", "yes_no"),
    "notes": NameInfo("question", "text"),
    "odi": NameInfo("score"),
    "sbst": NameInfo("score"),
}


# -- the interview, scripted -------------------------------------------------------


class Scripted:
    """A fake prompter: answers each prompt from a script and records what was asked."""

    def key_help(self, types: frozenset[str]) -> str:
        self.types = types
        return "KEYS-HELP"

    def __init__(self, *script: Any) -> None:
        self.script = list(script)
        self.asked: list[tuple[str, Any, str]] = []  # (question id or "menu", default, progress or message)
        self.shown: list[tuple[str, str]] = []
        self.menus: list[Sequence[tuple[str, str]]] = []

    def _next(self, what: str) -> Any:
        assert self.script, f"unexpected prompt: {what}"
        item = self.script.pop(0)
        if isinstance(item, BaseException) or (isinstance(item, type) and issubclass(item, BaseException)):
            raise item
        return item

    def show(self, kind: str, text: str) -> None:
        self.shown.append((kind, text))

    def ask(self, question: Question, default: Any, progress: str) -> Any:
        self.asked.append((question.id, default, progress))
        return self._next(question.id)

    def menu(self, message: str, options: Sequence[tuple[str, str]], default: str) -> str:
        self.asked.append(("menu", default, message))
        self.menus.append(options)
        return self._next(message)

    def confirm(self, message: str, default: bool) -> bool:
        self.asked.append(("confirm", default, message))
        return self._next(message)

    def text(self, message: str, default: str = "") -> str:
        self.asked.append(("text", default, message))
        return self._next(message)

    @property
    def ids(self) -> list[str]:
        return [qid for qid, _, _ in self.asked]

    def kinds(self, kind: str) -> list[str]:
        return [text for k, text in self.shown if k == kind]


DOWN, ENTER = "\x1b[B", "\r"


def keys_for(question: Question, value: Any) -> list[str]:
    """The fewest keys that give ``value`` to ``question`` (one list item per key press)."""
    if question.type == "choice":
        index = question.choice_values.index(value)
        return [str(index + 1)] if index < 9 else [DOWN] * index + [ENTER]
    if question.type == "multi_choice":
        return [str(question.choice_values.index(v) + 1) for v in value] + [ENTER]
    if question.type == "yes_no":
        return ["y" if value else "n"]
    if question.type == "scale":
        if value == 1 and (question.max or 0) >= 10:
            return ["1", ENTER]  # in a terminal a lone "1" also answers after half a second
        return list(str(value))
    return [*str(value), ENTER] if value is not None else [ENTER]


def typical_steps(questionnaire, answers: dict) -> list[tuple[Question, list[str]]]:
    """Each question asked (enable-when applied, in order) with the keys that answer it."""
    from pmpt_cli.cli.interview import Interview

    walk = Interview(questionnaire, Scripted())
    steps = []
    while (question := walk.pending()) is not None:
        value = answers.get(question.id)
        steps.append((question, keys_for(question, value)))
        walk.record(question, value)
    return steps


def typical_keys(questionnaire, answers: dict) -> list[str]:
    """Keys for a whole run: every question, then Enter at the review and "n" to "save?"."""
    return [key for _, keys in typical_steps(questionnaire, answers) for key in keys] + [ENTER, "n"]


#: Someone with a few weeks of low back pain, moderate, no red flags: the commonest pmpt user.
TYPICAL_CORE = {
    "age_band": "age_25_to_50", "region": ["lower_back"], "onset": "gradual", "bladder_bowel": "no",
    "saddle_numbness": "no", "leg_weakness": "no", "cancer_history": "no", "weight_loss": "no", "fever": "no",
    "risk_factors": ["none"], "recent_injury": "none", "unremitting": "no", "aaa": "no",
    "duration": "from_4_to_12_weeks", "trend": "same", "pain_now": 5, "pain_avg": 4, "pain_worst": 7,
    "pattern": "comes_and_goes", "night_pain": "no", "pain_spreads": "no", "nerve_words": ["none"],
    "walking": "a_little", "stairs": "a_little", "bending_lifting": "some", "self_care": "none",
    "sleep": "a_little", "usual_activities": "some", "stiffness": "a_little", "stability": ["none"],
    "enjoyment": 4, "activity": 5, "fear_movement": "disagree", "worry": "disagree", "catastrophising": "disagree",
    "low_mood": "disagree", "bothersome": "moderately", "exercise_tried": "no", "medicines": ["over_counter"],
    "procedures": ["none"], "cant_exercise": "no", "pregnancy": "no",
}  # fmt: skip


def typical_core() -> Questionnaire:
    """pmpt-core (from the checkout), failing if ``TYPICAL_CORE`` no longer fits it."""
    from pmpt_cli.loader import load_questionnaire
    from pmpt_cli.validation import check_answers

    core = load_questionnaire(ROOT / "questionnaires" / "pmpt-core.toml")
    problems = check_answers(core, TYPICAL_CORE)[1]
    assert not problems, f"pmpt-core changed: update TYPICAL_CORE in tests/helpers.py ({problems[0]})"
    return core


# -- the reference evaluator -----------------------------------------------------------
# The engine runs each questionnaire's generated program (pmpt_cli.program). These are
# the plain interpreters of the same rules, written from docs/questionnaire-format.md
# and the expressions' own evaluate(): the tests hold the program to them.


def is_enabled(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether ``question`` is asked, given the answers to the questions before it.

    ``answers`` must already leave out answers to questions that are not asked, so a chain
    of conditions behaves as FHIR says: a skipped question counts as unanswered.
    """
    from pmpt_cli.enablement import condition_holds

    if question.enable_when:
        results = (condition_holds(c, answers.get(c.question)) for c in question.enable_when)
        if not (all(results) if question.enable_behavior == "all" else any(results)):
            return False
    if question.enable_if is not None:
        return bool(question.enable_if.evaluate(answers))
    return True


def active_answers(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Walk the questions in order: the answers that count, and the ids of skipped questions."""
    kept: dict[str, Any] = {}
    skipped: list[str] = []
    for question in questionnaire.questions:
        if question.is_conditional and not is_enabled(question, kept):
            skipped.append(question.id)
        elif answers.get(question.id) is not None:
            kept[question.id] = answers[question.id]
    return kept, skipped


def unanswered_required(questionnaire: Questionnaire, kept: Mapping[str, Any], skipped: Sequence[str]) -> list[str]:
    """Ids of the required questions that are asked (not ``skipped``) but not answered."""
    return [q.id for q in questionnaire.questions if q.required and q.id not in kept and q.id not in set(skipped)]


def item_value(question: Question, answer: Any) -> Any:
    """What one answered question contributes to a score (docs/questionnaire-format.md)."""
    if answer is None:
        return None
    if question.type == "choice":
        return question.choice(answer).score  # type: ignore[union-attr]
    if question.type == "multi_choice":
        return sum(question.choice(v).score or 0 for v in answer)  # type: ignore[union-attr]
    if question.type == "yes_no":
        return 1 if answer else 0
    return answer


def score_env(
    questionnaire: Questionnaire, answers: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str | None]]:
    """The scores (``ScoreResult`` by id, in file order), and the name -> value and score ->
    band maps that expressions read, computed one score at a time."""
    from pmpt_cli.model import ScoreResult
    from pmpt_cli.scoring import item_max

    env: dict[str, Any] = dict(answers)
    bands: dict[str, str | None] = {}
    results = {}
    for sid in questionnaire.score_order:
        score = questionnaire.scores_by_id[sid]
        answered = missing = 0
        if score.expression is not None:
            raw = score.expression.evaluate(env, bands)
            value = int(raw) if isinstance(raw, bool) else raw if isinstance(raw, (int, float)) else None
        else:
            values, maxima = [], []
            for item in score.items:
                question = questionnaire.question(item)
                v = env.get(item) if question is None else item_value(question, env.get(item))
                if v is None:
                    missing += 1
                    continue
                values.append(v)
                if question is not None:
                    maxima.append(item_max(question))
            answered = len(values)
            value = _aggregate(score.method, values, maxima) if values and missing <= score.max_missing else None
        env[sid] = value
        bands[sid] = score.band_for(value) if score.bands else None
        results[sid] = ScoreResult(sid, score.label, value, bands[sid], answered, missing)
    return {s.id: results[s.id] for s in questionnaire.scores}, env, bands


def _aggregate(method: str, values: list[Any], maxima: list[Any]) -> Any:
    if method == "sum":
        return sum(values)
    if method == "mean":
        return sum(values) / len(values)
    if method == "percent":
        return 100 * sum(values) / sum(maxima) if sum(maxima) else None
    if method == "max":
        return max(values)
    return sum(1 for v in values if v > 0)  # count


# -- terminals -----------------------------------------------------------------------------


def fake_env(stdin: str = "", **facts: Any) -> Environment:
    """An environment with in-memory streams (read them back from ``env.stdout.getvalue()``)."""
    import io

    from pmpt_cli.cli.environment import Environment

    stdin_stream = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")  # with .buffer, as sys.stdin
    return Environment(stdin_stream, io.StringIO(), io.StringIO(), **facts)


def pretend_terminal(monkeypatch: Any, **facts: Any) -> None:
    """Make the environment the command line builds say stdin and stderr are terminals
    (so ``pmpt triage`` may prompt), whatever the test runner's streams are."""
    from pmpt_cli.cli.environment import Environment

    real = Environment.from_system.__func__  # type: ignore[attr-defined]

    def from_system(cls: type[Environment], *, no_color: bool = False) -> Environment:
        return real(cls, no_color=no_color)._replace(stdin_isatty=True, stderr_isatty=True, **facts)

    monkeypatch.setattr(Environment, "from_system", classmethod(from_system))


# -- the hardening catalogues (issue 13, item 9) -------------------------------------------
# Each case is a bad or hostile input given to the command line. Every case must give its
# exit code, a message naming the problem and the fix, empty stdout (unless it is
# ``validate``'s report), no traceback, no ESC byte, and no file left behind.
# PMPT_CATALOGUE_SUBPROCESS=1 runs each case in a fresh ``python -m pmpt_cli`` instead of
# in-process (benchmarks/hostile.py times both).

MINI_TOML = (FIXTURES / "mini.toml").read_text()


class Case:
    """One catalogue entry: what to set up in an empty folder, what to run, what must come out."""

    def __init__(self, name: str, args: Sequence[str], code: int, problem: Sequence[str], fix: Sequence[str],
                 setup: Any = None, stdin: str | bytes | None = None, report: bool = False,
                 ) -> None:  # fmt: skip
        self.name = name  # the test id
        self.args = list(args)  # "{dir}" stands for the case's folder
        self.code = code
        self.problem = list(problem)  # each must appear in the output (case-insensitive)
        self.fix = list(fix)  # the part of the message that says how to fix it
        self.setup = setup  # {name: text or bytes}, or a function of the folder
        self.stdin = stdin
        self.report = report  # ``validate``: the report is stdout's, by design

    def __repr__(self) -> str:
        return self.name


class Outcome:
    """What a case gave: exit code and the two streams."""

    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.code, self.stdout, self.stderr = code, stdout, stderr


def prepare_case(case: Case, folder: Path) -> None:
    """Make the case's files in ``folder``."""
    if callable(case.setup):
        case.setup(folder)
        return
    for name, content in (case.setup or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def run_case(case: Case, folder: Path, runner: Any) -> Outcome:
    """Run the case from ``folder``: in-process, or (PMPT_CATALOGUE_SUBPROCESS) in a new process."""
    import os
    import subprocess
    import sys

    args = [arg.replace("{dir}", str(folder)) for arg in case.args]
    if os.environ.get("PMPT_CATALOGUE_SUBPROCESS"):
        stdin = case.stdin.encode() if isinstance(case.stdin, str) else case.stdin
        done = subprocess.run([sys.executable, "-m", "pmpt_cli", *args], input=stdin, capture_output=True,
                              cwd=folder, timeout=120, check=False,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
        return Outcome(done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace"))
    from pmpt_cli.cli.app import app

    before = os.getcwd()
    os.chdir(folder)
    try:
        result = runner.invoke(app, args, input=case.stdin)
    finally:
        os.chdir(before)
    return Outcome(result.exit_code, result.stdout, result.stderr)


def files_in(folder: Path) -> set[str]:
    """Every name under ``folder``, hidden ones too (a temporary file left behind shows)."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def check_case(case: Case, folder: Path, runner: Any) -> Outcome:
    """Run ``case`` and assert everything the catalogues promise (see above)."""
    prepare_case(case, folder)
    before = files_in(folder)
    outcome = run_case(case, folder, runner)
    everything = outcome.stdout + outcome.stderr
    message = everything.lower()
    assert outcome.code == case.code, f"exit {outcome.code}, not {case.code}: {everything[-3000:]}"
    assert "Traceback" not in everything
    assert "\x1b" not in everything and "\x9b" not in everything and "\u202e" not in everything
    if not case.report:
        assert outcome.stdout == "", outcome.stdout[:2000]
    for words in (*case.problem, *case.fix):
        assert words.lower() in message, f"{words!r} not in {everything[-3000:]}"
    assert files_in(folder) == before, files_in(folder) ^ before
    return outcome


# -- vignettes ------------------------------------------------------------------------------

#: Blind vignettes whose expectation pmpt deliberately does not follow: stem -> why.
#: Each is a strict xfail (it fails loudly once pmpt agrees) and is listed in docs/clinical-validation.md.
KNOWN_DISAGREEMENTS: dict[str, str] = {
    "under-16-blind-under16-night-knee-pain-01": (
        "pmpt says urgent: red flags win over the under-16 stop, and NICE NG12 1.11 (very urgent X-ray within 48 hours "
        "for unexplained bone pain in children and young people) applies at 14; the case's own rationale asks that the "
        "GP see him promptly, which 'urgent' (today or tomorrow) does"
    ),
    "pain-management-blind-pm-sciatica-acute-severe-01": (
        "pmpt says both (listed acceptable): average pain 8 with severe disability (off work, walks 10 minutes) is "
        "section 19's 'severe pain with severe disability: both, pain management first'; the epidural comes first either way"
    ),
    "physical-therapy-blind-pt-trap-old-lymphoma-mechanical-knee-01": (
        "pmpt says self-care (listed acceptable): 5 weeks of mild (3/10), improving, load-related knee pain with minimal "
        "limitation and low risk meets NICE NG59's low-risk self-management profile; a remote cancer history does not "
        "change a non-spinal mechanical pain"
    ),
}
# -- FHIR: checks beyond what the R4B models check ------------------------------------

#: FHIR item type -> the answer[x] / answerX kinds that fit it.
FHIR_VALUE_KINDS = {
    "boolean": {"Boolean"}, "decimal": {"Decimal", "Integer"}, "integer": {"Integer"}, "date": {"Date"},
    "dateTime": {"DateTime"}, "time": {"Time"}, "string": {"String"}, "text": {"String"}, "url": {"Uri"},
    "choice": {"Coding", "String", "Integer", "Date", "Time"}, "open-choice": {"Coding", "String"},
    "quantity": {"Quantity"},
}  # fmt: skip


def validate_r4b(resource: dict) -> Any:
    """Parse ``resource`` with the fhir.resources R4B model of its type (raises on any violation)."""
    import importlib

    kind = resource["resourceType"]
    module = importlib.import_module(f"fhir.resources.R4B.{kind.lower()}")
    return getattr(module, kind).model_validate(resource)


def fhir_items(items: list, parent: str = "") -> dict[str, dict]:
    """Every item of a Questionnaire or QuestionnaireResponse by linkId, nested ones too."""
    found: dict[str, dict] = {}
    for item in items or []:
        found.setdefault(item["linkId"], item)
        found.update(fhir_items(item.get("item", []), item["linkId"]))
        for answer in item.get("answer", []):
            found.update(fhir_items(answer.get("item", []), item["linkId"]))
    return found


def _value(entry: dict, prefix: str) -> tuple[str, Any] | None:
    keys = [k for k in entry if k.startswith(prefix) and k[len(prefix) :][:1].isupper()]
    return (keys[0][len(prefix) :], entry[keys[0]]) if len(keys) == 1 else None


def _among_options(item: dict, kind: str, value: Any) -> bool:
    options = [_value(o, "value") for o in item.get("answerOption", [])]
    if not options:
        return True  # a value set, or no options
    for option_kind, option in options:
        if option_kind != kind:
            continue
        if kind == "Coding":
            if option.get("code") == value.get("code") and (
                not value.get("system") or not option.get("system") or option["system"] == value["system"]
            ):
                return True
        elif option == value:
            return True
    return False


def questionnaire_problems(resource: dict) -> list[str]:
    """What the R4B models do not check: unique linkIds, enableWhen targets that exist and
    answers of the right type among the options, enableBehavior where needed."""
    problems: list[str] = []
    seen: set[str] = set()

    def walk(items: list) -> None:
        for item in items or []:
            if item["linkId"] in seen:
                problems.append(f"duplicate linkId {item['linkId']}")
            seen.add(item["linkId"])
            walk(item.get("item", []))

    walk(resource.get("item", []))
    by_link = fhir_items(resource.get("item", []))
    for link, item in by_link.items():
        conditions = item.get("enableWhen", [])
        if len(conditions) > 1 and "enableBehavior" not in item:
            problems.append(f"{link}: several enableWhen without enableBehavior")
        for condition in conditions:
            target = by_link.get(condition["question"])
            if target is None or target["type"] in ("group", "display"):
                problems.append(f"{link}: enableWhen names {condition['question']!r}, not a question")
                continue
            kind, value = _value(condition, "answer") or ("?", None)
            if condition["operator"] == "exists":
                if kind != "Boolean":
                    problems.append(f"{link}: exists needs answerBoolean")
                continue
            if kind not in FHIR_VALUE_KINDS.get(target["type"], set()):
                problems.append(f"{link}: answer{kind} does not fit {target['type']} item {condition['question']}")
            elif not _among_options(target, kind, value):
                problems.append(f"{link}: answer {value!r} is not an option of {condition['question']}")
        for option in item.get("answerOption", []):
            if _value(option, "value") is None:
                problems.append(f"{link}: an answerOption without exactly one value[x]")
    return problems


def response_problems(response: dict, questionnaire: dict) -> list[str]:
    """A QuestionnaireResponse against its Questionnaire: known linkIds nested as in the form,
    answers of the right type and among the options, single answers unless the item repeats."""
    problems: list[str] = []

    def walk(items: list, definitions: list) -> None:
        by_link = {d["linkId"]: d for d in definitions or []}
        for item in items or []:
            definition = by_link.get(item["linkId"])
            if definition is None:
                problems.append(f"{item['linkId']}: not an item at this level of the questionnaire")
                continue
            answers = item.get("answer", [])
            if definition["type"] in ("group", "display") and answers:
                problems.append(f"{item['linkId']}: a {definition['type']} has no answers")
            if len(answers) > 1 and not definition.get("repeats"):
                problems.append(f"{item['linkId']}: several answers to an item that does not repeat")
            for answer in answers:
                kind, value = _value(answer, "value") or ("?", None)
                if kind not in FHIR_VALUE_KINDS.get(definition["type"], set()):
                    problems.append(f"{item['linkId']}: value{kind} does not fit a {definition['type']} item")
                elif not _among_options(definition, kind, value):
                    problems.append(f"{item['linkId']}: {value!r} is not an option")
                walk(answer.get("item", []), definition.get("item", []))
            walk(item.get("item", []), definition.get("item", []))

    walk(response.get("item", []), questionnaire.get("item", []))
    return problems


#: Seconds a real-terminal test waits for something to appear before it fails.
SCREEN_TIMEOUT = 20


class Screen:
    """A pmpt process in a pty of ``cols`` x ``rows``, and the screen it draws."""

    def __init__(self, tmp_path: Path, args: list[str], cols: int, rows: int, *, command: list[str] | None = None,
                 env: dict[str, str] | None = None):  # fmt: skip
        import os
        import sys

        import pexpect
        import pyte

        env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), **(env or {}), "TERM": "xterm-256color",
               "PYTHONPATH": str(ROOT), "PROMPT_TOOLKIT_NO_CPR": "1", "COLUMNS": str(cols), "LINES": str(rows)}  # fmt: skip
        env.pop("NO_COLOR", None)
        command = command or [sys.executable, "-m", "pmpt_cli", *args]
        self.child = pexpect.spawn(command[0], command[1:], cwd=tmp_path, env=env, encoding="utf-8",
                                   timeout=SCREEN_TIMEOUT, dimensions=(rows, cols))  # fmt: skip
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.Stream(self.screen)
        self.closed = False
        self._pexpect = pexpect

    def pump(self) -> None:
        try:
            self.stream.feed(self.child.read_nonblocking(65536, timeout=0.2))
        except self._pexpect.TIMEOUT:
            pass
        except self._pexpect.EOF:
            self.closed = True

    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    @property
    def flat(self) -> str:
        """The screen as one line: wrapped labels read as they were written."""
        return " ".join(" ".join(self.lines).split())

    @property
    def words(self) -> str:
        """``flat`` without the borders of panels: text wrapped inside a box reads on."""
        return " ".join(" ".join(line.strip("│ ") for line in self.lines).split())

    def wait(self, predicate, what: str) -> None:
        """Read the output until ``predicate(self)`` holds (or fail after SCREEN_TIMEOUT seconds)."""
        import time

        end = time.monotonic() + SCREEN_TIMEOUT
        while not predicate(self):
            if self.closed or time.monotonic() > end:
                raise AssertionError(f"never on screen: {what}\n" + "\n".join(self.lines))
            self.pump()

    def wait_for(self, text: str) -> None:
        words = " ".join(text.split())
        self.wait(lambda s: words in s.flat, text)

    def pointer_on(self, text: str) -> bool:
        start = text.split()[0:3]
        return any("❯" in line and " ".join(start) in " ".join(line.split()) for line in self.lines)

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def finish(self) -> int | None:
        self.wait(lambda s: s.closed, "the end")
        self.child.close()
        return self.child.exitstatus
