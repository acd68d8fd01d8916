"""``pmpt compare`` on screen: a table of the scores over time with sparklines, plain or rich.

Both read the data ``compare.compare_summaries`` gives; rendering decides nothing.
"""

from __future__ import annotations

from typing import Any

from pmpt_cli.report import format_number

DIRECTION_STYLES = {"better": "bold green", "worse": "bold red", "no important change": "dim"}


def _value(value: Any) -> str:
    return "-" if value is None else format_number(value)


def _change(row: dict[str, Any]) -> str:
    change = row["change"]
    if change is None:
        return "-"
    return ("+" if change > 0 else "") + format_number(change)


def _mcid(row: dict[str, Any]) -> str:
    if row["mcid"] is None:
        return "-"
    reached = "reached" if row["important"] else "not reached"
    return f"{format_number(row['mcid'])} ({reached})"


def _outcomes(data: dict[str, Any]) -> str:
    then, now = data["outcome"]["then"] or "none (measure-only)", data["outcome"]["now"] or "none (measure-only)"
    return f"Outcome then: {then}; now: {now}"


def render_plain(data: dict[str, Any]) -> str:
    """The comparison as a plain text table."""
    header = ["SCORE", *[s["created"][:10] if s["created"] else f"#{i}" for i, s in enumerate(data["summaries"], 1)],
              "CHANGE", "MCID", "TREND", "DIRECTION"]  # fmt: skip
    rows = [header] + [
        [row["label"], *(_value(v) for v in row["values"]), _change(row), _mcid(row), row["sparkline"],
         row["direction"]]
        for row in data["scores"]
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    lines = [
        f"Questionnaire: {data['questionnaire']['id']} ({' -> '.join(dict.fromkeys(data['questionnaire']['versions']))})"
    ]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)) + "  " + r[-1] for r in rows]
    for skipped in data["skipped_scores"]:
        lines.append(f"not compared: {skipped['label']}: {skipped['reason']}")
    lines.append(_outcomes(data))
    sources = {row["mcid_source"] for row in data["scores"] if row["mcid_source"]}
    lines += [f"MCID source: {source}" for source in sorted(sources)]
    return "\n".join(lines) + "\n"


def render_rich(data: dict[str, Any], console: Any) -> None:
    """The comparison as a rich table; questionnaire text is escaped."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{escape(data['questionnaire']['id'])}: scores over time", box=box.SIMPLE,
                  title_justify="left", title_style="bold")  # fmt: skip
    table.add_column("Score")
    for i, summary in enumerate(data["summaries"], 1):
        table.add_column(summary["created"][:10] if summary["created"] else f"#{i}", justify="right")
    for name, justify in (("Change", "right"), ("MCID", "right"), ("Trend", "left"), ("Direction", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in data["scores"]:
        style = DIRECTION_STYLES.get(row["direction"], "")
        table.add_row(escape(row["label"]), *(_value(v) for v in row["values"]), _change(row), _mcid(row),
                      row["sparkline"], f"[{style}]{escape(row['direction'])}[/]" if style else escape(row["direction"]))  # fmt: skip
    console.print(table)
    for skipped in data["skipped_scores"]:
        console.print(f"[dim]not compared: {escape(skipped['label'])}: {escape(skipped['reason'])}[/dim]")
    console.print(escape(_outcomes(data)))
    for source in sorted({row["mcid_source"] for row in data["scores"] if row["mcid_source"]}):
        console.print(f"[dim]MCID source: {escape(source)}[/dim]")
