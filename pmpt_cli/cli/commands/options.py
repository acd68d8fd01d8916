"""Options and help formatting that several commands share, declared once (typer)."""

from typing import Annotated, Any

import typer
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand, TyperGroup

from pmpt_cli.registry import complete_questionnaire_ids


def questionnaire_option(help: str) -> Any:
    """``--questionnaire/-q ID|PATH``, completed from the questionnaire ids."""
    return typer.Option(
        "--questionnaire", "-q", metavar="ID|PATH", autocompletion=complete_questionnaire_ids, help=help
    )


#: ``--no-color`` after any command, as well as before it (``pmpt --no-color triage``).
NoColor = Annotated[bool, typer.Option("--no-color", help="Plain text output, no colours.")]


def apply_no_color(ctx: Any, no_color: bool) -> None:
    """Turn colour off in the environment the root command keeps, if ``--no-color`` was given here."""
    if not no_color:
        return
    state = ctx.find_root().obj
    env = getattr(state, "env", None)
    if env is not None:
        state.env = env._replace(colour=False)


class WrappedEpilog:
    """Help drawn with ``Formatter``, and epilogs (the examples) wrapped at spaces only: click's wrapping also breaks at
    hyphens, which cut ``examples/physical-therapy-knee.toml`` in two on a narrow terminal.
    A long example goes on, indented, on the next line."""

    epilog: str | None

    def get_help(self, ctx: Any) -> str:
        formatter = Formatter(width=ctx.terminal_width, max_width=ctx.max_content_width)
        self.format_help(ctx, formatter)  # type: ignore[attr-defined]
        return formatter.getvalue().rstrip("\n")

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        from pmpt_cli.cli.wrap import wrap

        if not self.epilog:
            return
        formatter.write_paragraph()
        width = max(20, formatter.width - 2)
        paragraphs = self.epilog.strip("\n").split("\n\n")
        for number, paragraph in enumerate(paragraphs):
            if number:
                formatter.write("\n")
            for line in paragraph.splitlines():
                indent = "  " + line[: len(line) - len(line.lstrip())]
                for text in wrap(line.strip(), width, indent, indent + "    "):
                    formatter.write(text + "\n")


class Command(WrappedEpilog, TyperCommand):
    """A pmpt command (``@app.command(cls=Command)``)."""


class Formatter(HelpFormatter):
    """Help text wrapped at spaces only (click's wrapping breaks at hyphens too, and
    squeezes descriptions into ten columns on a narrow terminal: there, each description
    goes on the lines under its option instead)."""

    def write_text(self, text: str) -> None:
        from pmpt_cli.cli.wrap import wrap

        indent = " " * self.current_indent
        for number, paragraph in enumerate(text.split("\n\n")):
            if number:
                self.write("\n")
            for line in wrap(" ".join(paragraph.split()), self.width, indent, indent):
                self.write(line + "\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        from pmpt_cli.cli.wrap import wrap

        rows = list(rows)
        if not rows:
            return
        indent = self.current_indent
        first_col = min(max(len(term) for term, _ in rows), col_max) + col_spacing
        narrow = self.width - indent - first_col < 28
        for term, text in rows:
            lead = " " * indent + term
            text = " ".join((text or "").split())
            if narrow:
                self.write(lead + "\n")
                for line in wrap(text, self.width, " " * (indent + 4)) if text else []:
                    self.write(line + "\n")
                continue
            rest = " " * (indent + first_col)
            if len(term) + col_spacing <= first_col:
                lines = wrap(text, self.width, lead.ljust(indent + first_col), rest) if text else [lead]
            else:
                lines = [lead, *(wrap(text, self.width, rest) if text else [])]
            for line in lines:
                self.write(line + "\n")


class HelpOnStdout:
    """A group run with no command prints its help on stdout, then exits 2 (click would
    print it on stderr)."""

    no_args_is_help: bool

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            typer.echo(ctx.get_help())
            ctx.exit(2)
        return super().parse_args(ctx, args)  # type: ignore[misc]


class Group(HelpOnStdout, WrappedEpilog, TyperGroup):
    """A pmpt command group (``typer.Typer(cls=Group)``)."""
