"""From measured values to a check's outcome, and from outcomes to a claim's verdict.

One rule everywhere (``docs/verdicts.md``):

* numbers: the mean of the per-unit values and its 95 % Student-t interval (n >= 2); the check is
  *met* when the whole interval satisfies the expectation, *not met* when the whole interval
  violates it, and *inconclusive* when it straddles the threshold; one value decides by itself;
* booleans: *met* when every value (``all``) or at least one (``any``) is true;
* a claim is *inconclusive* when a precondition is not met, else its primary checks decide with the
  claim's rule (``all`` or ``any``); controls never change a verdict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .records import CheckSpec, ClaimRule, Expect, short_number

Outcome = Literal["met", "not-met", "inconclusive", "error"]
ClaimVerdict = Literal[
    "reproduced", "partially-reproduced", "not-reproduced", "inconclusive", "error", "not-run", "not-attempted"
]
INTERVAL_RULE = "t95"
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Judgement:
    outcome: Outcome
    statistic: float | bool | None
    interval: tuple[float, float] | None
    reason: str


def t_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean and two-sided Student-t confidence interval of the mean; (x, x, x) for one value."""
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    mean = math.fsum(values) / n
    if n == 1:
        return mean, mean, mean
    from scipy import stats

    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * math.sqrt(var / n)
    return mean, mean - half, mean + half


def _inside(x: float, lo: float, hi: float, lo_in: bool, hi_in: bool) -> bool:
    return (x > lo or (lo_in and x == lo)) and (x < hi or (hi_in and x == hi))


def judge(expect: Expect, aggregate: str, values: Sequence[float | bool]) -> Judgement:
    """The outcome of one check from its per-unit values."""
    if not values:
        return Judgement("error", None, None, "no value was measured")
    if expect.boolean:
        if not all(isinstance(v, bool) for v in values):
            return Judgement("error", None, None, "a boolean expectation needs true/false values")
        hits = [v is expect.equals for v in values]
        ok = all(hits) if aggregate == "all" else any(hits)
        n_hit = sum(hits)
        statistic = all(values) if aggregate == "all" else any(values)
        reason = f"{n_hit} of {len(values)} value(s) {'are' if n_hit != 1 else 'is'} {expect.equals} ({aggregate})"
        return Judgement("met" if ok else "not-met", statistic, None, reason)
    if any(isinstance(v, bool) for v in values):
        return Judgement("error", None, None, "a numeric expectation needs numbers, got a boolean")
    floats = [float(v) for v in values]
    if not all(math.isfinite(v) for v in floats):
        return Judgement("error", None, None, "a measured value is NaN or infinite")
    mean, lo, hi = t_interval(floats)
    low, high, lo_in, hi_in = expect.bounds()
    if len(floats) == 1:
        ok = _inside(mean, low, high, lo_in, hi_in)
        return Judgement(
            "met" if ok else "not-met", mean, None, f"one value, no interval: {short_number(mean)} vs {expect.words()}"
        )
    span = f"mean {short_number(mean)}, 95% interval [{short_number(lo)}, {short_number(hi)}] over {len(floats)} values"
    if _inside(lo, low, high, lo_in, hi_in) and _inside(hi, low, high, lo_in, hi_in):
        return Judgement("met", mean, (lo, hi), f"{span}: all of it {expect.words()}")
    if hi < low or lo > high or (hi == low and not lo_in) or (lo == high and not hi_in):
        return Judgement("not-met", mean, (lo, hi), f"{span}: none of it {expect.words()}")
    return Judgement("inconclusive", mean, (lo, hi), f"{span} straddles the threshold ({expect.words()})")


@dataclass(frozen=True)
class CheckOutcome:
    """A check of a claim with its outcome in one run (None when the run has no such check)."""

    spec: CheckSpec
    outcome: Outcome | None
    reason: str = ""


def claim_verdict(rule: ClaimRule, checks: Sequence[CheckOutcome]) -> tuple[ClaimVerdict, str]:
    """A claim's verdict from the outcomes of its checks, with the reason in words."""
    missing = [c.spec.id for c in checks if c.spec.role != "control" and c.outcome in (None, "error")]
    if missing:
        return "error", "not measured or failed: " + ", ".join(missing)
    failed = [c.spec.id for c in checks if c.spec.role == "precondition" and c.outcome != "met"]
    if failed:
        return "inconclusive", "precondition not met: " + ", ".join(failed)
    primary = [c for c in checks if c.spec.role == "primary"]
    met = [c.spec.id for c in primary if c.outcome == "met"]
    not_met = [c.spec.id for c in primary if c.outcome == "not-met"]
    unsure = [c.spec.id for c in primary if c.outcome == "inconclusive"]
    if not primary:
        return "error", "no primary check"
    total = len(primary)
    if rule == "any":
        if met:
            return "reproduced", f"{len(met)} of {total} primary checks met (rule any)"
        if unsure:
            return "inconclusive", "no primary check met; undecided: " + ", ".join(unsure)
        return "not-reproduced", f"none of {total} primary checks met (rule any)"
    if len(met) == total:
        return "reproduced", f"all {total} primary check{'s' if total != 1 else ''} met"
    if met:
        rest = ", ".join(not_met + unsure)
        return "partially-reproduced", f"{len(met)} of {total} primary checks met; not met or undecided: {rest}"
    if not_met:
        return "not-reproduced", f"no primary check met ({', '.join(not_met)} not met)"
    return "inconclusive", "every primary check is undecided: " + ", ".join(unsure)
