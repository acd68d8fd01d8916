"""What several test modules share: paths, and helpers that only tests use.

Test modules import from here (``tests`` is on ``pythonpath``), never from each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from pmpt_cli.expr.expressions import NameInfo

if TYPE_CHECKING:
    from pmpt_cli.model import Question, Questionnaire

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"
#: The unaltered HL7 SDC examples the team shares (see their README).
SDC_FIXTURES = ROOT.parent / "shared" / "fixtures" / "fhir"

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

    key_help = "KEYS-HELP"

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
    "age_band": "age_20_to_50", "region": ["lower_back"], "onset": "gradual", "bladder_bowel": "no",
    "saddle_numbness": "no", "leg_weakness": "no", "cancer_history": "no", "weight_loss": "no", "fever": "no",
    "risk_factors": ["none"], "recent_injury": "none", "unremitting": "no", "aaa": "no",
    "duration": "from_4_to_12_weeks", "trend": "same", "pain_now": 5, "pain_avg": 4, "pain_worst": 7,
    "pattern": "comes_and_goes", "night_pain": "no", "pain_spreads": "no", "nerve_words": ["none"],
    "walking": "a_little", "stairs": "a_little", "bending_lifting": "some", "self_care": "none",
    "sleep": "a_little", "usual_activities": "some", "stiffness": "a_little", "stability": ["none"],
    "enjoyment": 4, "activity": 5, "fear_movement": "disagree", "worry": "disagree", "catastrophising": "disagree",
    "low_mood": "disagree", "bothersome": "moderately", "exercise_tried": "no", "medicines": ["over_counter"],
    "procedures": ["none"], "cant_exercise": "no",
}  # fmt: skip


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
