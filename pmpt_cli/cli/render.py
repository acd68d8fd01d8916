"""Show a triage summary to a person: rich in a colour terminal, plain text elsewhere.

Both renderers read the same plain data (``report.result_to_dict``); rendering
never decides anything. Rich is imported only when a rich summary is drawn.
"""

from __future__ import annotations

import textwrap
from typing import Any

from pmpt_cli.report import format_number, shown_reasons

OUTCOME_STYLES = {
    "emergency": "bold white on red",
    "urgent": "bold black on yellow",
    "under-16": "bold yellow",
    "pain-management": "bold magenta",
    "both": "bold cyan",
    "physical-therapy": "bold green",
    "self-care": "bold blue",
}


def shown_scores(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Scores for the person: helper scores marked ``internal`` stay in the data only."""
    return [s for s in data["scores"].values() if not s.get("internal")]


def _evidence_line(e: dict[str, Any]) -> str:
    label = e["label"]
    return f"{label} {e['answer']}" if label.endswith("?") else f"{label}: {e['answer']}"


def render_plain(data: dict[str, Any], width: int = 80) -> str:
    """The summary as plain, wrapped text for pipes, logs and screen readers."""
    lines: list[str] = []

    def para(text: str, indent: str = "", first: str | None = None) -> None:
        lines.extend(textwrap.wrap(text, width, initial_indent=first if first is not None else indent,
                                   subsequent_indent=indent) or [""])  # fmt: skip

    care = data["care"]
    if care is None:  # a measure-only questionnaire
        lines.append(f"MEASURE-ONLY: {data['headline']}")
    else:
        lines.append(f"OUTCOME: {data['outcome']} - {care['headline']}")
        lines.append("")
        lines.append("Why:")
    for reason in shown_reasons(data):
        mark = "*" if reason["decisive"] else "-"
        para(reason["explanation"], "    ", f"  {mark} ")
        for e in reason["evidence"]:
            para(_evidence_line(e), "        ", "      you said: " if e["kind"] == "question" else "      score: ")
        para(f"source: {reason['source']}", "        ", "      ")
    if data["notes"]:
        lines.append("")
        lines.append("Also noted:")
        for note in data["notes"]:
            para(note["text"], "    ", "  - ")
    if care is not None:
        lines.append("")
        lines.append("What this care involves:")
        para(care["care"], "  ", "  ")
        lines.append("")
        lines.append("What to do next:")
        for i, step in enumerate(care["steps"], 1):
            para(step, "     ", f"  {i}. ")
        para(care["next"], "  ", "  ")
    if shown_scores(data):
        lines.append("")
        lines.append("Scores:")
        for score in shown_scores(data):
            value = "not computed" if score["value"] is None else format_number(score["value"])
            band = f" ({score['band']})" if score["band"] else ""
            para(f"{score['label']}: {value}{band}", "      ", "  ")
    lines.append("")
    para(data["disclaimer"])
    return "\n".join(lines) + "\n"


def render_rich(data: dict[str, Any], console: Any) -> None:
    """Draw the summary on a rich ``Console``. All questionnaire text is escaped."""
    from rich import box
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    care = data["care"]
    style = OUTCOME_STYLES.get(data["outcome"], "bold")
    headline = care["headline"] if care is not None else data["headline"]
    console.print(Panel(Text(headline, style=style, justify="center"),
                        title="pmpt triage", subtitle=data["outcome"] or "measure-only", box=box.HEAVY))  # fmt: skip

    if data["reasons"]:
        console.print("[bold]Why[/bold]")
    for reason in shown_reasons(data):
        mark = "[bold]>[/bold]" if reason["decisive"] else "-"
        console.print(f" {mark} {escape(reason['explanation'])}")
        for e in reason["evidence"]:
            who = "you said" if e["kind"] == "question" else "score"
            console.print(f"     [dim]{who}:[/dim] {escape(e['label'])} [bold]{escape(e['answer'])}[/bold]")
        console.print(f"     [dim]source: {escape(reason['source'])}[/dim]")
    if data["notes"]:
        console.print("\n[bold]Also noted[/bold]")
        for note in data["notes"]:
            console.print(f" - {escape(note['text'])}")

    if care is not None:
        console.print("\n[bold]What this care involves[/bold]")
        console.print(f" {escape(care['care'])}")
        console.print("\n[bold]What to do next[/bold]")
        for i, step in enumerate(care["steps"], 1):
            console.print(f" {i}. {escape(step)}")
        console.print(f" {escape(care['next'])}")

    if shown_scores(data):
        table = Table(title="Scores", box=box.SIMPLE, title_justify="left", title_style="bold")
        table.add_column("Score")
        table.add_column("Value", justify="right")
        table.add_column("Band")
        for score in shown_scores(data):
            value = "not computed" if score["value"] is None else format_number(score["value"])
            table.add_row(escape(score["label"]), value, escape(score["band"] or ""))
        console.print(table)
    console.print(f"[italic]{escape(data['disclaimer'])}[/italic]")
