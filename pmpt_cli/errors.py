"""One exception hierarchy for pmpt, each error carrying its exit code.

The CLI converts these to exit codes in exactly one place
(``cli.app.ErrorBoundaryGroup.invoke``); the library raises them and never prints.
"""

from __future__ import annotations

from pmpt_cli.records import Record


class ExitCode:
    """Documented exit statuses (see README, "Exit status").

    Plain ints in a namespace rather than an ``IntEnum``, whose class costs ~0.1 ms to
    create on every start; pmpt only ever needs the numbers.
    """

    OK = 0
    FAILURE = 1  # bad or unreadable input, unknown questionnaire, file exists
    USAGE = 2  # wrong flags or arguments, answers needed but cannot prompt
    INVALID = 3  # validation found problems
    INTERNAL = 70  # a bug in pmpt (EX_SOFTWARE)
    INTERRUPTED = 130  # Ctrl-C


class Problem(Record):
    """One thing wrong with a file, with where it is and how to fix it."""

    location: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} ({self.hint})" if self.hint else text


class PmptError(Exception):
    """Base of every expected pmpt failure; ``message`` says what to do."""

    exit_code: int = ExitCode.FAILURE
    #: What the message line starts with ("error: ..."); empty for a message that is not an error.
    label: str = "error"

    def __init__(self, message: str, *, problems: list[Problem] | None = None, more: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])
        #: Problems found but not listed in ``problems`` (listings stop at messages.MAX_LISTED).
        self.more = more


class UsageError(PmptError):
    """The command line asks for something impossible (exit 2)."""

    exit_code = ExitCode.USAGE


class InputFileError(PmptError):
    """A file cannot be read, parsed or written (exit 1)."""


class OutputExistsError(PmptError):
    """Refusing to overwrite an existing file without ``--force`` (exit 1)."""


class QuestionnaireNotFoundError(PmptError):
    """No questionnaire has the requested id or path (exit 1)."""


class QuestionnaireError(PmptError):
    """A questionnaire file breaks the format; ``problems`` lists every issue (exit 1)."""


class ExpressionError(PmptError):
    """A condition or score expression is not valid (reported with its location)."""


class AnswersError(PmptError):
    """Answers are invalid or incomplete; ``problems`` lists every one (exit 1)."""


class ValidationFailed(PmptError):
    """``pmpt questionnaires validate`` found problems (exit 3)."""

    exit_code = ExitCode.INVALID


class Interrupted(PmptError):
    """The person pressed Ctrl-C or the terminal closed (exit 130)."""

    exit_code = ExitCode.INTERRUPTED


class StoppedAtRedFlag(Interrupted):
    """Stopped after an emergency warning: the message is the instruction, not an error (exit 130)."""

    label = ""
