"""The interactive path of ``pmpt triage``: run the interview, keep unfinished answers, finish up.

Imported only when a person answers in a terminal; ``triage_flow`` stays the one
place that decides which path runs.
"""

from __future__ import annotations

import shlex
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmpt_cli.cli import partial
from pmpt_cli.cli.interview import Interview, InterviewInterrupted, offer_to_save
from pmpt_cli.cli.triage_request import Gathered, TriageRequest
from pmpt_cli.errors import Interrupted, PmptError
from pmpt_cli.messages import safe_text
from pmpt_cli.model import Questionnaire, TriageResult
from pmpt_cli.registry import looks_like_path
from pmpt_cli.validation import check_answers

if TYPE_CHECKING:
    from pmpt_cli.cli.environment import Environment


class TerminalClosed(KeyboardInterrupt):
    """SIGHUP or SIGTERM: the terminal went away, or pmpt is told to stop. A
    ``KeyboardInterrupt`` so every prompt path saves the answers the same way, and so
    asyncio (inside prompt_toolkit) cannot swallow it."""


def _stop_signals() -> list[int]:
    return [getattr(signal, name) for name in ("SIGHUP", "SIGTERM") if hasattr(signal, name)]


@contextmanager
def hangup_saves() -> Iterator[None]:
    """While asking, turn SIGHUP (a closed terminal window) and SIGTERM into ``TerminalClosed``.

    Only the first one counts: a closed window sends SIGHUP twice or more (the kernel,
    then the shell) and perhaps SIGTERM, and a later one must not interrupt the saving
    of the answers that the first one started. The old handlers come back at the end.
    """
    signals = _stop_signals()

    def on_signal(signum: int, frame: Any) -> None:
        for number in signals:
            signal.signal(number, signal.SIG_IGN)
        raise TerminalClosed

    previous: dict[int, Any] = {}
    try:
        for number in signals:
            previous[number] = signal.signal(number, on_signal)
    except ValueError:  # not the main thread: leave the defaults
        pass
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGHUP, SIGTERM and SIGINT while the answers are written, then drop them.

    The write itself is atomic (``fileio.private_file``); this makes sure it finishes.
    Held signals are discarded afterwards: pmpt is stopping anyway, and saying so must
    not be cut short either.
    """
    held = [*_stop_signals(), signal.SIGINT]
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    try:
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        handlers = {}
        try:
            for number in held:
                handlers[number] = signal.signal(number, signal.SIG_IGN)  # pending ones are dropped on unblock
        except ValueError:
            pass
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        for number, handler in handlers.items():
            signal.signal(number, handler)


def interview(questionnaire: Questionnaire, answers: dict[str, Any], request: TriageRequest, env: Environment,
              *, resumed_from: Path | None, ref: str | None, offer: str | None = None) -> Gathered:  # fmt: skip
    """Ask what is missing; on Ctrl-C or hang-up save the answers so far and raise ``Interrupted``.

    ``offer`` is a yes/no question asked first ("34 questions to answer. Answer them now?");
    no stops with nothing changed.
    """
    from pmpt_cli.cli.prompting import make_prompter

    prompter = make_prompter(env, plain=request.plain_prompts)
    save_to = Path(request.save) if request.save else partial.default_path(questionnaire.id)
    ref = partial.questionnaire_ref(questionnaire, ref)
    with hangup_saves():
        if offer is not None:
            try:
                accepted = prompter.confirm(offer, True)
            except (KeyboardInterrupt, EOFError):
                accepted = False
            if not accepted:
                raise Interrupted("Stopped; nothing was changed. Fill in the answers file, or see "
                                  "`pmpt answers template`.")  # fmt: skip
        try:
            if not answers and resumed_from is None and partial.saved(save_to):
                answers, resumed_from = _offer_to_continue(questionnaire, prompter, save_to)
            result = Interview(questionnaire, prompter, dict(answers)).run()
        except InterviewInterrupted as stop:
            with signals_held():  # a second hang-up must not cut the save short
                stopped = _save_and_stop(questionnaire, stop.answers, save_to, ref, request, env)
            raise stopped from None
        except (KeyboardInterrupt, EOFError):
            raise Interrupted("Stopped; nothing was changed.") from None
    return Gathered(result.answers, result.stopped_early, prompter, resumed_from)


def _offer_to_continue(questionnaire: Questionnaire, prompter: Any, path: Path) -> tuple[dict[str, Any], Path | None]:
    """Saved unfinished answers exist: continue them, or start again and delete them."""
    from pmpt_cli.answers_file import read_answers_file

    saved = datetime.fromtimestamp(path.stat().st_mtime).strftime("%d %B %Y at %H:%M")
    options = [("continue", "Continue where I left off"), ("fresh", "Start again (delete the saved answers)")]
    if prompter.menu(f"You have unfinished answers from {saved}.", options, "continue") == "fresh":
        path.unlink(missing_ok=True)
        return {}, None
    answers, problems = check_answers(questionnaire, read_answers_file(str(path)).answers)
    if problems:  # the questionnaire changed since: those questions are simply asked again
        prompter.show("info", f"{len(problems)} saved answers no longer fit the questionnaire and will be asked again.")
    return answers, path


def _save_and_stop(questionnaire: Questionnaire, answers: dict[str, Any], path: Path, ref: str,
                   request: TriageRequest, env: Environment) -> Interrupted:  # fmt: skip
    """Save first (the terminal may already be gone), then say how to resume."""
    if not answers:
        return Interrupted("Stopped before the first answer; nothing was saved.")
    answers = dict(answers)
    try:
        saved = partial.save(path, questionnaire, answers, ref)
    except PmptError as exc:
        return Interrupted(f"Stopped, and your answers could not be saved: {exc.message}")
    if request.save:
        partial.remember(saved)
    command = "pmpt triage --resume"
    if looks_like_path(ref):  # a saved file names a questionnaire path only if the command line confirms it
        command += f" --questionnaire {shlex.quote(ref)}"
    if request.save:
        command += f" --save {shlex.quote(str(saved))}"
    count = "Your answer so far is" if len(answers) == 1 else f"Your {len(answers)} answers so far are"
    env.say(f"\n{count} saved in {safe_text(str(saved))} (only you can read it).\n"
            f"To continue where you left off, run: {safe_text(command)}")  # fmt: skip
    return _stopped(questionnaire, answers, "Stopped before the end; nothing was scored yet.", env)


def _stopped(questionnaire: Questionnaire, answers: dict[str, Any], message: str, env: Environment) -> Interrupted:
    """``Interrupted`` with ``message``; but after an emergency warning, the instruction
    again, as the last line (Ctrl-C at "what would you like to do?" is not an error)."""
    from pmpt_cli.engine import red_flags_raised
    from pmpt_cli.errors import StoppedAtRedFlag

    text = questionnaire.outcome_texts.get("emergency")
    if text is not None and text.steps and red_flags_raised(questionnaire, answers):
        return StoppedAtRedFlag("\n" + instruction(questionnaire, "emergency", env))
    return Interrupted(message)


def finish(
    questionnaire: Questionnaire, result: TriageResult, request: TriageRequest, gathered: Gathered, env: Environment
) -> None:
    """After the result: offer to save it, tidy up a resumed file, and end on what matters.

    The card printed last must stay on the screen, so what follows it is a line or two;
    under a red flag the instruction is printed once more as the very last line.
    """
    from pmpt_cli.model import RED_FLAG_OUTCOMES

    text = questionnaire.outcome_texts.get(result.outcome) if result.outcome is not None else None  # measure-only
    if request.as_json and not env.stdout_isatty:  # the result went to a file: show its card here
        from pmpt_cli.cli.render import print_summary
        from pmpt_cli.report import result_to_dict

        print_summary(result_to_dict(questionnaire, result), env.stderr, env, plain=request.plain, details=False)
    saved: str | None = None
    if not request.export:
        from pmpt_cli.export import summary_toml

        name = f"pmpt-summary-{date.today().isoformat()}.toml"
        try:
            saved = offer_to_save(gathered.prompter, summary_toml(questionnaire, result), name)
        except (KeyboardInterrupt, EOFError):
            raise Interrupted("Stopped; the summary was not saved.") from None
        if saved:
            env.say(f"Saved the summary to {safe_text(saved)}. Re-run it with: pmpt triage --answers "
                    f"{safe_text(shlex.quote(saved))}")  # fmt: skip
    _tidy_resumed(gathered, env, kept=bool(saved or request.export))
    if result.outcome in RED_FLAG_OUTCOMES and text is not None and text.steps:
        env.say("\n" + instruction(questionnaire, result.outcome, env))


def instruction(questionnaire: Questionnaire, outcome: str, env: Environment) -> str:
    """The outcome's headline and first step, wrapped for the terminal: a red flag's last words."""
    from pmpt_cli.cli.wrap import fill

    text = questionnaire.outcome_texts[outcome]
    return fill(f"{safe_text(text.headline)}: {safe_text(text.steps[0])}", env.width_for(env.stderr) - 1)


def _tidy_resumed(gathered: Gathered, env: Environment, *, kept: bool) -> None:
    """The resumed unfinished answers are in the result now: delete them, asking first
    unless the result was saved to a file (it holds the same answers)."""
    path = gathered.resumed_from
    if path is None or not path.is_file():
        return
    if not kept:
        try:
            keep = not gathered.prompter.confirm(
                f"Delete your unfinished answers in {safe_text(str(path))}? They are not saved anywhere else.", False
            )
        except (KeyboardInterrupt, EOFError):
            keep = True
        if keep:
            env.say(f"Kept your answers in {safe_text(str(path))}.")
            return
    path.unlink(missing_ok=True)
    env.say(f"Deleted the unfinished answers in {safe_text(str(path))}.")
