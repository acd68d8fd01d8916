"""What ``pmpt export`` and ``pmpt compare`` do with saved summaries, writing to the
environment's streams (the work is in the core: ``summary``, ``export``, ``compare``)."""

from __future__ import annotations

from pmpt_cli.cli.environment import Environment
from pmpt_cli.cli.fileio import read_input, write_json, write_private
from pmpt_cli.messages import quote, quote_path


def export_summary(
    env: Environment, path: str, *, fmt: str | None, output: str | None, force: bool, redact: bool,
    pseudonym: str | None, questionnaire: str | None, paper: str,
) -> None:  # fmt: skip
    """A summary as FHIR (a Bundle, or the response alone), a printable HTML report, or PDF."""
    from pmpt_cli.errors import UsageError
    from pmpt_cli.export import export_format, render_summary
    from pmpt_cli.loader import load_questionnaire
    from pmpt_cli.printable import PAPERS
    from pmpt_cli.summary import read_summary

    chosen = export_format(fmt, output)
    if paper.lower() not in PAPERS:
        raise UsageError(f"--paper must be a4 or letter, not {quote(paper)}.")
    origin, data = read_input(path, "a summary", env.stdin)
    document = read_summary(data, origin=origin)
    q = load_questionnaire(questionnaire or document["questionnaire"])
    if document["questionnaire_sha256"] != q.sha256:
        env.say(f"warning: {quote_path(origin)} was made with another version of questionnaire '{q.id}' "
                f"({quote(document['questionnaire_version'])}); its texts now may differ.")  # fmt: skip
    rendered = render_summary(q, document, chosen, pseudonym=pseudonym, redacted=redact, paper=paper)
    target = output or "-"
    if chosen == "pdf" and target == "-" and env.stdout_isatty:
        raise UsageError("PDF is binary: give --output FILE.pdf, or redirect stdout to a file.")
    write_private(target, rendered, force=force, stdout=env.stdout)
    if target != "-":
        env.say(f"Wrote {chosen} to {quote_path(target)}.")


def compare(env: Environment, paths: list[str], *, as_json: bool) -> None:
    """Scores across summaries of one questionnaire, against each score's MCID."""
    from pmpt_cli.compare import compare_summaries
    from pmpt_cli.summary import read_summary

    read = [read_input(path, "a summary", env.stdin) for path in paths]
    data = compare_summaries([read_summary(data, origin=origin) for origin, data in read], [o for o, _ in read])
    for warning in data["warnings"]:
        env.say(f"warning: {warning}")
    if as_json:
        write_json(data, env.stdout)
        return
    if not env.styled(env.stdout):
        from pmpt_cli.cli.compare_view import render_plain

        env.stdout.write(render_plain(data))
        return
    from rich.console import Console

    from pmpt_cli.cli.compare_view import render_rich

    render_rich(data, Console(file=env.stdout, highlight=False, width=env.width))
