"""The ``pmpt`` command line: flags in, library calls, rendering out.

Errors become exit codes in exactly one place, ``ErrorBoundaryGroup.invoke``.
Heavy imports (rich, questionary, tomli-w) happen inside the paths that need them, and
the commands other than ``triage`` are imported and built only when they are run or
listed (``ErrorBoundaryGroup.lazy_commands``).
"""

# No `from __future__ import annotations` here: typer would then eval every command's
# annotation strings, twice, on every run (about 2.5 ms; docs/performance.md).
import os
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from pmpt_cli.cli.commands.options import (
    Command,
    HelpOnStdout,
    NoColor,
    WrappedEpilog,
    apply_no_color,
    questionnaire_option,
)
from pmpt_cli.cli.environment import Environment, from_context
from pmpt_cli.errors import ExitCode, PmptError, UsageError
from pmpt_cli.version import __version__

CONTEXT = {"help_option_names": ["-h", "--help"]}


class AppState:
    """Global options and the environment, shared with commands through ``ctx.obj``."""

    # A plain class, not a @dataclass: that would import `dataclasses` and build the class
    # on every run, about 0.7 ms of start-up together.
    __slots__ = ("debug", "env")

    def __init__(self, env: Environment, debug: bool = False) -> None:
        self.env = env
        self.debug = debug


def report_error(env: Environment, error: PmptError) -> None:
    """Print an expected error for a person: the problems first (at most
    ``messages.MAX_LISTED``), the key line last, all of it safe for a terminal."""
    from pmpt_cli.messages import MAX_LISTED, and_more, safe_text

    lines = [f"  - {problem}" for problem in error.problems[:MAX_LISTED]]
    hidden = len(error.problems) - min(len(error.problems), MAX_LISTED) + error.more
    if hidden:
        lines.append(f"  {and_more(hidden)}")
    lines.append(f"{error.label}: {error.message}" if error.label else error.message)
    try:
        env.stderr.write(safe_text("\n".join(lines)) + "\n")
        env.stderr.flush()
    except (OSError, ValueError):  # the terminal is gone: the exit status still says what happened
        pass


def report_bug(env: Environment, error: BaseException) -> None:
    """What an internal error says: that it is a bug, and how to report it."""
    from pmpt_cli.messages import safe_text

    url = project_url()
    where = f"at {url}" if url else "to whoever gave you pmpt (your clinic's IT support, or the pmpt maintainers)"
    env.stderr.write(safe_text(
        f"error: internal error in pmpt {__version__}: {type(error).__name__}: {str(error)[:300]}\n"
        f"This is a bug in pmpt. Please report it {where}, with the command you ran and the output of "
        "the same command with --debug (leave out any personal answers).\n"
    ))  # fmt: skip


def project_url() -> str | None:
    """Where to report a bug, from the installed package's metadata: a ``Project-URL``
    labelled for issues or bugs, else the first one, else the home page; ``None`` if it
    names none (pmpt's own metadata names none today)."""
    try:
        from importlib.metadata import PackageNotFoundError, metadata

        meta = metadata("pmpt")
    except (ImportError, PackageNotFoundError):
        return None
    urls = [entry.partition(",") for entry in meta.get_all("Project-URL") or []]
    for label, _, url in urls:
        if any(word in label.lower() for word in ("issue", "bug", "tracker")) and url.strip():
            return url.strip()
    if urls and urls[0][2].strip():
        return urls[0][2].strip()
    home = (meta.get_all("Home-page") or [""])[0]
    return home.strip() or None


# -- lazily loaded commands: the scripting and authoring toolkit (issue 5) ---------------
# Importing their modules and building their click commands costs about 3 ms, which
# `pmpt triage` need not pay. Each loader returns what app.add_typer / @app.command built.


def _load_batch() -> Any:
    from pmpt_cli.cli.commands.batch import batch_app

    return typer.main.get_command(batch_app)  # a one-command Typer becomes that command


def _load_export() -> Any:
    from pmpt_cli.cli.commands.export import export_app

    return typer.main.get_command(export_app)


def _load_compare() -> Any:
    from pmpt_cli.cli.commands.compare import compare_app

    return typer.main.get_command(compare_app)


def _load_questionnaires() -> Any:
    from pmpt_cli.cli.commands.questionnaires import questionnaires_app

    return typer.main.get_group(questionnaires_app)


def _load_answers() -> Any:
    from pmpt_cli.cli.commands.answers import answers_app

    return typer.main.get_group(answers_app)


