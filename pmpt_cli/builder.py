"""Strictly validate a parsed questionnaire document (format version 1) and build it.

Every problem is collected with its location before anything is raised, so an author
fixes a file in one pass. See docs/questionnaire-format.md. The loader calls this only
when its cache has no entry for the file (cache.py).
"""

from __future__ import annotations

import math
import re
from typing import Any

from pmpt_cli.errors import ExpressionError, Problem, QuestionnaireError
from pmpt_cli.expr.checker import MAX_TOTAL_NODES, check, part_count, without_comments
from pmpt_cli.expr.expressions import CompiledExpression, expression_from_tree
from pmpt_cli.expr.names import NameInfo
from pmpt_cli.messages import MAX_LISTED, UNSAFE, quote, safe_text, suggest
from pmpt_cli.model import (
    ENABLE_OPERATORS,
    MAX_NUMBER_ANSWER,
    MAX_SCALE_POINTS,
    NEEDS,
    OUTCOMES,
    QUESTION_TYPES,
    SCORE_METHODS,
    TEXT_TYPES,
    Advice,
    Band,
    Check,
    Choice,
    Default,
    EnableWhen,
    Note,
    OutcomeText,
    Question,
    Questionnaire,
    Rule,
    Score,
    Section,
    Source,
)
from pmpt_cli.outcome_texts import DEFAULT_OUTCOME_TEXTS
from pmpt_cli.program import compile_program
from pmpt_cli.validation import AnswerInvalid, iso_date, iso_time

FORMAT_VERSION = 1
# Matched with fullmatch: "$" would also accept a trailing newline.
SNAKE_ID = re.compile(r"[a-z][a-z0-9_]*")
QUESTIONNAIRE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")

TOP_KEYS = {
    "format", "id", "title", "version", "language", "licence", "description", "minutes",
    "sources", "sections", "questions", "scores", "rules", "default", "notes", "outcomes", "fhir", "checks",
}  # fmt: skip
SECTION_KEYS = {"id", "title", "intro", "parent", "enable_when", "enable_behavior"}
QUESTION_KEYS = {
    "id", "section", "type", "text", "help", "required", "choices", "min", "max", "min_label",
    "max_label", "integer", "unit", "max_length", "enable_when", "enable_behavior", "enable_if",
}  # fmt: skip
CHOICE_KEYS = {"value", "label", "help", "score", "exclusive"}
SCORE_KEYS = {
    "id", "label", "method", "items", "max_missing", "expression", "bands", "source",
    "description", "mcid", "internal", "need", "better",
}  # fmt: skip
BETTER = ("lower", "higher")
#: The [fhir] table (docs/fhir.md): what a FHIR export needs and pmpt itself does not use.
FHIR_KEYS = {"url", "name", "status", "questions", "sections", "scores", "calculated"}
FHIR_STATUSES = ("draft", "active", "retired", "unknown")
FHIR_ITEM_KEYS = {
    "questions": {"link_id", "type", "code", "system", "systems", "codes", "option_type", "read_only", "initial"},
    "sections": {"link_id", "code", "group"},
    "scores": {"link_id", "type", "code", "section", "unit"},
    # calculated items pmpt cannot compute, kept verbatim so an export writes them back
    "calculated": {"link_id", "text", "type", "expression", "variables", "section", "code"},
}
FHIR_OPTION_TYPES = ("coding", "string", "integer", "date", "time")
RULE_KEYS = {"id", "outcome", "when", "priority", "explanation", "source"}
NOTE_KEYS = {"id", "when", "text", "source", "watch_for"}
CHECK_KEYS = {"id", "question", "operator", "other", "message"}
CHECK_OPERATORS = ("=", "!=", ">", "<", ">=", "<=")
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
OUTCOME_KEYS = {"headline", "care", "steps", "next"}


def build_questionnaire(raw: dict[str, Any], *, sha256: str = "", origin: str = "<memory>") -> Questionnaire:
    """Validate a parsed TOML document and build the ``Questionnaire``, with its program."""
    builder = _Builder(raw)
    questionnaire = builder.build(sha256=sha256, origin=origin)
    if builder.problems or questionnaire is None:
        count = len(builder.problems)
        raise QuestionnaireError(
            f"{origin}: {count} problem{'s' if count != 1 else ''} found; fix them and try again.",
            problems=builder.problems,
        )
    return questionnaire


