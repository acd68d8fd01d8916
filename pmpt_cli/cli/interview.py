"""The interview: which question comes next, going back, the review, and red-flag early stops.

It talks to a ``Prompter`` (``pmpt_cli.prompting`` draws real prompts; tests pass a
scripted fake), so it never imports questionary and can be tested without a terminal.
Every answer a prompter returns has already passed ``validation.check_value``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pmpt_cli.engine import red_flags_raised
from pmpt_cli.model import Question, Questionnaire, Rule
from pmpt_cli.program import runnable
from pmpt_cli.report import describe_answer


class _Back:
    """The answer "take me to the previous question"."""

    def __repr__(self) -> str:
        return "BACK"


BACK = _Back()
DONE = "__done__"
STOP, CONTINUE = "stop", "continue"


class Prompter(Protocol):
    """What the interview needs from a user interface. Ctrl-C and a closed terminal
    surface as ``KeyboardInterrupt`` and ``EOFError`` from any of the asking methods."""

    def key_help(self, types: frozenset[str]) -> str:
        """One line saying which keys do what for these question types, shown in the welcome."""

    def show(self, kind: str, text: str) -> None:
        """Show a message on the terminal; ``kind`` is welcome, heading, progress, info or alert."""

    def ask(self, question: Question, default: Any, progress: str) -> Any:
        """A checked value for ``question``, ``None`` if an optional question was skipped, or ``BACK``."""

    def menu(self, message: str, options: Sequence[tuple[str, str]], default: str) -> str:
        """One of the option keys (``(key, label)`` pairs)."""

    def confirm(self, message: str, default: bool) -> bool:
        """Yes or no, one key; Enter takes ``default``."""

    def text(self, message: str, default: str = "") -> str:
        """A line of free text (used for file names)."""


@dataclass
class InterviewResult:
    answers: dict[str, Any]
    stopped_early: bool = False  # stopped at a red flag: score what was said, missing allowed


class InterviewInterrupted(Exception):
    """Ctrl-C or a closed terminal; carries the answers so far so they can be saved."""

    def __init__(self, answers: dict[str, Any]) -> None:
        super().__init__("interview interrupted")
        self.answers = answers


@dataclass
class Interview:
    """Walks a questionnaire with a prompter, starting from any answers already known."""

    questionnaire: Questionnaire
    prompter: Prompter
    answers: dict[str, Any] = field(default_factory=dict)
    #: Questions answered or deliberately left blank: the walk does not ask them again.
    done: set[str] = field(default_factory=set)
    #: Question ids in the order they were answered: "back" pops from here.
    history: list[str] = field(default_factory=list)
    #: The last answer given to each question, offered again as the default when re-asked.
    memory: dict[str, Any] = field(default_factory=dict)
    alerted: set[str] = field(default_factory=set)
    #: Consistency checks the person said are right: not asked again.
    confirmed: set[str] = field(default_factory=set)
    _section: str | None = None

    def __post_init__(self) -> None:
        self.answers = self._asked(self.answers)[0]
        self.memory = dict(self.answers)
        self.done = set(self.answers)
        self.history = [q.id for q in self.questionnaire.questions if q.id in self.answers]

    # -- the whole run ---------------------------------------------------------------

    def run(self) -> InterviewResult:
        """Ask until the person confirms the review or stops at a red flag."""
        try:
            types = frozenset(q.type for q in self.questionnaire.questions)
            self.prompter.show(
                "welcome", welcome_text(self.questionnaire, self.prompter.key_help(types), len(self.answers))
            )
            if self._red_flag_stop():  # answers given beforehand may already raise one
                return InterviewResult(dict(self.answers), stopped_early=True)
            while True:
                if self._walk():
                    return InterviewResult(dict(self.answers), stopped_early=True)
                verdict = self._review()
                if verdict != CONTINUE:
                    return InterviewResult(dict(self.answers), stopped_early=verdict == STOP)
        except (KeyboardInterrupt, EOFError, OSError):  # OSError: the terminal is gone (EIO)
            raise InterviewInterrupted(dict(self.answers)) from None

    # -- walking forward and back ------------------------------------------------------

    def _asked(self, answers: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """The answers that count (to questions that are asked) and the skipped question ids."""
        run = runnable(self.questionnaire).run(answers)  # answers from prompts are checked already
        return run.kept, run.skipped

    def enabled(self) -> list[Question]:
        """Questions asked given the current answers (skipped ones left out silently)."""
        skipped = set(self._asked(self.answers)[1])
        return [q for q in self.questionnaire.questions if q.id not in skipped]

    def pending(self) -> Question | None:
        """The first enabled question not yet answered or left blank."""
        return next((q for q in self.enabled() if q.id not in self.done), None)

    def progress(self, question: Question) -> str:
        """The progress line, "Question 7 of about 22"; the count changes with the answers."""
        enabled = self.enabled()
        ids = [q.id for q in enabled]
        number = ids.index(question.id) + 1 if question.id in ids else len(ids)
        later = self.questionnaire.questions[self.questionnaire.questions.index(question) + 1 :]
        about = "about " if any(q.is_conditional for q in later) else ""
        return f"Question {number} of {about}{len(enabled)}"

    def _walk(self) -> bool:
        """Ask every pending question in order; True if the person stopped at a red flag."""
        while (question := self.pending()) is not None:
            self._heading(question)
            value = self.prompter.ask(question, self.memory.get(question.id), self.progress(question))
            if value is BACK:
                self._back()
                continue
            self.record(question, value)
            if self._red_flag_stop():
                return True
            self._check(question)
        return False

    def _back(self) -> None:
        if not self.history:
            self.prompter.show("info", "This is the first question.")
            return
        # Making the previous question pending again is all "back" needs: questions are
        # asked in order and a condition only looks at earlier questions.
        self.done.discard(self.history.pop())

    def record(self, question: Question, value: Any) -> None:
        """Keep an answer (``None``: left blank) and re-apply enable-when to all answers."""
        if value is None:
            self.answers.pop(question.id, None)
        else:
            self.answers[question.id] = value
            self.memory[question.id] = value
        self.done.add(question.id)
        if question.id in self.history:
            self.history.remove(question.id)
        self.history.append(question.id)
        self.answers, skipped = self._asked(self.answers)
        for qid in skipped:  # now disabled: the answer is dropped, and it is asked again if re-enabled
            self.done.discard(qid)
            if qid in self.history:
                self.history.remove(qid)

    def _heading(self, question: Question) -> None:
        if question.section == self._section:
            return
        self._section = question.section
        section = next((s for s in self.questionnaire.sections if s.id == question.section), None)
        if section is not None:
            self.prompter.show("heading", f"{section.title}\n{section.intro}".rstrip())

    # -- the review ----------------------------------------------------------------------

    def review_options(self) -> list[tuple[str, str]]:
        """``(question id, "text: answer")`` for every enabled question, in order."""
        options = [(DONE, "These answers are right: show my result")]
        for question in self.enabled():
            answer = describe_answer(self.questionnaire, question.id, self.answers.get(question.id))
            options.append((question.id, f"{question.text}  →  {answer}"))
        return options

    def _review(self) -> str:
        """Until confirmed: DONE; STOP at a red flag; CONTINUE when an edit enabled new questions.

        After a change the review opens again at the row that was changed, not at the top.
        """
        place = DONE
        while True:
            options = self.review_options()
            choice = self.prompter.menu(
                "Check your answers. Choose one to change it, or confirm to see your result.",
                options, place if place in dict(options) else DONE,
            )  # fmt: skip
            if choice == DONE:
                return DONE
            question = self.questionnaire.questions_by_id[choice]
            place = choice
            value = self.prompter.ask(question, self.memory.get(question.id), "Changing your answer")
            if value is BACK:
                continue
            self.record(question, value)
            if self._red_flag_stop():
                return STOP
            self._check(question)
            if self.pending() is not None:
                return CONTINUE

    # -- answers that are unlikely together -----------------------------------------------

    def _check(self, question: Question) -> None:
        """Query gently a consistency check that the answer just given makes hold ("you said
        10 on average but 1 at worst; is that right?"); to change, both are asked again."""
        from pmpt_cli.report import failed_checks

        for check, message in failed_checks(self.questionnaire, self.answers):
            if check.id in self.confirmed or question.id not in (check.question, check.other):
                continue
            if not {check.question, check.other} <= self.done:  # being answered again: wait for both
                continue
            options = [(CONTINUE, "Yes, that is right"), ("change", "No, let me change these answers")]
            if self.prompter.menu(message, options, CONTINUE) == CONTINUE:
                self.confirmed.add(check.id)
                continue
            for qid in (check.question, check.other):
                self.done.discard(qid)

    # -- red flags -------------------------------------------------------------------------

    def _red_flag_stop(self) -> bool:
        """Warn at once about a newly raised emergency red flag; True if the person stops here."""
        fired = [r for r in red_flags_raised(self.questionnaire, self.answers) if r.id not in self.alerted]
        if not fired:
            return False
        self.alerted.update(r.id for r in fired)
        self.prompter.show("alert", red_flag_text(self.questionnaire, fired))
        options = [(STOP, "Stop here and show my result (recommended)"), (CONTINUE, "Finish the questions first")]
        return self.prompter.menu("What would you like to do?", options, STOP) == STOP


def welcome_text(questionnaire: Questionnaire, key_help: str, answered: int = 0) -> str:
    """What pmpt does, how long it takes, that it is not a diagnosis, and the keys."""
    count = len(questionnaire.questions)
    length = f"up to {count} questions"
    if questionnaire.minutes:
        length += f", about {questionnaire.minutes} minute{'s' if questionnaire.minutes != 1 else ''}"
    lines = [
        questionnaire.title,
        (
            "pmpt asks about your pain and how it affects you, then suggests where to seek care: "
            "pain management, physical therapy, both, or looking after it yourself. "
            "If an answer needs urgent attention, it tells you straight away."
        ),
        f"It takes {length}. It is not a diagnosis.",
    ]
    # The questionnaire's description is for reviewers (licences, sources): it is shown by
    # `pmpt questionnaires show`, not to a person in pain who wants to start.
    if answered:
        lines.append(f"{answered} answers are already filled in; you will only be asked the rest.")
    lines.append(key_help)
    return "\n".join(lines)


def red_flag_text(questionnaire: Questionnaire, rules: Sequence[Rule]) -> str:
    """A calm message a frightened person can act on: what to do first, then why."""
    text = questionnaire.outcome_texts["emergency"]
    lines = [text.headline, ""]
    lines += [f"{i}. {step}" for i, step in enumerate(text.steps, 1)]
    lines += ["", "Why:"] + [f"- {rule.explanation}" for rule in rules]
    lines += ["", text.next]
    return "\n".join(lines).rstrip()


def offer_to_save(prompter: Prompter, content: str, default_name: str) -> str | None:
    """Offer to write the summary; never overwrite, ask for another name instead. The path, or None."""
    from pmpt_cli.cli.fileio import write_private
    from pmpt_cli.errors import InputFileError, OutputExistsError

    if not prompter.confirm("Save this summary to a file?", False):
        return None
    name = _next_free(default_name)  # never propose a name that is taken
    while True:
        name = prompter.text("Save as:", name).strip()
        if not name:
            return None
        try:
            write_private(name, content)
        except OutputExistsError:
            prompter.show("info", f"'{name}' already exists and will not be overwritten; choose another name.")
            name = _next_free(name)
            continue
        except InputFileError as exc:
            prompter.show("info", exc.message)
            continue
        return name


def _next_free(name: str) -> str:
    """``name`` if no file has it, else ``pmpt-summary-2026-05-01-2.toml`` after
    ``pmpt-summary-2026-05-01.toml``, and so on."""
    from pathlib import Path

    path = Path(name)
    if not path.exists():
        return name
    stem = path.stem
    for n in range(2, 1000):
        candidate = path.with_name(f"{stem}-{n}{path.suffix}")
        if not candidate.exists():
            return str(candidate)
    return name
