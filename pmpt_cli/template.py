"""The ready-to-fill answers file: every question as a commented TOML entry.

``template_toml`` is for people (uncomment a line, put the answer after ``=``);
``template_data`` is the same information as plain data for ``--json``. Both
say, per question, its type, the values it takes and when it is asked.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pmpt_cli.model import EnableWhen, Question, Questionnaire

TEMPLATE_SCHEMA = 1

TYPE_WORDS = {
    "choice": "choice",
    "multi_choice": "multiple choice",
    "yes_no": "yes/no",
    "scale": "scale",
    "number": "number",
    "text": "text",
    "date": "date",
    "time": "time",
}


def toml_value(value: Any) -> str:
    """A TOML literal for an answer value (strings, booleans, numbers, lists of strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be written as an answer")
        return repr(value)
    if isinstance(value, str):
        # JSON string escapes (\", \\, \n, \uXXXX) are valid in TOML basic strings; JSON leaves
        # DEL (U+007F) raw, which TOML forbids.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as an answer")


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def condition_text(questionnaire: Questionnaire, condition: EnableWhen) -> str:
    target = questionnaire.question(condition.question)
    qid, op, answer = condition.question, condition.operator, condition.answer
    if op == "exists":
        return f"{qid} is answered" if answer else f"{qid} is not answered"
    if target is not None and target.type in ("choice", "multi_choice"):
        choice = target.choice(answer)
        shown = f'"{answer}"' + (f" ({choice.label})" if choice else "")
        if target.type == "multi_choice":
            return f"{qid} includes {shown}" if op == "=" else f"{qid} is answered and does not include {shown}"
        return f"{qid} is {shown}" if op == "=" else f"{qid} is answered and is not {shown}"
    if target is not None and target.type == "yes_no":
        word = "yes" if answer else "no"
        return f"{qid} is {word}" if op == "=" else f"{qid} is answered and is not {word}"
    shown = toml_value(answer) if not isinstance(answer, (int, float)) else _num(answer)
    if op == "=":
        return f"{qid} is {shown}"
    if op == "!=":
        return f"{qid} is answered and is not {shown}"
    return f"{qid} {op} {shown}"


def applies_when(questionnaire: Questionnaire, question: Question) -> str | None:
    """When the question is asked, in words, or ``None`` when it is always asked."""
    parts: list[str] = []
    if question.enable_when:
        joiner = " and " if question.enable_behavior == "all" else " or "
        text = joiner.join(condition_text(questionnaire, c) for c in question.enable_when)
        if len(question.enable_when) > 1 and question.enable_behavior == "any" and question.enable_if is not None:
            text = f"({text})"
        parts.append(text)
    if question.enable_if is not None:
        parts.append(" ".join(question.enable_if.source.split()))
    return " and ".join(parts) if parts else None


def allowed_values(question: Question) -> str:
    """What the question takes, in words, e.g. 'one of: "no" = No | "yes" = Yes'."""
    qtype = question.type
    if qtype in ("choice", "multi_choice"):
        options = " | ".join(f'"{c.value}" = {c.label}' for c in question.choices)
        exclusive = [c.value for c in question.choices if c.exclusive]
        if qtype == "choice":
            return f"one of: {options}"
        note = (
            f'; "{exclusive[0]}" cannot be combined with others'
            if len(exclusive) == 1
            else (f"; {', '.join(exclusive)} cannot be combined with others" if exclusive else "")
        )
        return f"a list of any of: {options} ([] for none{note})"
    if qtype == "yes_no":
        return "true (yes) or false (no)"
    if qtype == "scale":
        low = f"{_num(question.min)}" + (f" ({question.min_label})" if question.min_label else "")
        high = f"{_num(question.max)}" + (f" ({question.max_label})" if question.max_label else "")
        return f"a whole number from {low} to {high}"
    if qtype == "number":
        kind = "a whole number" if question.integer else "a number"
        bounds = question.range_text
        if bounds:
            bounds = (" " if bounds.startswith("from") else ", ") + bounds
        unit = f", in {question.unit}" if question.unit else ""
        return f"{kind}{bounds}{unit}"
    if qtype == "date":
        return 'a date in quotes, "YYYY-MM-DD"'
    if qtype == "time":
        return 'a time of day in quotes, "HH:MM" or "HH:MM:SS"'
    return f"text in quotes, at most {question.max_length} characters"


def example_value(question: Question) -> Any:
    """A value of the right type to show the shape of an answer (never a suggestion)."""
    qtype = question.type
    if qtype == "choice":
        return question.choices[0].value
    if qtype == "multi_choice":
        first = next((c.value for c in question.choices if not c.exclusive), question.choices[0].value)
        return [first]
    if qtype == "yes_no":
        return False
    if qtype in ("scale", "number"):
        low, high = (b if b is not None and math.isfinite(b) else None for b in (question.min, question.max))
        if low is not None:
            value = low
        elif high is not None and high < 0:
            value = high
        else:
            value = 0
        return int(value) if question.integer or float(value).is_integer() else value
    if qtype == "date":
        return "1970-01-31"
    if qtype == "time":
        return "14:30:00"
    return ""


def _comment(text: str, width: int = 88, *, wrap: bool = True) -> list[str]:
    """``text`` as TOML comment lines: every line of it, however it breaks, starts with
    ``#``, so no text from a questionnaire can become an answer line; what TOML forbids
    in a comment (and a terminal would obey) is shown escaped."""
    import textwrap

    from pmpt_cli.messages import safe_text

    lines: list[str] = []
    for line in text.splitlines() or [""]:  # every line break Python knows, a superset of TOML's
        line = safe_text(line).replace("\t", " ")
        lines += (
            textwrap.wrap(line, width - 2, subsequent_indent="  ", break_on_hyphens=False) if wrap else [line]
        ) or [""]
    return [f"# {line}".rstrip() for line in lines]


def template_toml(questionnaire: Questionnaire) -> str:
    """The answers file to fill in: valid TOML as it stands, every answer commented out."""
    q = questionnaire
    lines = [
        *_comment(f'pmpt answers file for "{q.title}" ({q.id}, version {q.version}).'),
        "#",
        '# To answer a question, delete the "# " in front of its line and put the answer',
        '# after "=". Leave a line commented out to leave that question unanswered.',
        "# Then run:  pmpt triage --answers THIS_FILE",
        "#",
        '# Answers by type: choice = one value in quotes ("yes"); multiple choice = a list',
        '# (["a", "b"], or [] for none); yes/no = true or false; scale and number = a',
        '# number; text = text in quotes. The value after "=" below only shows the shape.',
        "",
        f"questionnaire = {toml_value(q.id)}",
        "",
        "[answers]",
    ]
    sections = {s.id: s for s in q.sections}
    current = None
    for question in q.questions:
        if question.section != current:
            current = question.section
            section = sections.get(current)
            lines += ["", *_comment(f"== {section.title if section else current} ==")]
        lines.append("")
        lines += _comment(question.text)
        if question.help:
            lines += _comment(f"({question.help})")
        need = "required" if question.required else "optional"
        lines += _comment(f"{TYPE_WORDS[question.type]}, {need}; {allowed_values(question)}")
        condition = applies_when(q, question)
        if condition:
            lines += _comment(f"Asked only when {condition}; otherwise leave it out (an answer would be ignored).")
        lines += _comment(f"{question.id} = {toml_value(example_value(question))}", wrap=False)
    return "\n".join(lines) + "\n"


def question_data(questionnaire: Questionnaire, question: Question) -> dict[str, Any]:
    """One question for ``pmpt answers template --json``."""
    data: dict[str, Any] = {
        "id": question.id,
        "section": question.section,
        "type": question.type,
        "text": question.text,
        "help": question.help,
        "required": question.required,
        "allowed": allowed_values(question),
    }
    if question.choices:
        data["choices"] = [
            {"value": c.value, "label": c.label, **({"exclusive": True} if c.exclusive else {})}
            for c in question.choices
        ]
    if question.type in ("scale", "number"):
        data.update(min=question.min, max=question.max, integer=question.integer)
        if question.unit:
            data["unit"] = question.unit
    if question.type == "text":
        data["max_length"] = question.max_length
    data["applies_when"] = applies_when(questionnaire, question)
    data["enable_when"] = [
        {"question": c.question, "operator": c.operator, "answer": c.answer} for c in question.enable_when
    ]
    data["enable_behavior"] = question.enable_behavior
    data["enable_if"] = question.enable_if.source if question.enable_if is not None else None
    data["example"] = example_value(question)
    return data


def template_data(questionnaire: Questionnaire) -> dict[str, Any]:
    """The template as data: the questionnaire and every question, in the order asked."""
    q = questionnaire
    return {
        "schema": TEMPLATE_SCHEMA,
        "questionnaire": {"id": q.id, "title": q.title, "version": q.version, "sha256": q.sha256},
        "answers_file": {"questionnaire": q.id, "answers": {}},
        "questions": [question_data(q, question) for question in q.questions],
    }
