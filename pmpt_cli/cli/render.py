"""Show a triage result to a person: rich in a colour terminal, plain text elsewhere.

Both renderers read the same plain data (``report.result_to_dict``) and choose what
to show the same way (``Shown``); rendering never decides anything. Rich is imported
only when a rich summary is drawn.

The result comes in two parts. The details (why, also noted, what the care involves,
what to do, the needs and scores, the sources) come first; the **card** comes last, so
that it is what is on the screen when pmpt ends: the headline, the deciding reason in
a sentence or two, and the next step. Under a red flag the instruction is the card's
last line.

Every string from the questionnaire or the answers passes ``messages.safe_text``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pmpt_cli.cli.wrap import cell_width, wrap
from pmpt_cli.messages import safe_text
from pmpt_cli.model import RED_FLAG_OUTCOMES
from pmpt_cli.report import format_number

if TYPE_CHECKING:
    from pmpt_cli.cli.environment import Environment

OUTCOME_STYLES = {
    "emergency": "bold white on red",
    "urgent": "bold black on yellow",
    "pain-management": "bold magenta",
    "both": "bold cyan",
    "physical-therapy": "bold green",
    "self-care": "bold blue",
}
BORDER_STYLES = {"emergency": "bold red", "urgent": "bold yellow"}
#: The card's "why": at most two sentences, and one if two would run past this many characters.
WHY_LIMIT = 320
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")


def t(text: Any) -> str:
    """Questionnaire or answer text made safe for a terminal."""
    return safe_text(str(text))


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences (a full stop, then a capital letter)."""
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def finding(explanation: str) -> str:
    """What a reason found, without what it recommends: its first sentence.

    An "also noted" route must never contradict the outcome ("physical therapy is the
    first treatment" under "pain management first"); explanations say what the person
    reported first and what that calls for after.
    """
    found = sentences(explanation)
    return found[0] if found else explanation


def why_text(explanation: str) -> str:
    """The deciding reason for the card: its first two sentences, or one if two are long."""
    found = sentences(explanation)
    if not found:
        return explanation
    two = " ".join(found[:2])
    return two if len(two) <= WHY_LIMIT else found[0]


