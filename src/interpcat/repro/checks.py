"""State an expectation before measuring, then record the measurement and an honest verdict.

    run = Reproduction(paper="ross2017-right-reasons")
    collapse = run.expect(claim="decoy-collapse", description="plain model on swapped decoys",
                          at_most=0.70)            # stated before anything is trained
    ...
    collapse.measure(accuracy)                     # verdict recorded, never raised
    run.finish()                                   # writes repro/results/<profile>/<paper>.json

A check that misses its expectation is recorded as ``not-reproduced`` and the notebook goes on.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ..results import CheckResult, Expectation, ReproResult
from .environment import RESULTS_ENV, current_profile, project_root, provenance, seed_everything, select_device

_UNFINISHED = "the notebook stopped before run.finish()"


def _as_number(value: Any) -> float | bool:
    """A plain float or bool from a Python, NumPy or torch scalar."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    raise TypeError(f"a check measures a number or a bool, got {type(value).__name__}")


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def make_expectation(
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    greater_than: float | None = None,
    less_than: float | None = None,
    between: tuple[float, float] | None = None,
    close_to: float | None = None,
    tolerance: float | None = None,
    equals: bool | None = None,
) -> tuple[Expectation, str]:
    """Exactly one expectation, as data and in words."""
    given = {
        k: v
        for k, v in dict(
            at_least=at_least,
            at_most=at_most,
            greater_than=greater_than,
            less_than=less_than,
            between=between,
            close_to=close_to,
            equals=equals,
        ).items()
        if v is not None
    }
    if len(given) != 1:
        raise ValueError(f"state exactly one expectation, got {sorted(given) or 'none'}")
    if (close_to is None) != (tolerance is None):
        raise ValueError("close_to needs a tolerance, and tolerance goes with close_to")
    if at_least is not None:
        return Expectation(op=">=", value=float(at_least)), f">= {_fmt(at_least)}"
    if at_most is not None:
        return Expectation(op="<=", value=float(at_most)), f"<= {_fmt(at_most)}"
    if greater_than is not None:
        return Expectation(op=">", value=float(greater_than)), f"> {_fmt(greater_than)}"
    if less_than is not None:
        return Expectation(op="<", value=float(less_than)), f"< {_fmt(less_than)}"
    if between is not None:
        lo, hi = float(between[0]), float(between[1])
        if lo > hi:
            raise ValueError(f"between=({lo}, {hi}): the low end exceeds the high end")
        return Expectation(op="between", low=lo, high=hi), f"between {_fmt(lo)} and {_fmt(hi)}"
    if close_to is not None:
        assert tolerance is not None
        if tolerance < 0:
            raise ValueError("tolerance must be non-negative")
        exp = Expectation(op="close-to", value=float(close_to), tolerance=float(tolerance))
        return exp, f"{_fmt(close_to)} ± {_fmt(tolerance)}"
    assert equals is not None
    return Expectation(op="is", value=bool(equals)), f"is {bool(equals)}"


def holds(expectation: Expectation, measured: float | bool) -> bool:
    """Whether a measured value meets an expectation."""
    op = expectation.op
    if op == "is":
        return bool(measured) is expectation.value
    x = float(measured)
    v = expectation.value
    if op == ">=":
        return x >= v  # type: ignore[operator]
    if op == "<=":
        return x <= v  # type: ignore[operator]
    if op == ">":
        return x > v  # type: ignore[operator]
    if op == "<":
        return x < v  # type: ignore[operator]
    if op == "between":
        return expectation.low <= x <= expectation.high  # type: ignore[operator]
    return abs(x - v) <= expectation.tolerance  # type: ignore[operator]


