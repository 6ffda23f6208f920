"""Compare the verdicts of fresh results with committed ones.

Measured values may differ a little between machines (other CPUs round differently, so training
takes a slightly different path). A verdict that flips while its measured value moved by less than
``rel_tol`` is reported as drift at a threshold, not as a change; any other flip, a missing check,
or a run that no longer completes is a change.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

DEFAULT_REL_TOL = 0.05


@dataclass(frozen=True)
class Difference:
    paper: str
    check: str
    committed: str
    fresh: str
    committed_value: float | None = None
    fresh_value: float | None = None
    drift: bool = False

    def format(self) -> str:
        values = ""
        if self.committed_value is not None or self.fresh_value is not None:
            values = f" (measured {_fmt(self.committed_value)} -> {_fmt(self.fresh_value)})"
        kind = "drift at the threshold: " if self.drift else ""
        return f"{self.paper}: {self.check}: {kind}committed {self.committed}, now {self.fresh}{values}"


def _fmt(value: float | None) -> str:
    return "none" if value is None else f"{value:.4g}"


def _checks(path: Path) -> dict[str, tuple[str, float | None]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    checks: dict[str, tuple[str, float | None]] = {"(status)": (data["status"], None)}
    for c in data.get("checks", []):
        value = c.get("measured")
        checks[c["claim"]] = (c["verdict"], float(value) if isinstance(value, (int, float)) else None)
    return checks


def _is_drift(a: float | None, b: float | None, rel_tol: float) -> bool:
    if a is None or b is None:
        return False
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-12)


def compare_dirs(
    committed: Path, fresh: Path, papers: list[str] | None = None, rel_tol: float = DEFAULT_REL_TOL
) -> list[Difference]:
    """Differences in status and verdicts between two result folders of one profile."""
    names = sorted({p.stem for p in committed.glob("*.json")} | {p.stem for p in fresh.glob("*.json")})
    if papers:
        names = [n for n in names if n in papers]
    diffs = []
    for name in names:
        old_path, new_path = committed / f"{name}.json", fresh / f"{name}.json"
        old = _checks(old_path) if old_path.is_file() else {}
        new = _checks(new_path) if new_path.is_file() else {}
        for check in sorted(set(old) | set(new)):
            (a, va), (b, vb) = old.get(check, ("absent", None)), new.get(check, ("absent", None))
            if a != b:
                drift = {a, b} == {"reproduced", "not-reproduced"} and _is_drift(va, vb, rel_tol)
                diffs.append(Difference(name, check, a, b, va, vb, drift))
    return diffs