class ErrorBoundaryGroup(HelpOnStdout, WrappedEpilog, TyperGroup):
    """Converts pmpt's exceptions to exit codes, once, for every command.

    It also holds the commands in ``lazy_commands``, built only when one is named or
    when help or shell completion lists them all.
    """

    #: Command name -> loader, in the order help lists them (after the eager ``triage``).
    lazy_commands = {
        "batch": _load_batch, "export": _load_export, "compare": _load_compare,
        "questionnaires": _load_questionnaires, "answers": _load_answers,
    }  # fmt: skip

    def list_commands(self, ctx: Any) -> list[str]:
        eager = [name for name in self.commands if name not in self.lazy_commands]
        return [*eager, *self.lazy_commands]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            if cmd_name in self.lazy_commands:
                self.commands[cmd_name] = self.lazy_commands[cmd_name]()
            else:  # unknown: typer suggests close matches from self.commands, so load them all
                for name, load in self.lazy_commands.items():
                    if name not in self.commands:
                        self.commands[name] = load()
        return self.commands.get(cmd_name)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except PmptError as error:
            report_error(from_context(ctx), error)
            raise typer.Exit(int(error.exit_code)) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt, EOFError, BrokenPipeError):
            raise  # typer exits 130 / 1, and quietly on a closed pipe (pmpt ... | head)
        except Exception as error:  # the typer/click usage errors pass through below
            from typer._click.exceptions import ClickException

            if isinstance(error, ClickException):
                raise
            env = from_context(ctx)
            if (isinstance(ctx.obj, AppState) and ctx.obj.debug) or os.environ.get("PMPT_DEBUG"):
                import traceback

                from pmpt_cli.messages import safe_text

                env.stderr.write(safe_text(traceback.format_exc()))
            report_bug(env, error)
            raise typer.Exit(int(ExitCode.INTERNAL)) from None


app = typer.Typer(
    cls=ErrorBoundaryGroup,
    name="pmpt",
    help="Terminal triage for musculoskeletal pain: pain management, physical therapy, or both.",
    epilog="Examples:\n\n"
    "  pmpt triage\n\n"
    "  pmpt triage --answers examples/physical-therapy-knee.toml --json\n\n"
    "pmpt is not a diagnosis.",
    context_settings=CONTEXT,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        Environment.from_system().stdout.write(f"pmpt {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    version: Annotated[
        Optional[bool],
        typer.Option("--version", "-V", callback=_show_version, is_eager=True, help="Show the version and exit."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for internal errors.")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="Plain text output, no colours.")] = False,
) -> None:
    """pmpt: answer questions about your pain and learn where to seek care. Not a diagnosis."""
    ctx.obj = AppState(Environment.from_system(no_color=no_color), debug=debug)


@app.command(
    cls=Command,
    short_help="Triage one person: answer the questions (or give an answers file) and get a recommendation.",
    epilog="Examples:\n\n"
    "  pmpt triage\n\n"
    "  pmpt triage --answers examples/physical-therapy-knee.toml\n\n"
    "  pmpt triage --answers answers.toml --json > result.json\n\n"
    "  pmpt triage --answers answers.toml --set pain_now=7 --export summary.toml\n\n"
    "  cat answers.toml | pmpt triage --answers - --no-input\n\n"
    "  pmpt triage --resume",
)
def triage(
    ctx: typer.Context,
    answers: Annotated[
        Optional[str],
        typer.Option(
            "--answers", "-a", metavar="FILE", help="Answers file (TOML, or JSON if it ends in .json); - reads stdin."
        ),
    ] = None,
    questionnaire: Annotated[
        Optional[str],
        questionnaire_option("Questionnaire id or .toml path (default: the answers file's, else pmpt-core)."),
    ] = None,
    set_: Annotated[
        Optional[list[str]],
        typer.Option("--set", "-s", metavar="ID=VALUE", help="Set one answer, overriding the file (repeatable)."),
    ] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; fail if any answer is missing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole result as JSON on stdout.")] = False,
    export: Annotated[
        Optional[str],
        typer.Option("--export", "-o", metavar="FILE", help="Write the summary as TOML to FILE (- for stdout)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite the --export file if it exists.")] = False,
    redact: Annotated[
        bool,
        typer.Option("--redact", help="With --export: leave out free-text and date answers and the time of day."),
    ] = False,
    plain: Annotated[
        bool, typer.Option("--plain", help="Plain text output, and plain numbered prompts (for screen readers).")
    ] = False,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Continue the unfinished answers saved when you stopped (or --save FILE's)."),
    ] = False,
    save: Annotated[
        Optional[str],
        typer.Option(
            "--save",
            metavar="FILE",
            help="Where to keep unfinished answers if you stop (default: ~/.local/share/pmpt/).",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="List every missing answer, not only how many are missing.")
    ] = False,
    no_color: NoColor = False,
) -> None:
    """Triage: answer the questions (or give an answers file) and get a recommendation."""
    from pmpt_cli.cli.triage_flow import TriageRequest, run

    apply_no_color(ctx, no_color)
    env = from_context(ctx)
    if as_json and export == "-":
        raise UsageError("--json and --export - both write to stdout; choose one, or export to a file.")
    if redact and not export:
        raise UsageError("--redact applies to the summary written with --export FILE.")
    run(TriageRequest(
        answers_path=answers, questionnaire=questionnaire, overrides=tuple(set_ or ()), no_input=no_input,
        as_json=as_json, export=export, force=force, redact=redact, plain=plain, plain_prompts=plain, resume=resume,
        save=save, verbose=verbose,
    ), env)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status (used by ``pmpt`` and ``python -m pmpt_cli``)."""
    # Help is wrapped to the terminal, however narrow (click would keep 50 columns at least).
    width = max(30, min(Environment.from_system().width, 100) - 1)
    try:
        app(args=argv, prog_name="pmpt", terminal_width=width)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else int(ExitCode.FAILURE))
    return 0
