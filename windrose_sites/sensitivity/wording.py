"""The sentences of the weight analyses: overtakes, head-to-head answers, stability ranges.

Every share is of the total weight, printed as a percentage with one decimal.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import pandas as pd

__all__ = ["duel_sentence", "overtake_sentence", "pct", "stay_sentence"]

_TIE = 1e-12  # score gaps below this are ties


def pct(share: float) -> str:
    """A share of the total weight as a percentage, e.g. ``0.5 -> "50.0%"``."""
    return f"{100 * share:.1f}%"


def overtake_sentence(rising: str, falling: str, label: str, share: float, t0: float) -> str:
    """One crossing, told from the current share ``t0``."""
    if share >= t0:
        return f"{rising} overtakes {falling} when {label} reaches {pct(share)}"
    return f"{falling} overtakes {rising} when {label} falls to {pct(share)}"


def stay_sentence(name: str, label: str, lower: float, upper: float) -> str:
    """The range of a share within which the leader stays first."""
    if lower <= 0 and upper >= 1:
        return f"{name} stays first whatever the weight of {label} (0% to 100%)"
    if lower <= 0:
        return f"{name} stays first while {label} is at most {pct(upper)}"
    if upper >= 1:
        return f"{name} stays first while {label} is at least {pct(lower)}"
    return f"{name} stays first while {label} is between {pct(lower)} and {pct(upper)}"


def duel_sentence(
    site: Hashable,
    rival: Hashable,
    gap: float,
    frame: pd.DataFrame,
    t0: float,
    label: str,
    name: Callable[[Hashable], str],
) -> str:
    """Words for a head-to-head question from the pair's crossings and its score gap now."""
    a, b = name(site), name(rival)
    up = frame[frame["share"] > t0].head(1)
    down = frame[frame["share"] < t0].tail(1)
    tied = abs(gap) <= _TIE
    state = "ties with" if tied else ("is behind" if gap < 0 else "already beats")
    head = f"{a} {state} {b} with {label} at {pct(t0)} of the weight"
    if gap < -_TIE or (tied and len(up) and up["rising"].iloc[0] == site):
        if len(up):
            then = _then(up, name)
            return f"{head}; {a} overtakes {b} when {label} reaches {_at(up)}{then}."
        if len(down):
            return (
                f"{head}; more {label} does not help, but {a} overtakes {b} if {label} "
                f"falls to {_at(down)}."
            )
        return f"{head}; no weight of {label} puts {a} ahead."
    if len(up) and len(down):
        return f"{head}, and stays ahead while {label} is between {_at(down)} and {_at(up)}."
    if len(up):
        return f"{head}; {b} overtakes {a} if {label} reaches {_at(up)}."
    if len(down):
        return (
            f"{head}, and more {label} keeps it ahead; {b} overtakes {a} if {label} "
            f"falls to {_at(down)}."
        )
    return f"{head}, and stays ahead whatever the weight of {label}."


def _at(row: pd.DataFrame) -> str:
    """The share of a one-row crossing frame, as a percentage."""
    return pct(row["share"].iloc[0])


def _then(row: pd.DataFrame, name: Callable[[Hashable], str]) -> str:
    """Who is first overall just past a one-row crossing frame's share."""
    rising, after = row["rising"].iloc[0], row["leader_after"].iloc[0]
    if rising == after:
        return ", and is then first overall"
    return f" ({name(after)} is first overall there)"