class _Builder:
    """Walks the raw document once, building objects and recording problems."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.parts: dict[str, Any] = {}  # source -> checked tree, for the program
        self.problems: list[Problem] = []
        self.nodes = 0  # parts of the expressions checked so far (MAX_TOTAL_NODES)
        self.names: dict[str, NameInfo] = {}
        self.questions: dict[str, Question] = {}  # built so far, in order: enable-when looks back only
        raw_questions = raw.get("questions")
        self.raw_questions: dict[str, dict[str, Any]] = {
            q["id"]: q for q in raw_questions if isinstance(q, dict) and isinstance(q.get("id"), str)
        } if isinstance(raw_questions, list) else {}  # fmt: skip

    # -- small typed getters -------------------------------------------------

    def problem(self, location: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(location, message, hint))

    def suggest(self, word: str, candidates: Any) -> str:
        """``messages.suggest``, for the first problems only: a file of a million unknown keys
        must not take minutes (a person reads the first ``MAX_LISTED`` anyway)."""
        return suggest(word, candidates) if len(self.problems) < MAX_LISTED else ""

    def check_keys(self, table: dict[str, Any], allowed: set[str], loc: str) -> None:
        for key in table:
            if key not in allowed:
                self.problem(
                    f"{loc}.{key}" if loc else key,
                    f"unknown key {quote(key)}{self.suggest(key, allowed)}",
                    "remove it, or correct its spelling (docs/questionnaire-format.md lists the keys)",
                )

    def get(self, table: dict[str, Any], key: str, kind: type | tuple[type, ...], loc: str,
            *, required: bool = True, default: Any = None) -> Any:  # fmt: skip
        if key not in table:
            if required:
                self.problem(f"{loc}.{key}" if loc else key, "is required")
            return default
        value = table[key]
        if value.__class__ is kind and (kind is not str or not required or (isinstance(value, str) and value.strip())):
            return value  # the usual case, exactly the type asked for: no checks left to make
        where = f"{loc}.{key}" if loc else key
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python; never accept true/false where a number is meant.
        if isinstance(value, bool) and bool not in kinds:
            ok = False
        else:
            ok = isinstance(value, kinds)
        if not ok:
            names = " or ".join(_type_name(k) for k in kinds)
            self.problem(where, f"must be {names}, not {_type_name(type(value))}")
            return default
        if isinstance(value, str) and required and not value.strip():
            self.problem(where, "must not be empty")
            return default
        return value

    def get_text(self, table: dict[str, Any], key: str, loc: str, *, required: bool = True) -> str:
        return self.get(table, key, str, loc, required=required, default="") or ""

    def get_tables(self, key: str, *, required: bool = True) -> list[tuple[str, dict[str, Any]]]:
        value = self.get(self.raw, key, list, "", required=required, default=[])
        tables = []
        for i, item in enumerate(value or []):
            if isinstance(item, dict):
                tables.append((f"{key}[{i}]", item))
            else:
                self.problem(f"{key}[{i}]", f"must be a table, not {_type_name(type(item))}")
        return tables

    def get_id(self, table: dict[str, Any], loc: str, seen: set[str], what: str) -> str:
        ident = self.get_text(table, "id", loc)
        if ident and not SNAKE_ID.fullmatch(ident):
            self.problem(f"{loc}.id", f"{quote(ident)} is not a valid {what} id",
                         "use lowercase letters, digits and _, starting with a letter")  # fmt: skip
        elif ident in seen:
            self.problem(f"{loc}.id", f"duplicate id {quote(ident)}", "give each one an id of its own")
        if ident:
            seen.add(ident)
        return ident

    def compile(self, source: Any, loc: str) -> CompiledExpression | None:
        if not isinstance(source, str):
            self.problem(loc, f"must be an expression string, not {_type_name(type(source))}")
            return None
        if self.nodes > MAX_TOTAL_NODES:
            return None  # said once, below; checking the rest would be unbounded work
        try:
            part, referenced = check(source, self.names)
        except ExpressionError as exc:
            self.problem(loc, exc.message, "the expression language is in docs/questionnaire-format.md, 'Expressions'")
            return None
        self.nodes += part_count(part)
        if self.nodes > MAX_TOTAL_NODES:
            self.problem(loc, f"the expressions up to here have more than {MAX_TOTAL_NODES:,} parts together, "
                         "more than pmpt will check", "simplify the conditions (a named score can hold a part "
                         "that several rules share), or split the questionnaire")  # fmt: skip
            return None
        shown = without_comments(source)  # what show, validate and the template display
        self.parts[shown] = part
        return expression_from_tree(shown, part, referenced)

    def check_values(self, raw: dict[str, Any]) -> None:
        """Every value and key in the file, walked once (iteratively: no depth exhausts the stack).

        No number may be nan: TOML allows it, but no threshold or score can be one. No text
        may hold a control character (but newline and tab), DEL or a bidirectional override:
        questionnaire text reaches terminals, and one ``ESC[2K`` hid half a rule from the
        very command a clinic uses to vet a questionnaire (messages.UNSAFE).
        """
        stack: list[tuple[Any, str]] = [(raw, "")]
        while stack:
            value, where = stack.pop()
            if value.__class__ is float:
                if value != value:
                    self.problem(where, "is nan (not a number)", "write a number; inf and -inf are allowed")
            elif isinstance(value, str):
                self.check_text(where, value)
            elif isinstance(value, dict):
                for key, item in reversed(value.items()):
                    here = f"{where}.{key}" if where else key
                    self.check_text(here, key, what="key")
                    stack.append((item, here))
            elif isinstance(value, list):
                stack.extend((item, f"{where}[{index}]") for index, item in reversed(list(enumerate(value))))

    def check_text(self, where: str, text: str, *, what: str = "text") -> None:
        found = UNSAFE.search(text)
        if found is not None:
            shown = safe_text(found.group())
            self.problem(where if what == "text" else f"{where} (the key)",
                         f"the {what} holds the control character {shown} at position {found.start() + 1}",
                         "remove it: questionnaire text may hold newlines and tabs, but no other control "
                         "characters, escape sequences or direction overrides")  # fmt: skip

    # -- the document --------------------------------------------------------

    def build(self, *, sha256: str, origin: str) -> Questionnaire | None:
        raw = self.raw
        self.check_values(raw)
        self.check_keys(raw, TOP_KEYS, "")
        fmt = self.get(raw, "format", int, "")
        if fmt is not None and fmt != FORMAT_VERSION:
            self.problem("format", f"format {fmt} is not supported", f"this pmpt reads format {FORMAT_VERSION}")
        qid = self.get_text(raw, "id", "")
        if qid and not QUESTIONNAIRE_ID.fullmatch(qid):
            self.problem("id", f"{quote(qid)} is not a valid questionnaire id", "use lowercase letters, digits and -")
        title = self.get_text(raw, "title", "")
        version = self.get_text(raw, "version", "")
        language = self.get_text(raw, "language", "")
        licence = self.get_text(raw, "licence", "")
        description = self.get_text(raw, "description", "", required=False)
        minutes = self.get(raw, "minutes", int, "", required=False)

        sources = self.build_sources()
        sections = self.build_sections()
        questions = self.build_questions({s.id for s in sections})
        sections = self.build_section_conditions(sections)
        score_tables = self.get_tables("scores", required=False)
        score_ids = self.declare_scores(score_tables)
        scores = self.build_scores(score_tables, score_ids)
        score_order = self.order_scores(scores, score_ids)
        rules = self.build_rules()
        notes = self.build_notes()
        checks = self.build_checks()
        default = self.build_default()
        outcome_texts = self.build_outcome_texts()
        fhir = self.build_fhir(sections, questions, scores)

        if self.problems:
            return None
        questionnaire = Questionnaire(
            id=qid, title=title, version=version, language=language, licence=licence,
            sha256=sha256, sections=sections, questions=questions, scores=scores, rules=rules,
            default=default, description=description, minutes=minutes, sources=sources,
            notes=notes, outcome_texts=outcome_texts, fhir=fhir, path=origin, score_order=score_order,
            checks=checks,
        )  # fmt: skip
        from pmpt_cli.expr.codegen import MAX_PROGRAM_CHARS, ProgramTooLarge

        try:
            return questionnaire._replace(program=compile_program(questionnaire, self.parts))
        except ProgramTooLarge as exc:
            self.problem("rules", f"the conditions and scores together make a program of {exc.args[0]:,} "
                         f"characters, more than the {MAX_PROGRAM_CHARS:,} pmpt will run",
                         "simplify the conditions (a named score can hold a part that several rules share), "
                         "or split the questionnaire")  # fmt: skip
            return None

    def build_sources(self) -> tuple[Source, ...]:
        sources = []
        for loc, table in self.get_tables("sources"):
            self.check_keys(table, {"id", "citation", "url"}, loc)
            sources.append(Source(
                id=self.get_text(table, "id", loc),
                citation=self.get_text(table, "citation", loc),
                url=self.get_text(table, "url", loc, required=False),
            ))  # fmt: skip
        return tuple(sources)

    def build_sections(self) -> tuple[Section, ...]:
        """The sections; their conditions come later (``section_gate``), when the questions before exist."""
        seen: set[str] = set()
        sections = []
        self.section_tables: dict[str, tuple[str, dict[str, Any]]] = {}
        self.section_parents: dict[str, str] = {}
        for loc, table in self.get_tables("sections"):
            self.check_keys(table, SECTION_KEYS, loc)
            sid = self.get_id(table, loc, seen, "section")
            parent = self.get_text(table, "parent", loc, required=False)
            if parent and parent not in self.section_parents:
                where = "is listed later" if parent in {t.get("id") for _, t in self.get_tables("sections")} else ""
                self.problem(f"{loc}.parent", f"'{parent}' {where or 'is not a section'}"
                             f"{'' if where else suggest(parent, self.section_parents)}",
                             "a section's parent is a section listed before it")  # fmt: skip
                parent = ""
            behavior = self.get_text(table, "enable_behavior", loc, required=False) or "all"
            if behavior not in ("all", "any"):
                self.problem(f"{loc}.enable_behavior", f"must be 'all' or 'any', not '{behavior}'")
            if sid:
                self.section_parents[sid] = parent
                self.section_tables[sid] = (loc, table)
            sections.append(Section(
                id=sid, title=self.get_text(table, "title", loc),
                intro=self.get_text(table, "intro", loc, required=False), parent=parent, enable_behavior=behavior,
            ))  # fmt: skip
        if not sections and "sections" in self.raw:
            self.problem("sections", "needs at least one section")
        self.section_gates: dict[str, tuple[tuple[EnableWhen, ...], str | None]] = {}
        return tuple(sections)

    def section_gate(self, sid: str) -> str | None:
        """The expression for a section's conditions and its parents', or ``None`` when it has none.

        Built when its first question is met, so a condition can name only questions asked
        before the section (as a question's can name only those before it).
        """
        if sid not in self.section_gates:
            loc, table = self.section_tables[sid]
            conditions = self.build_enable_when(table, loc) if "enable_when" in table else ()
            behavior = table.get("enable_behavior") if table.get("enable_behavior") in ("all", "any") else "all"
            terms = [f"({condition_source(self.questions[c.question], c)})" for c in conditions]
            own = (" and " if behavior == "all" else " or ").join(terms) or None
            parent = self.section_parents.get(sid)
            above = self.section_gate(parent) if parent else None
            gate = f"({above}) and ({own})" if above and own else above or own
            self.section_gates[sid] = (conditions, gate)
        return self.section_gates[sid][1]

    def build_section_conditions(self, sections: tuple[Section, ...]) -> tuple[Section, ...]:
        """The sections with their conditions (checked now for a section no question is in)."""
        for section in sections:
            if section.id in self.section_tables:
                self.section_gate(section.id)
        return tuple(
            s._replace(enable_when=self.section_gates[s.id][0]) if s.id in self.section_gates else s for s in sections
        )

    def build_questions(self, section_ids: set[str]) -> tuple[Question, ...]:
        seen: set[str] = set()
        questions: list[Question] = []
        for loc, table in self.get_tables("questions"):
            question = self.build_question(loc, table, seen, section_ids)
            if question is not None:
                questions.append(question)
                self.questions[question.id] = question
                self.names[question.id] = NameInfo.of_question(question)
        if not questions and not self.problems:
            self.problem("questions", "needs at least one question")
        return tuple(questions)

    def build_question(self, loc: str, t: dict[str, Any], seen: set[str], section_ids: set[str]) -> Question | None:
        self.check_keys(t, QUESTION_KEYS, loc)
        before = len(self.problems)
        qid = self.get_id(t, loc, seen, "question")
        section = self.get_text(t, "section", loc)
        if section and section not in section_ids:
            self.problem(f"{loc}.section", f"unknown section {quote(section)}{self.suggest(section, section_ids)}")
        qtype = self.get_text(t, "type", loc)
        if qtype and qtype not in QUESTION_TYPES:
            self.problem(f"{loc}.type", f"unknown type {quote(qtype)}{self.suggest(qtype, QUESTION_TYPES)}",
                         f"use one of: {', '.join(QUESTION_TYPES)}")  # fmt: skip
        text = self.get_text(t, "text", loc)
        fields: dict[str, Any] = {
            "help": self.get_text(t, "help", loc, required=False),
            "required": self.get(t, "required", bool, loc, required=False, default=True),
        }
        choices = self.build_choices(t, loc, qtype)
        number = (int, float)
        lo = self.get(t, "min", number, loc, required=qtype == "scale")
        hi = self.get(t, "max", number, loc, required=qtype == "scale")
        if lo is not None and hi is not None and lo >= hi:
            self.problem(f"{loc}.max", f"must be greater than min ({lo})")
        if qtype == "scale" and any(isinstance(v, float) and not v.is_integer() for v in (lo, hi) if v is not None):
            self.problem(f"{loc}.min", "a scale runs between whole numbers")
        elif qtype == "scale" and lo is not None and hi is not None and hi - lo >= MAX_SCALE_POINTS:
            self.problem(f"{loc}.max", f"a scale has at most {MAX_SCALE_POINTS} points, and this one has {hi - lo + 1:g}",
                         "use a number question for a wider range")  # fmt: skip
        integer = self.get(t, "integer", bool, loc, required=False, default=False)
        for key, bound in (("min", lo), ("max", hi)):
            if bound is None or qtype != "number":
                continue
            if isinstance(bound, float) and math.isinf(bound):
                if integer:
                    self.problem(f"{loc}.{key}", "a whole-number question cannot have an infinite bound",
                                 f"leave {key} out: without it, the answer has no "
                                 f"{'lower' if key == 'min' else 'upper'} bound")  # fmt: skip
            elif not -MAX_NUMBER_ANSWER <= bound <= MAX_NUMBER_ANSWER:
                self.problem(f"{loc}.{key}", f"{bound:g} is beyond the numbers pmpt takes (-1e15 to 1e15)",
                             f"use a smaller {key}, or leave it out for no bound")  # fmt: skip
        for key, allowed in (("min", ("scale", "number")), ("max", ("scale", "number")),
                             ("min_label", ("scale",)), ("max_label", ("scale",)),
                             ("integer", ("number",)), ("unit", ("number",)),
                             ("max_length", ("text",))):  # fmt: skip
            if key in t and qtype in QUESTION_TYPES and qtype not in allowed:
                self.problem(f"{loc}.{key}", f"does not apply to a {qtype} question")
        max_length = self.get(t, "max_length", int, loc, required=False, default=500)
        if max_length is not None and not 1 <= max_length <= 10_000:
            self.problem(f"{loc}.max_length", "must be between 1 and 10000")
        enable_when = self.build_enable_when(t, loc)
        behavior = self.get_text(t, "enable_behavior", loc, required=False) or "all"
        if behavior not in ("all", "any"):
            self.problem(f"{loc}.enable_behavior", f"must be 'all' or 'any', not {quote(behavior)}")
        enable_if = None
        own_if = t.get("enable_if", "")
        if "enable_if" in t:
            # Only earlier questions exist in self.names at this point: enable_if cannot look ahead.
            enable_if = self.compile(own_if, f"{loc}.enable_if")
        gate = self.section_gate(section) if section in self.section_tables else None
        if gate is not None and len(self.problems) == before:
            combined = f"({gate}) and ({own_if})" if own_if else gate
            before_gate = len(self.problems)
            enable_if = self.compile(combined, f"{loc}.enable_if")
            if len(self.problems) > before_gate:
                last = self.problems.pop()
                self.problem(last.location, f"with the conditions of section '{section}': {last.message}")
        if len(self.problems) > before:
            return None
        return Question(
            id=qid, section=section, type=qtype, text=text, choices=choices,
            min=lo, max=hi, min_label=self.get_text(t, "min_label", loc, required=False),
            max_label=self.get_text(t, "max_label", loc, required=False),
            integer=qtype == "scale" or bool(integer),
            unit=self.get_text(t, "unit", loc, required=False), max_length=max_length or 500,
            enable_when=enable_when, enable_behavior=behavior, enable_if=enable_if,
            own_enable_if=own_if if isinstance(own_if, str) else "", **fields,
        )  # fmt: skip

    def build_choices(self, t: dict[str, Any], loc: str, qtype: str) -> tuple[Choice, ...]:
        wants = qtype in ("choice", "multi_choice")
        if "choices" not in t:
            if wants:
                self.problem(f"{loc}.choices", f"a {qtype} question needs choices")
            return ()
        if not wants:
            self.problem(f"{loc}.choices", f"does not apply to a {qtype or 'typeless'} question")
            return ()
        raw = self.get(t, "choices", list, loc, default=[])
        if wants and len(raw) < 2:
            self.problem(f"{loc}.choices", "needs at least two choices")
        seen: set[str] = set()
        choices = []
        for i, c in enumerate(raw):
            cloc = f"{loc}.choices[{i}]"
            if not isinstance(c, dict):
                self.problem(cloc, "must be a table like { value = 'yes', label = 'Yes' }")
                continue
            self.check_keys(c, CHOICE_KEYS, cloc)
            value = self.get_text(c, "value", cloc)
            if value and not SNAKE_ID.fullmatch(value):
                self.problem(f"{cloc}.value", f"{quote(value)} is not a valid choice value",
                             "use lowercase letters, digits and _")  # fmt: skip
            if value in seen:
                self.problem(
                    f"{cloc}.value", f"duplicate choice value {quote(value)}", "give each choice a value of its own"
                )
            seen.add(value)
            exclusive = self.get(c, "exclusive", bool, cloc, required=False, default=False)
            if exclusive and qtype != "multi_choice":
                self.problem(f"{cloc}.exclusive", "only applies to multi_choice questions")
            choices.append(Choice(
                value=value, label=self.get_text(c, "label", cloc),
                help=self.get_text(c, "help", cloc, required=False),
                score=self.get(c, "score", (int, float), cloc, required=False), exclusive=bool(exclusive),
            ))  # fmt: skip
        return tuple(choices)

    def build_enable_when(self, t: dict[str, Any], loc: str, *, key: str = "enable_when") -> tuple[EnableWhen, ...]:
        raw = self.get(t, key, list, loc, required=False, default=[])
        earlier_by_id = self.questions
        conditions = []
        for i, c in enumerate(raw):
            cloc = f"{loc}.{key}[{i}]"
            if not isinstance(c, dict):
                self.problem(cloc, "must be a table like { question = 'x', operator = '=', answer = 'y' }")
                continue
            self.check_keys(c, {"question", "operator", "answer"}, cloc)
            target_id = self.get_text(c, "question", cloc)
            operator = self.get_text(c, "operator", cloc)
            if "answer" not in c:
                self.problem(f"{cloc}.answer", "is required")
                continue
            answer = c["answer"]
            if operator and operator not in ENABLE_OPERATORS:
                self.problem(f"{cloc}.operator", f"unknown operator {quote(operator)}",
                             f"use one of: {', '.join(ENABLE_OPERATORS)}")  # fmt: skip
                continue
            target = earlier_by_id.get(target_id)
            if target is None:
                if target_id == t.get("id") or target_id not in self.raw_questions:
                    self.problem(f"{cloc}.question", f"unknown question {quote(target_id)}"
                                 f"{self.suggest(target_id, earlier_by_id)}")  # fmt: skip
                else:
                    self.problem(f"{cloc}.question", f"{quote(target_id)} is asked later",
                                 "a condition may only refer to a question asked before it")  # fmt: skip
                continue
            message = _enable_answer_problem(target, operator, answer)
            if message:
                self.problem(f"{cloc}.answer", message)
                continue
            if target.type in ("date", "time") and operator != "exists":  # one spelling: 11:30 is 11:30:00
                answer = (iso_date if target.type == "date" else iso_time)(answer)
            conditions.append(EnableWhen(question=target_id, operator=operator, answer=answer))
        return tuple(conditions)

    def declare_scores(self, tables: list[tuple[str, dict[str, Any]]]) -> set[str]:
        """Register score names first, so scores and rules can refer to any score."""
        seen: set[str] = set()
        for loc, table in tables:
            sid = table.get("id")
            if isinstance(sid, str) and sid in self.names and self.names[sid].kind == "question":
                self.problem(
                    f"{loc}.id", f"{quote(sid)} is already a question id", "scores and questions share one namespace"
                )
                continue
            sid = self.get_id(table, loc, seen, "score")
            if sid:
                self.names[sid] = NameInfo(kind="score")
        return seen

    def build_scores(self, tables: list[tuple[str, dict[str, Any]]], score_ids: set[str]) -> tuple[Score, ...]:
        scores = []
        needs_seen: dict[str, str] = {}
        for loc, t in tables:
            self.check_keys(t, SCORE_KEYS, loc)
            before = len(self.problems)
            raw_id = t.get("id")
            sid = raw_id if isinstance(raw_id, str) else ""
            method = self.get_text(t, "method", loc)
            if method and method not in SCORE_METHODS:
                self.problem(f"{loc}.method", f"unknown method {quote(method)}{self.suggest(method, SCORE_METHODS)}",
                             f"use one of: {', '.join(SCORE_METHODS)}")  # fmt: skip
            items: tuple[str, ...] = ()
            expression = None
            if method == "expression":
                if "items" in t:
                    self.problem(f"{loc}.items", "does not apply to an expression score")
                if "expression" not in t:
                    self.problem(f"{loc}.expression", "is required for method 'expression'")
                else:
                    expression = self.compile(t["expression"], f"{loc}.expression")
            elif method in SCORE_METHODS:
                if "expression" in t:
                    self.problem(f"{loc}.expression", f"does not apply to a {method} score")
                items = tuple(self.check_items(t, loc, sid, method))
            max_missing = self.get(t, "max_missing", int, loc, required=False, default=0)
            if max_missing is not None and not 0 <= max_missing <= max(len(items), 0):
                self.problem(f"{loc}.max_missing", f"must be between 0 and the number of items ({len(items)})")
            bands = self.build_bands(t, loc)
            mcid, mcid_source = self.build_mcid(t, loc)
            need = self.check_need(t, loc, method, items, bands, needs_seen)
            better = self.get_text(t, "better", loc, required=False)
            if better and better not in BETTER:
                self.problem(f"{loc}.better", f"must be 'lower' or 'higher', not '{better}'",
                             "which way a change is an improvement: lower for pain and disability")  # fmt: skip
            if len(self.problems) > before:
                continue
            scores.append(Score(
                id=sid, label=self.get_text(t, "label", loc), method=method,
                source=self.get_text(t, "source", loc), items=items, max_missing=max_missing or 0,
                expression=expression, bands=bands,
                description=self.get_text(t, "description", loc, required=False),
                mcid=mcid, mcid_source=mcid_source,
                internal=bool(self.get(t, "internal", bool, loc, required=False, default=False)), need=need,
                better=better,
            ))  # fmt: skip
        return tuple(scores)

    def check_need(self, t: dict[str, Any], loc: str, method: str, items: tuple[str, ...],
                   bands: tuple[Band, ...], seen: dict[str, str]) -> str:  # fmt: skip
        """A need score: one of NEEDS, once each, built from contributor scores, with bands."""
        need = self.get_text(t, "need", loc, required=False)
        if not need:
            return ""
        if need not in NEEDS:
            self.problem(
                f"{loc}.need", f"unknown need '{need}'{suggest(need, NEEDS)}", f"use one of: {', '.join(NEEDS)}"
            )
            return ""
        if need in seen:
            self.problem(
                f"{loc}.need", f"'{seen[need]}' is already the {need} need", "a questionnaire has one score per need"
            )
        sid = t.get("id")
        seen[need] = sid if isinstance(sid, str) else "?"
        if method in SCORE_METHODS and method not in ("sum", "mean", "max", "count"):
            self.problem(
                f"{loc}.method",
                f"a need is built from its contributor scores: use sum, mean, max or count, not {method}",
            )
        questions = [item for item in items if self.names[item].kind == "question"]
        if questions:
            self.problem(
                f"{loc}.items",
                f"a need's items are its contributor scores, not questions: {', '.join(questions)}",
                "wrap each answer in a score with its own label and source",
            )
        if not bands:
            self.problem(f"{loc}.bands", "a need needs bands (for example low, moderate, high)")
        return need

    def check_items(self, t: dict[str, Any], loc: str, sid: str, method: str) -> list[str]:
        raw = self.get(t, "items", list, loc, default=[])
        if not raw:
            self.problem(f"{loc}.items", "needs at least one item")
        items = []
        for i, item in enumerate(raw):
            iloc = f"{loc}.items[{i}]"
            if not isinstance(item, str) or item not in self.names:
                self.problem(iloc, f"unknown question or score {quote(item)}{self.suggest(str(item), self.names)}")
                continue
            if item == sid:
                self.problem(iloc, "a score cannot be an item of itself")
                continue
            info = self.names[item]
            if info.kind == "question":
                question = self.raw_questions.get(item, {})
                problem = _item_problem(question, method)
                if problem:
                    self.problem(iloc, problem)
                    continue
            elif method == "percent":
                self.problem(iloc, "percent scores take questions, not other scores, as items")
                continue
            items.append(item)
        return items

    def build_bands(self, t: dict[str, Any], loc: str) -> tuple[Band, ...]:
        bands: list[Band] = []
        for i, b in enumerate(self.get(t, "bands", list, loc, required=False, default=[])):
            bloc = f"{loc}.bands[{i}]"
            if not isinstance(b, dict):
                self.problem(bloc, "must be a table like { min = 0, max = 4, label = 'mild' }")
                continue
            self.check_keys(b, {"min", "max", "label"}, bloc)
            lo = self.get(b, "min", (int, float), bloc)
            hi = self.get(b, "max", (int, float), bloc)
            label = self.get_text(b, "label", bloc)
            if lo is None or hi is None or not label:
                continue
            if lo > hi:
                self.problem(f"{bloc}.max", f"must not be below min ({lo})")
            elif bands and lo < bands[-1].min:
                self.problem(f"{bloc}.min", "bands must be listed in ascending order")
            bands.append(Band(min=lo, max=hi, label=label))
        return tuple(bands)

    def build_mcid(self, t: dict[str, Any], loc: str) -> tuple[float | None, str]:
        raw = self.get(t, "mcid", dict, loc, required=False)
        if raw is None:
            return None, ""
        self.check_keys(raw, {"value", "source"}, f"{loc}.mcid")
        return self.get(raw, "value", (int, float), f"{loc}.mcid"), self.get_text(raw, "source", f"{loc}.mcid")

    def order_scores(self, scores: tuple[Score, ...], score_ids: set[str]) -> tuple[str, ...]:
        """Topological order of scores; a cycle is a problem."""
        depends = {
            s.id: [d for d in (s.expression.names if s.expression else s.items) if d in score_ids] for s in scores
        }
        order: list[str] = []
        state: dict[str, int] = {}  # 1 = visiting, 2 = done

        def visit(sid: str, path: list[str]) -> None:
            if state.get(sid) == 2:
                return
            if state.get(sid) == 1:
                cycle = " -> ".join(path[path.index(sid) :] + [sid])
                self.problem(
                    f"scores.{sid}", f"scores depend on each other in a cycle: {cycle}", "remove one link of the loop"
                )
                return
            state[sid] = 1
            for dep in depends.get(sid, []):
                visit(dep, path + [sid])
            state[sid] = 2
            order.append(sid)

        for s in scores:
            visit(s.id, [])
        return tuple(order)

    def build_rules(self) -> tuple[Rule, ...]:
        seen: set[str] = set()
        rules = []
        tables = self.get_tables("rules", required=False)
        for loc, t in tables:
            self.check_keys(t, RULE_KEYS, loc)
            before = len(self.problems)
            rid = self.get_id(t, loc, seen, "rule")
            outcome = self.get_outcome(t, loc)
            when = self.compile(t.get("when"), f"{loc}.when") if "when" in t else None
            if "when" not in t:
                self.problem(f"{loc}.when", "is required")
            priority = self.get(t, "priority", int, loc)
            explanation = self.get_text(t, "explanation", loc)
            source = self.get_text(t, "source", loc)
            if len(self.problems) == before and when is not None:
                rules.append(Rule(rid, outcome, when, priority, explanation, source))
        return tuple(rules)

    def get_outcome(self, t: dict[str, Any], loc: str) -> str:
        outcome = self.get_text(t, "outcome", loc)
        if outcome and outcome not in OUTCOMES:
            self.problem(f"{loc}.outcome", f"unknown outcome {quote(outcome)}{self.suggest(outcome, OUTCOMES)}",
                         f"use one of: {', '.join(OUTCOMES)}")  # fmt: skip
        return outcome

    def build_notes(self) -> tuple[Note, ...]:
        seen: set[str] = set()
        notes = []
        for loc, t in self.get_tables("notes", required=False):
            self.check_keys(t, NOTE_KEYS, loc)
            before = len(self.problems)
            nid = self.get_id(t, loc, seen, "note")
            if "when" not in t:
                self.problem(f"{loc}.when", "is required")
            when = self.compile(t["when"], f"{loc}.when") if "when" in t else None
            text = self.get_text(t, "text", loc)
            source = self.get_text(t, "source", loc)
            watch_for = self.build_watch_for(t, text, loc)
            if len(self.problems) == before and when is not None:
                notes.append(Note(nid, when, text, source, watch_for))
        return tuple(notes)

    def build_watch_for(self, t: dict[str, Any], text: str, loc: str) -> tuple[Advice, ...]:
        """A note's ``watch_for`` items; its text must then hold ``{watch_for}`` once."""
        raw = self.get(t, "watch_for", list, loc, required=False, default=None)
        has_slot = "{watch_for}" in text
        if raw is None:
            if has_slot:
                self.problem(f"{loc}.text", "has {watch_for} but the note has no watch_for list")
            return ()
        if not has_slot:
            self.problem(f"{loc}.text", "must say where the watch_for items go",
                         "write {watch_for} in the text, e.g. 'see your GP if you {watch_for}.'")  # fmt: skip
        items = []
        for i, item in enumerate(raw):
            iloc = f"{loc}.watch_for[{i}]"
            if not isinstance(item, dict):
                self.problem(iloc, "must be a table like { text = 'get pain at night', unless = [...] }")
                continue
            self.check_keys(item, {"text", "unless"}, iloc)
            item_text = self.get_text(item, "text", iloc)
            unless = self.build_enable_when(item, iloc, key="unless")
            items.append(Advice(item_text, unless))
        return tuple(items)

    def build_checks(self) -> tuple[Check, ...]:
        """Consistency checks: two answers compared, and the question to put to the person."""
        seen: set[str] = set()
        checks = []
        for loc, t in self.get_tables("checks", required=False):
            self.check_keys(t, CHECK_KEYS, loc)
            before = len(self.problems)
            cid = self.get_id(t, loc, seen, "check")
            operator = self.get_text(t, "operator", loc)
            if operator and operator not in CHECK_OPERATORS:
                self.problem(f"{loc}.operator", f"unknown operator '{operator}'",
                             f"use one of: {', '.join(CHECK_OPERATORS)}")  # fmt: skip
            pair = []
            for key in ("question", "other"):
                qid = self.get_text(t, key, loc)
                question = self.questions.get(qid)
                if qid and question is None:
                    self.problem(f"{loc}.{key}", f"unknown question '{qid}'{suggest(qid, self.questions)}")
                elif question is not None and operator not in ("=", "!=") and question.type not in ("number", "scale"):
                    self.problem(f"{loc}.{key}", f"'{qid}' is a {question.type} question",
                                 "only number and scale answers can be compared with < and >")  # fmt: skip
                pair.append(qid)
            message = self.get_text(t, "message", loc)
            for name in PLACEHOLDER.findall(message):
                if name not in pair:
                    self.problem(f"{loc}.message", f"{{{name}}} is neither of the check's questions",
                                 f"use {{{pair[0]}}} or {{{pair[1]}}}" if len(pair) == 2 else "")  # fmt: skip
            if len(self.problems) == before:
                checks.append(Check(cid, pair[0], operator, pair[1], message))
        return tuple(checks)

    def build_default(self) -> Default | None:
        """The outcome when no rule fires; ``None`` for a measure-only questionnaire (no rules, no default)."""
        if "default" not in self.raw and not self.raw.get("rules"):
            return None
        if "default" not in self.raw:
            self.problem("default", "is required when there are rules: the outcome when no rule fires",
                         "or leave out both rules and default for a measure-only questionnaire")  # fmt: skip
            return None
        t = self.get(self.raw, "default", dict, "", default={}) or {}
        self.check_keys(t, {"outcome", "explanation", "source"}, "default")
        outcome = self.get_outcome(t, "default") if t else ""
        if outcome in ("emergency", "urgent"):
            self.problem("default.outcome", "the default cannot be a red-flag outcome",
                         "red-flag outcomes must come from a rule that says why")  # fmt: skip
        return Default(outcome, self.get_text(t, "explanation", "default"), self.get_text(t, "source", "default"))

    def build_fhir(
        self, sections: tuple[Section, ...], questions: tuple[Question, ...], scores: tuple[Score, ...]
    ) -> dict[str, Any]:
        """The ``[fhir]`` table, checked for shape (docs/fhir.md); pmpt's own logic never reads it."""
        raw = self.get(self.raw, "fhir", dict, "", required=False, default={}) or {}
        self.check_keys(raw, FHIR_KEYS, "fhir")
        for key in ("url", "name", "status"):
            self.get_text(raw, key, "fhir", required=False)
        if isinstance(raw.get("status"), str) and raw["status"] not in FHIR_STATUSES:
            self.problem("fhir.status", f"must be one of {', '.join(FHIR_STATUSES)}, not '{raw['status']}'")
        section_ids = {s.id: s for s in sections}
        known: dict[str, dict[str, Any] | None] = {
            "questions": {q.id: q for q in questions},
            "sections": section_ids,
            "scores": {s.id: s for s in scores},
            "calculated": None,  # any id
        }
        link_ids: dict[str, str] = {}
        for kind, by_id in known.items():
            tables = self.get(raw, kind, dict, "fhir", required=False, default={}) or {}
            for ident, table in tables.items():
                loc = f"fhir.{kind}.{ident}"
                if by_id is None:
                    if isinstance(table, dict):
                        for key in ("link_id", "expression"):
                            self.get_text(table, key, loc)
                        variables = self.get(table, "variables", list, loc, required=False, default=[]) or []
                        if any(not isinstance(v, dict) for v in variables):
                            self.problem(f"{loc}.variables", "must be a list of { name, expression } tables")
                elif ident not in by_id:
                    self.problem(loc, f"unknown {kind[:-1]} '{ident}'{suggest(ident, by_id)}")
                    continue
                if not isinstance(table, dict):
                    self.problem(loc, "must be a table")
                    continue
                self.check_keys(table, FHIR_ITEM_KEYS[kind], loc)
                self.check_fhir_item(loc, table, by_id[ident] if by_id else None, section_ids)
                link_id = table.get("link_id")
                if isinstance(link_id, str):
                    if link_id in link_ids:
                        self.problem(f"{loc}.link_id", f"'{link_id}' is also the link id of {link_ids[link_id]}")
                    link_ids[link_id] = loc
        return raw

    def check_fhir_item(self, loc: str, table: dict[str, Any], owner: Any, sections: dict[str, Section]) -> None:
        for key in ("link_id", "type", "system", "option_type", "section", "unit"):
            self.get_text(table, key, loc, required=False)
        for key in ("read_only", "group"):
            self.get(table, key, bool, loc, required=False)
        if isinstance(table.get("option_type"), str) and table["option_type"] not in FHIR_OPTION_TYPES:
            self.problem(f"{loc}.option_type", f"must be one of {', '.join(FHIR_OPTION_TYPES)}")
        if isinstance(table.get("section"), str) and table["section"] not in sections:
            self.problem(f"{loc}.section", f"unknown section '{table['section']}'{suggest(table['section'], sections)}")
        codes = self.get(table, "code", list, loc, required=False, default=[]) or []
        for i, coding in enumerate(codes):
            if not isinstance(coding, dict) or any(not isinstance(v, str) for v in coding.values()):
                self.problem(f"{loc}.code[{i}]", "must be a table of strings like { system = '...', code = '...' }")
        for key, kinds in (("codes", (str, int)), ("systems", (str,))):
            mapping = self.get(table, key, dict, loc, required=False, default={}) or {}
            values = getattr(owner, "choice_values", ())
            for value, code in mapping.items():
                if value not in values:
                    self.problem(f"{loc}.{key}.{value}", f"'{value}' is not a choice{suggest(value, values)}")
                elif isinstance(code, bool) or not isinstance(code, kinds):
                    self.problem(
                        f"{loc}.{key}.{value}", "must be a string" + (" or an integer" if int in kinds else "")
                    )

    def build_outcome_texts(self) -> dict[str, OutcomeText]:
        raw = self.get(self.raw, "outcomes", dict, "", required=False, default={}) or {}
        texts = dict(DEFAULT_OUTCOME_TEXTS)
        for outcome, t in raw.items():
            loc = f"outcomes.{outcome}"
            if outcome not in OUTCOMES:
                self.problem(loc, f"unknown outcome {quote(outcome)}{self.suggest(outcome, OUTCOMES)}")
                continue
            if not isinstance(t, dict):
                self.problem(loc, "must be a table with headline, care, steps and next")
                continue
            self.check_keys(t, OUTCOME_KEYS, loc)
            base = texts[outcome]
            steps = self.get(t, "steps", list, loc, required=False, default=list(base.steps))
            if any(not isinstance(s, str) for s in steps):
                self.problem(f"{loc}.steps", "must be a list of strings")
                steps = list(base.steps)
            texts[outcome] = OutcomeText(
                headline=self.get_text(t, "headline", loc, required=False) or base.headline,
                care=self.get_text(t, "care", loc, required=False) or base.care,
                steps=tuple(steps),
                next=self.get_text(t, "next", loc, required=False) or base.next,
            )
        return texts


def condition_source(target: Question, condition: EnableWhen) -> str:
    """An enable-when condition as an expression that means the same (for section conditions)."""
    qid, op, answer = condition.question, condition.operator, condition.answer
    if op == "exists":
        return f"answered({qid})" if answer else f"not answered({qid})"
    if isinstance(answer, float) and answer in (float("inf"), float("-inf")):
        # No expression literal is infinite: '> -inf' holds for any answer, '> inf' for none.
        holds_for_all = (op in (">", ">=") and answer < 0) or (op in ("<", "<=") and answer > 0) or op == "!="
        return f"answered({qid})" if holds_for_all else "False"
    literal = repr(answer)
    if target.type == "multi_choice":
        return f"{literal} in {qid}" if op == "=" else f"answered({qid}) and {literal} not in {qid}"
    if op == "=":
        return f"{qid} == {literal}"
    if op == "!=":
        return f"answered({qid}) and {qid} != {literal}"
    return f"{qid} {op} {literal}"


def _type_name(kind: type) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false",
            list: "a list", dict: "a table"}.get(kind, kind.__name__)  # fmt: skip


def _enable_answer_problem(target: Question, operator: str, answer: Any) -> str:
    """Why ``answer`` cannot be compared with ``target`` under ``operator``, or ''."""
    if operator == "exists":
        return "" if isinstance(answer, bool) else "for 'exists', answer must be true or false"
    if target.type in ("date", "time"):
        try:
            (iso_date if target.type == "date" else iso_time)(answer)
        except AnswerInvalid as exc:
            return str(exc)
        return ""
    if operator in (">", "<", ">=", "<="):
        if target.type not in ("scale", "number"):
            return (f"'{operator}' only applies to scale, number, date and time questions, and '{target.id}' "
                    f"is {target.type}")  # fmt: skip
        ok = isinstance(answer, (int, float)) and not isinstance(answer, bool)
        return "" if ok else "must be a number"
    if target.type in ("choice", "multi_choice"):
        if answer not in target.choice_values:
            return (f"{quote(answer)} is not a choice of '{target.id}'{suggest(str(answer), target.choice_values)}"
                    f" (choices: {', '.join(target.choice_values)})")  # fmt: skip
        return ""
    if target.type == "yes_no":
        return "" if isinstance(answer, bool) else "must be true or false for a yes_no question"
    if target.type in ("scale", "number"):
        ok = isinstance(answer, (int, float)) and not isinstance(answer, bool)
        return "" if ok else "must be a number"
    return "" if isinstance(answer, str) else "must be a string"


def _item_problem(question: dict[str, Any], method: str) -> str:
    """Why this question cannot be an item of a score, or ''."""
    qtype = question.get("type")
    if qtype in TEXT_TYPES:
        return f"{qtype} question {quote(question.get('id'))} cannot be scored"
    if qtype in ("choice", "multi_choice"):
        missing = [c.get("value") for c in question.get("choices", []) if isinstance(c, dict) and "score" not in c]
        if missing:
            return f"choices of {quote(question.get('id'))} need a score to be an item (missing on: {', '.join(map(str, missing))})"
    if method == "percent" and qtype == "number" and "max" not in question:
        return f"{quote(question.get('id'))} needs a max to be an item of a percent score"
    return ""