class Check:
    """One expectation, stated before its value is known; measured once."""

    def __init__(self, run: Reproduction, claim: str, description: str, expectation: Expectation, expected: str):
        self.run = run
        self.claim = claim
        self.description = description
        self.expectation = expectation
        self.expected = expected
        self.declared_at = run.elapsed()
        self.result: CheckResult | None = None

    def measure(self, value: Any, note: str | None = None) -> CheckResult:
        """Record the measured value and its verdict. A miss is recorded, not raised."""
        if self.result is not None:
            raise RuntimeError(f"check {self.claim!r} was already measured; a check is measured once")
        measured = _as_number(value)
        if isinstance(measured, float) and not math.isfinite(measured):
            verdict, stored = "error", None
            note = f"measured value is {measured}" + (f"; {note}" if note else "")
        else:
            verdict = "reproduced" if holds(self.expectation, measured) else "not-reproduced"
            stored = measured
        self.result = CheckResult(
            claim=self.claim,
            description=self.description,
            expected=self.expected,
            expectation=self.expectation,
            measured=stored,
            verdict=verdict,
            declared_at=round(self.declared_at, 3),
            measured_at=round(self.run.elapsed(), 3),
            note=note,
        )
        shown = measured if isinstance(measured, bool) else _fmt(measured)
        print(f"[{verdict}] {self.claim}: measured {shown}, expected {self.expected}")
        self.run._write(status="error", error=_UNFINISHED)
        return self.result

    def pending_result(self) -> CheckResult:
        return self.result or CheckResult(
            claim=self.claim,
            description=self.description,
            expected=self.expected,
            expectation=self.expectation,
            measured=None,
            verdict="error",
            declared_at=round(self.declared_at, 3),
            measured_at=None,
            note="never measured",
        )


class Reproduction:
    """One run of one paper's notebook in one profile; writes its result file."""

    def __init__(self, paper: str, seed: int = 0, notebook: str | None = None):
        self.paper = paper
        self.seed = seed
        self.profile = current_profile()
        self.device = select_device(self.profile)
        self.root = project_root()
        self.notebook = notebook or f"repro/{paper}.py"
        out = os.environ.get(RESULTS_ENV)
        self.out_dir = Path(out) if out else self.root / "repro" / "results" / self.profile
        self.started = _dt.datetime.now(_dt.timezone.utc)
        self._t0 = time.perf_counter()
        self._checks: dict[str, Check] = {}
        self.finished = False
        seed_everything(seed)
        print(f"{paper}: profile {self.profile}, device {self.device}, seed {seed}")

    def elapsed(self) -> float:
        return time.perf_counter() - self._t0

    def pick(self, *, smoke: dict[str, Any], full: dict[str, Any]) -> SimpleNamespace:
        """The sizes of this profile. Both profiles must set the same names: same code, other sizes."""
        if set(smoke) != set(full):
            raise ValueError(f"profiles set different names: {sorted(set(smoke) ^ set(full))}")
        return SimpleNamespace(**(smoke if self.profile == "smoke" else full))

    def expect(
        self,
        *,
        claim: str,
        description: str,
        at_least: float | None = None,
        at_most: float | None = None,
        greater_than: float | None = None,
        less_than: float | None = None,
        between: tuple[float, float] | None = None,
        close_to: float | None = None,
        tolerance: float | None = None,
        equals: bool | None = None,
    ) -> Check:
        """State what the paper leads us to expect, before measuring it. Returns the check to measure."""
        if claim in self._checks:
            raise ValueError(f"check {claim!r} is already declared")
        expectation, words = make_expectation(
            at_least=at_least,
            at_most=at_most,
            greater_than=greater_than,
            less_than=less_than,
            between=between,
            close_to=close_to,
            tolerance=tolerance,
            equals=equals,
        )
        check = Check(self, claim, description, expectation, words)
        self._checks[claim] = check
        print(f"[expect] {claim}: {description}: {words}")
        return check

    def result(self, status: str = "ok", error: str | None = None) -> ReproResult:
        return ReproResult(
            paper=self.paper,
            notebook=self.notebook,
            profile=self.profile,  # type: ignore[arg-type]
            status=status,  # type: ignore[arg-type]
            error=error,
            provenance=provenance(self.device, self.seed, self.root, self.started, self.elapsed()),  # type: ignore[arg-type]
            checks=[c.pending_result() for c in self._checks.values()],
        )

    def _write(self, status: str, error: str | None = None) -> ReproResult:
        result = self.result(status, error)
        write_result(result, self.out_dir / f"{self.paper}.json")
        return result

    def finish(self) -> ReproResult:
        """Write the result file with status ok and print the verdicts."""
        result = self._write(status="ok")
        self.finished = True
        counts: dict[str, int] = {}
        for c in result.checks:
            counts[c.verdict] = counts.get(c.verdict, 0) + 1
        print(f"{self.paper} ({self.profile}): " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
        return result


def write_result(result: ReproResult, path: Path) -> None:
    """Write a result file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