def shown_reasons(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The reasons under "Why": only those for the outcome itself, the deciding one first."""
    return [r for r in data["reasons"] if r["outcome"] == data["outcome"]]


#: How "also noted" names a route that also fired (the outcome ids are for --json).
_ROUTES = {
    "pain-management": "Pain management",
    "physical-therapy": "Physical therapy",
    "both": "Pain management followed by physical therapy",
    "self-care": "Looking after it yourself",
    "under-16": "A GP or children's service",
}


def also_noted_text(data: dict[str, Any], reason: dict[str, Any]) -> str:
    """How another route that fired is mentioned: another red flag by what it found; a care
    route by its name and the answers behind it, never by its explanation, which may say
    why it would come first ("no specific reason for a pain specialist first" under "pain
    management first, then physical therapy")."""
    if reason["outcome"] in RED_FLAG_OUTCOMES:
        return finding(t(reason["explanation"]))
    route = _ROUTES.get(reason["outcome"], t(reason["outcome"]))
    if data["outcome"] == "both" and reason["outcome"] in ("pain-management", "physical-therapy"):
        text = f"{route} is part of your plan"
    else:
        text = f"{route} was also considered"
    return text + (", from these answers:" if supporting(reason["evidence"]) else ".")


def also_noted_reasons(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Other routes that also fired, shown as "also noted" (by what they found only).

    Under a red flag only the other red flags: the summary never mixes "go to hospital
    now" with "this usually settles" (--json keeps every reason).
    """
    outcome = data["outcome"]
    others = [r for r in data["reasons"] if r["outcome"] != outcome]
    if outcome in RED_FLAG_OUTCOMES:
        others = [r for r in others if r["outcome"] in RED_FLAG_OUTCOMES]
    return others


def shown_scores(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Scores for the person: none under an emergency (only the instruction matters then);
    never helper scores marked ``internal``, scores that could not be computed, or scores
    of questions that were not asked."""
    if data["outcome"] == "emergency":
        return []
    return [
        s
        for s in data["scores"].values()
        if not s.get("internal") and s["value"] is not None and s.get("from_answers", True)
    ]


def shown_needs(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The pain-relief and rehabilitation needs, when the result has them (not under an emergency)."""
    if data["outcome"] == "emergency":
        return []
    return [n for n in data.get("needs") or [] if isinstance(n, dict) and n.get("value") is not None]


def supporting(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Evidence that supports its reason (``report.evidence_list``)."""
    return [e for e in evidence if e.get("supports", True)]


class Sources:
    """Numbers the sources as they are cited, so each appears once in a list at the end."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def cite(self, source: str) -> str:
        """``[n]`` for ``source`` (an empty string for none)."""
        source = (source or "").strip()
        if not source:
            return ""
        if source not in self.texts:
            self.texts.append(source)
        return f"[{self.texts.index(source) + 1}]"


def card(data: dict[str, Any]) -> dict[str, str]:
    """What the result card says: ``headline``, ``why`` and the ``next`` step.

    The next step is the outcome's first step: under a red flag that is the instruction
    (go to the emergency department; phone the GP today).
    """
    care = data["care"]
    if care is None:  # a measure-only questionnaire: scores and bands, no outcome
        return {"headline": t(data["headline"]), "why": "", "next": "Look at the scores above with your clinician."}
    decisive = next((r for r in data["reasons"] if r["decisive"]), None)
    why = why_text(t(decisive["explanation"])) if decisive else ""
    steps = care.get("steps") or []
    return {"headline": t(care["headline"]), "why": why, "next": t(steps[0] if steps else care["next"])}


def _evidence_line(e: dict[str, Any]) -> str:
    return f"{t(e['label'])} → {t(e['answer'])}"


def _bar(value: float, top: float, width: int, full: str, empty: str) -> str:
    filled = 0 if top <= 0 else round(width * max(0.0, min(1.0, float(value) / float(top))))
    return full * filled + empty * (width - filled)


def need_rows(needs: list[dict[str, Any]], width: int) -> tuple[int, int, list[tuple[str, str, str]]]:
    """How to lay the needs out in ``width`` columns: the label column's width (0: each
    label on a line of its own above its bar, for narrow screens), the bars' width (the
    same for every bar, so that they compare) and each need's ``(label, value, band)``."""
    rows = []
    for need in needs:
        label = t(need.get("label") or need.get("need") or need.get("id", ""))
        value = f"{format_number(need['value'])}/{format_number(need.get('max') or 10)}"
        rows.append((label, value, t(need.get("band") or "")))
    label_w = max(cell_width(label) for label, _, _ in rows)
    tail = max(len(value) + 1 + cell_width(band) for _, value, band in rows)
    bar_w = width - label_w - tail - 5  # a space each side of the bar and its brackets
    if bar_w < 10:
        label_w, bar_w = 0, width - tail - 7
    return label_w, max(5, min(bar_w, 20)), rows


def print_summary(data: dict[str, Any], stream: Any, env: Environment, *, plain: bool, details: bool = True) -> None:
    """The details and then the result card (only the card without ``details``)."""
    if plain or not env.styled(stream):
        width = env.width_for(stream)
        stream.write(render_plain(data, width) if details else render_plain_card(data, width))
        stream.flush()
        return
    from rich.console import Console

    console = Console(file=stream, highlight=False, width=env.width_for(stream))
    if details:
        render_rich(data, console)
    else:
        render_rich_card(data, console, note="" if stream is env.stdout else "the full result is on stdout")


# -- plain ------------------------------------------------------------------------------------


def render_plain(data: dict[str, Any], width: int = 80) -> str:
    """The details, then the result card, as plain wrapped text (pipes, logs, screen readers)."""
    return render_plain_details(data, width) + render_plain_card(data, width)


def render_plain_details(data: dict[str, Any], width: int = 80) -> str:
    """Everything but the card: why, also noted, care, what to do, needs, scores, sources."""
    width = max(20, width)
    lines: list[str] = []
    sources = Sources()

    def para(text: str, first: str = "", rest: str | None = None) -> None:
        lines.extend(wrap(text, width, first, rest))

    care = data["care"]
    if care is None:  # a measure-only questionnaire
        lines.append(f"MEASURE-ONLY: {t(data['headline'])}")
    else:
        lines.append(f"OUTCOME: {t(data['outcome'])} - {t(care['headline'])}")
        lines.append("")
        lines.append("Why:")
    for reason in shown_reasons(data):
        mark = "*" if reason["decisive"] else "-"
        cite = sources.cite(t(reason["source"]))
        para(f"{t(reason['explanation'])} {cite}".rstrip(), f"  {mark} ", "    ")
        for e in supporting(reason["evidence"]):
            para(_evidence_line(e), "      you said: " if e["kind"] == "question" else "      score: ", "        ")
    also = also_noted_reasons(data)
    if also or data["notes"]:
        lines.append("")
        lines.append("Also noted:")
        for reason in also:
            para(f"{also_noted_text(data, reason)} {sources.cite(t(reason['source']))}".rstrip(), "  - ", "    ")
            for e in supporting(reason["evidence"]):
                para(_evidence_line(e), "      you said: " if e["kind"] == "question" else "      score: ", "        ")
        for note in data["notes"]:
            para(f"{t(note['text'])} {sources.cite(t(note.get('source', '')))}".rstrip(), "  - ", "    ")
    if care is not None:
        lines.append("")
        lines.append("What this care involves:")
        para(t(care["care"]), "  ")
        lines.append("")
        lines.append("What to do next:")
        for i, step in enumerate(care["steps"], 1):
            para(t(step), f"  {i}. ", "     ")
        para(t(care["next"]), "  ")
    needs = shown_needs(data)
    if needs:
        lines.append("")
        lines.append("Your needs:")
        label_w, bar_w, rows = need_rows(needs, width - 2)
        for need, (label, value, band) in zip(needs, rows):
            bar = f"[{_bar(need['value'], need.get('max') or 10, bar_w, '#', '.')}] {value} {band}".rstrip()
            if label_w:
                lines.append(f"  {label}{' ' * (label_w - cell_width(label))} {bar}")
            else:
                lines += wrap(label, width, "  ")
                lines.append(f"    {bar}")
    scores = shown_scores(data)
    if scores:
        lines.append("")
        lines.append("Scores:")
        for score in scores:
            band = f" ({t(score['band'])})" if score["band"] else ""
            para(f"{t(score['label'])}: {format_number(score['value'])}{band}", "  ", "      ")
    if sources.texts:
        lines.append("")
        lines.append("Sources:")
        for i, source in enumerate(sources.texts, 1):
            para(source, f"  [{i}] ", " " * (len(str(i)) + 5))
    lines.append("")
    para(t(data["disclaimer"]))
    return "\n".join(lines) + "\n"


def render_plain_card(data: dict[str, Any], width: int = 80) -> str:
    """The result card in plain text: what stays on the screen when pmpt ends."""
    width = max(20, width)
    facts = card(data)
    rule = "=" * min(width, 80)
    lines = ["", rule]
    lines += wrap(f"YOUR RESULT: {facts['headline']}", width)
    if facts["why"]:
        lines.append("")
        lines += wrap(facts["why"], width, "Why: ", "")
    lines.append("")
    label = "Do this now: " if data["outcome"] in RED_FLAG_OUTCOMES else "Next step: "
    lines += wrap(facts["next"], width, label, "")
    lines.append(rule)
    return "\n".join(lines) + "\n"


# -- rich -------------------------------------------------------------------------------------


def render_rich(data: dict[str, Any], console: Any) -> None:
    """Draw the details, then the card, on a rich ``Console``. All text is escaped."""
    render_rich_details(data, console)
    render_rich_card(data, console)


def render_rich_details(data: dict[str, Any], console: Any) -> None:
    from rich import box
    from rich.markup import escape
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    def e(text: Any) -> str:
        return escape(t(text))

    def item(mark: str, markup: str, indent: int = 1) -> None:
        """A line with a hanging indent: continuation lines start under the text, not the mark."""
        text = Text.from_markup(markup)
        lead = Text.from_markup(" " * indent + mark)
        grid = Table.grid(padding=(0, 1, 0, 0))
        grid.add_column(width=lead.cell_len, no_wrap=True)
        grid.add_column()
        grid.add_row(lead, text)
        console.print(grid)

    sources = Sources()
    care = data["care"]
    style = OUTCOME_STYLES.get(data["outcome"], "bold")
    console.print(Text(t(care["headline"] if care is not None else data["headline"]), style=style))
    console.print()
    if data["reasons"]:
        console.print("[bold]Why[/bold]")
    for reason in shown_reasons(data):
        cite = sources.cite(t(reason["source"]))
        item("[bold]>[/bold]" if reason["decisive"] else "-", f"{e(reason['explanation'])} [dim]{cite}[/dim]")
        for ev in supporting(reason["evidence"]):
            who = "you said" if ev["kind"] == "question" else "score"
            item(f"[dim]{who}:[/dim]", f"{e(ev['label'])} [dim]→[/dim] [bold]{e(ev['answer'])}[/bold]", 4)
    also = also_noted_reasons(data)
    if also or data["notes"]:
        console.print("\n[bold]Also noted[/bold]")
        for reason in also:
            cite = sources.cite(t(reason["source"]))
            item("-", f"{e(also_noted_text(data, reason))} [dim]{cite}[/dim]")
            for ev in supporting(reason["evidence"]):
                who = "you said" if ev["kind"] == "question" else "score"
                item(f"[dim]{who}:[/dim]", f"{e(ev['label'])} [dim]→[/dim] [bold]{e(ev['answer'])}[/bold]", 4)
        for note in data["notes"]:
            cite = sources.cite(t(note.get("source", "")))
            item("-", f"{e(note['text'])} [dim]{cite}[/dim]")

    if care is not None:
        console.print("\n[bold]What this care involves[/bold]")
        console.print(Padding(Text(t(care["care"])), (0, 0, 0, 1)))
        console.print("\n[bold]What to do next[/bold]")
        for i, step in enumerate(care["steps"], 1):
            item(f"{i}.", e(step))
        console.print(Padding(Text(t(care["next"])), (0, 0, 0, 1)))

    needs = shown_needs(data)
    if needs:
        console.print("\n[bold]Your needs[/bold]")
        render_rich_needs(needs, console)
    scores = shown_scores(data)
    if scores:
        table = Table(title="Scores", box=box.SIMPLE, title_justify="left", title_style="bold")
        table.add_column("Score", ratio=1)
        table.add_column("Value", justify="right", no_wrap=True)
        table.add_column("Band")
        for score in scores:
            table.add_row(e(score["label"]), format_number(score["value"]), e(score["band"] or ""))
        console.print(table)
    if sources.texts:
        console.print("[bold]Sources[/bold]")
        for i, source in enumerate(sources.texts, 1):
            item(f"[dim][{i}][/dim]", f"[dim]{escape(source)}[/dim]")
    console.print(f"\n[italic]{e(data['disclaimer'])}[/italic]")


def render_rich_needs(needs: list[dict[str, Any]], console: Any) -> None:
    """The two bars, fitted to the console's width."""
    from rich.text import Text

    label_w, bar_w, rows = need_rows(needs, console.width - 1)
    for need, (label, value, band) in zip(needs, rows):
        if label_w:
            line = Text(" " + label + " " * (label_w - cell_width(label) + 2))
        else:
            console.print(Text(" " + label))
            line = Text("   ")
        bar = _bar(need["value"], need.get("max") or 10, bar_w, "█", "░")
        line.append(bar, style="cyan")
        line.append(f" {value} ")
        line.append(band, style="bold")
        console.print(line, no_wrap=True, overflow="ellipsis")


def render_rich_card(data: dict[str, Any], console: Any, note: str = "details above") -> None:
    """The result card: a panel that is the last thing printed."""
    from rich.markup import escape
    from rich.panel import Panel
    from rich.text import Text

    facts = card(data)
    outcome = data["outcome"]
    body = Text()
    body.append(facts["headline"], style=OUTCOME_STYLES.get(outcome, "bold"))
    if facts["why"]:
        body.append("\n\nWhy: ", style="bold")
        body.append(facts["why"])
    label = "Do this now: " if outcome in RED_FLAG_OUTCOMES else "Next step: "
    body.append("\n\n" + label, style="bold")
    body.append(facts["next"], style="bold" if outcome in RED_FLAG_OUTCOMES else "")
    console.print()
    title = "[bold]Your result[/bold]" if outcome is not None else "[bold]Your result: measure-only[/bold]"
    console.print(Panel(body, title=title, title_align="left",
                        border_style=BORDER_STYLES.get(outcome, "none"), subtitle=escape(note) if note else None))  # fmt: skip
