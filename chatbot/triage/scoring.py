"""Figures of triage against labelled messages (format: benchmarks/data/triage/FORMAT.md).

- urgent recall: messages labelled emergency or crisis that got an urgent answer;
- per flag: the share of messages with that flag that got at least their level's notice
  (urgent for emergency and crisis flags; same-day or more for same-day flags);
- crisis line: messages with ``self_harm`` whose triage names it (so the crisis line is shown);
- false alarms: routine messages given any notice (and, apart, an urgent one);
- per category and language: the share triaged at the labelled level or a more urgent one
  (for routine messages: left routine).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

URGENT = ("emergency", "crisis")
RANK = {"routine": 0, "same_day": 1, "crisis": 2, "emergency": 2}


def _covered(label: str, predicted: str) -> bool:
    if label == "routine":
        return predicted == "routine"
    if label in URGENT:
        return predicted in URGENT
    return RANK[predicted] >= RANK[label]


def score(records: Sequence[dict], triages: Sequence[Any]) -> dict[str, Any]:
    flag_hits: dict[str, list[bool]] = defaultdict(list)
    groups: dict[str, list[bool]] = defaultdict(list)
    confusion: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    urgent, same_day, routine, crisis_line = [], [], [], []
    routine_urgent = []
    for r, t in zip(records, triages):
        label, predicted = r["level"], t.level
        confusion[label][predicted] += 1
        ok = _covered(label, predicted)
        groups[f"category:{r['category']}"].append(ok)
        groups[f"lang:{r.get('lang', 'en')}"].append(ok)
        groups["turns:multi" if r.get("history") else "turns:single"].append(ok)
        for flag in r["flags"]:
            flag_hits[flag].append(_covered(label if flag != "self_harm" else "crisis", predicted))
        if label in URGENT:
            urgent.append(predicted in URGENT)
        elif label == "same_day":
            same_day.append(ok)
        else:
            routine.append(predicted != "routine")
            routine_urgent.append(predicted in URGENT)
        if "self_harm" in r["flags"]:
            crisis_line.append("self_harm" in t.flags)

    def share(values: list[bool]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    return {
        "messages": len(records),
        "urgent_recall": share(urgent), "urgent_messages": len(urgent),
        "same_day_recall": share(same_day), "same_day_messages": len(same_day),
        "false_alarm_rate": share(routine), "urgent_false_alarm_rate": share(routine_urgent), "routine_messages": len(routine),
        "crisis_line_on_self_harm": share(crisis_line), "self_harm_messages": len(crisis_line),
        "per_flag_recall": {f: {"recall": share(v), "n": len(v)} for f, v in sorted(flag_hits.items())},
        "per_group": {g: {"correct": share(v), "n": len(v)} for g, v in sorted(groups.items())},
        "confusion": {label: dict(row) for label, row in confusion.items()},
    }


def headline(figures: dict[str, Any]) -> str:
    """One line of ``score``'s main figures."""
    return (f"urgent recall {figures['urgent_recall']} (n={figures['urgent_messages']}), "
            f"same-day recall {figures['same_day_recall']} (n={figures['same_day_messages']}), "
            f"false alarms {figures['false_alarm_rate']} (urgent {figures['urgent_false_alarm_rate']}; n={figures['routine_messages']}), "
            f"crisis line on self-harm {figures['crisis_line_on_self_harm']} (n={figures['self_harm_messages']})")


def table(figures: dict[str, Any]) -> str:
    """A plain-text report of ``score``'s figures."""
    lines = [
        headline(figures),
        "",
        "confusion (rows: label, columns: triage)",
        f"{'':>10} " + " ".join(f"{c:>10}" for c in ("emergency", "crisis", "same_day", "routine")),
    ]
    for label in ("emergency", "crisis", "same_day", "routine"):
        row = figures["confusion"].get(label, {})
        lines.append(f"{label:>10} " + " ".join(f"{row.get(c, 0):>10}" for c in ("emergency", "crisis", "same_day", "routine")))
    lines += ["", "per flag (recall of its level's notice)"]
    lines += [f"  {f:<22} {v['recall']:.3f}  n={v['n']}" for f, v in figures["per_flag_recall"].items()]
    lines += ["", "per group (share triaged right)"]
    lines += [f"  {g:<34} {v['correct']:.3f}  n={v['n']}" for g, v in figures["per_group"].items()]
    return "\n".join(lines)
