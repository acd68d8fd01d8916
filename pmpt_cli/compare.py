"""Progress over time: several summaries of one questionnaire, score by score, as data.

For each score: its value in each summary, the change from the first to the last,
whether that change reaches the score's minimal important change (MCID), which way it
went ("better", "worse" or "no important change", by the score's ``better``), and a
sparkline across all the summaries; and the outcome then and now. ``pmpt compare``
renders this (cli/compare_view.py) or prints it as JSON. Summaries of different
questionnaires are refused; when the questionnaire's version or content changed
between them, only the scores whose definition did not change are compared.
"""

from __future__ import annotations

import datetime
from typing import Any

from pmpt_cli.errors import PmptError, UsageError

COMPARE_SCHEMA = 1
SPARKS = "▁▂▃▄▅▆▇█"


def compare_summaries(summaries: list[dict[str, Any]], origins: list[str]) -> dict[str, Any]:
    """The comparison of ``summaries`` (``summary.read_summary``, in the order given), oldest first."""
    if len(summaries) < 2:
        raise UsageError("compare needs at least two summaries: OLD.toml NEW.toml [MORE.toml ...].")
    ids = {s["questionnaire"] for s in summaries}
    if len(ids) > 1:
        which = ", ".join(f"{o} is '{s['questionnaire']}'" for o, s in zip(origins, summaries))
        raise PmptError(f"Summaries of different questionnaires cannot be compared ({which}); "
                        "compare summaries of one questionnaire.")  # fmt: skip
    warnings = []
    hashes = [s["questionnaire_sha256"] for s in summaries]
    changed = len(set(hashes)) > 1
    if changed:
        versions = " -> ".join(s["questionnaire_version"] for s in summaries)
        warnings.append(f"the questionnaire changed between these summaries (versions {versions}); only the scores "
                        "computed the same way in all of them are compared")  # fmt: skip
    times = [s.get("created") for s in summaries]
    if all(isinstance(t, (datetime.date, datetime.datetime)) for t in times):
        dates = [_as_datetime(t) for t in times]
        if dates != sorted(dates):
            warnings.append("the summaries are not in date order; they are compared in the order given")
    last = summaries[-1]["scores"]
    scores, skipped = [], []
    for sid, latest in last.items():
        if latest.get("internal"):
            continue
        label = latest.get("label") or sid
        entries = [s["scores"].get(sid) for s in summaries]
        if any(entry is None for entry in entries):
            skipped.append({"id": sid, "label": label, "reason": "not in every summary"})
            continue
        definitions = {entry.get("definition") for entry in entries}
        if changed and (None in definitions or len(definitions) > 1):
            reason = ("computed differently in some summaries" if None not in definitions
                      else "an older summary does not say how it was computed")  # fmt: skip
            skipped.append({"id": sid, "label": label, "reason": reason})
            continue
        scores.append(_score_row(sid, label, [entry.get("value") for entry in entries], latest))
    return {
        "schema": COMPARE_SCHEMA,
        "questionnaire": {
            "id": summaries[0]["questionnaire"],
            "versions": [s["questionnaire_version"] for s in summaries],
            "sha256": hashes,
        },  # fmt: skip
        "summaries": [
            {
                "origin": origin,
                "created": _text(s.get("created")),
                "questionnaire_version": s["questionnaire_version"],
                "outcome": s.get("outcome"),
            }
            for origin, s in zip(origins, summaries)
        ],  # fmt: skip
        "outcome": {"then": summaries[0].get("outcome"), "now": summaries[-1].get("outcome")},
        "scores": scores,
        "skipped_scores": skipped,
        "warnings": warnings,
    }


def _score_row(sid: str, label: str, values: list[Any], latest: dict[str, Any]) -> dict[str, Any]:
    mcid, better = latest.get("mcid"), latest.get("better")
    first, last = values[0], values[-1]
    change = None if first is None or last is None else round(last - first, 6)
    important = None if change is None or mcid is None else abs(change) >= mcid - 1e-9
    return {
        "id": sid, "label": label, "values": values, "change": change, "mcid": mcid,
        "mcid_source": latest.get("mcid_source"), "better": better, "important": important,
        "direction": direction(change, mcid, better), "sparkline": sparkline(values),
    }  # fmt: skip


def direction(change: float | None, mcid: float | None, better: str | None) -> str:
    """The change in a word: "better", "worse", "no important change", or why it cannot be judged."""
    if change is None:
        return "not computed in both"
    if mcid is None:
        return "no MCID to judge by"
    if abs(change) < mcid - 1e-9:
        return "no important change"
    if better not in ("lower", "higher"):
        return "important change (which way is better is not declared)"
    improved = change < 0 if better == "lower" else change > 0
    return "better" if improved else "worse"


def sparkline(values: list[Any]) -> str:
    """One block per summary, its height the value between the lowest and highest; a space when not computed."""
    numbers = [v for v in values if v is not None]
    if not numbers:
        return " " * len(values)
    low, high = min(numbers), max(numbers)
    marks = []
    for value in values:
        if value is None:
            marks.append(" ")
        elif high == low:
            marks.append(SPARKS[3])
        else:
            marks.append(SPARKS[round((value - low) / (high - low) * (len(SPARKS) - 1))])
    return "".join(marks)


def _as_datetime(value: Any) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    return datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.timezone.utc)


def _text(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else None
