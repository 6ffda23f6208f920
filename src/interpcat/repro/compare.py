"""Compare fresh results with committed ones: any change that could alter a badge is a difference.

A difference is reported, and ``interpcat repro compare`` exits 1, when between the two runs

* a run's status changes, or a check appears or disappears;
* a check ran under another expectation (its expectation hash differs: a threshold, comparator,
  unit, role or variant was edited);
* a check's outcome changes, or a claim's verdict changes;
* a fresh statistic falls outside the committed 95 % interval of a check measured over several units.

Checks with one value have no interval: when their value moves, that is listed as a note (values
can differ in the last digits between machines) and does not fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..catalog import Catalog
from ..results import RESULT_FORMAT, ReproResult, claim_outcome


@dataclass(frozen=True)
class Difference:
    paper: str
    check: str
    what: str
    committed: str
    fresh: str
    failing: bool = True

    def format(self) -> str:
        kind = "" if self.failing else "note: "
        return f"{self.paper}: {self.check}: {kind}{self.what}: committed {self.committed}, now {self.fresh}"


def _num(x: object) -> str:
    return f"{x:.6g}" if isinstance(x, float) else str(x)


def _load(path: Path) -> ReproResult | None:
    if not path.is_file():
        return None
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != RESULT_FORMAT:
        raise ValueError(f"{path}: result file format {data.get('format', 1)} is not {RESULT_FORMAT}: re-run it")
    return ReproResult.model_validate(data)


def compare_results(catalog: Catalog | None, name: str, old: ReproResult | None, new: ReproResult | None):
    """Differences between one notebook's committed and fresh results."""
    diffs: list[Difference] = []
    if old is None or new is None:
        diffs.append(
            Difference(
                name,
                "(run)",
                "result file",
                "absent" if old is None else "present",
                "absent" if new is None else "present",
            )
        )
        return diffs
    if old.status != new.status:
        diffs.append(Difference(name, "(run)", "status", old.status, new.status))
    ids = list(dict.fromkeys([c.id for c in old.checks] + [c.id for c in new.checks]))
    for cid in ids:
        a, b = old.check(cid), new.check(cid)
        if a is None or b is None:
            diffs.append(
                Difference(
                    name, cid, "check", "absent" if a is None else "present", "absent" if b is None else "present"
                )
            )
            continue
        if a.expectation_sha256 != b.expectation_sha256:
            diffs.append(
                Difference(
                    name,
                    cid,
                    "expectation",
                    f"{a.expected} ({a.role}, per {a.unit})",
                    f"{b.expected} ({b.role}, per {b.unit})",
                )
            )
        if a.outcome != b.outcome:
            diffs.append(Difference(name, cid, "outcome", a.outcome, b.outcome))
        if isinstance(a.statistic, float) and isinstance(b.statistic, float):
            if a.interval is not None:
                lo, hi = a.interval
                if not lo <= b.statistic <= hi:
                    diffs.append(
                        Difference(
                            name,
                            cid,
                            "value outside the committed 95% interval",
                            f"{_num(a.statistic)} [{_num(lo)}, {_num(hi)}]",
                            _num(b.statistic),
                        )
                    )
            elif a.statistic != b.statistic:
                diffs.append(
                    Difference(name, cid, "one-value check moved", _num(a.statistic), _num(b.statistic), failing=False)
                )
        elif a.statistic != b.statistic:
            diffs.append(Difference(name, cid, "value", _num(a.statistic), _num(b.statistic)))
    if catalog is not None:
        for paper, claim in catalog.claims_of_notebook(new.notebook):
            va = claim_outcome(catalog, claim, old).verdict
            vb = claim_outcome(catalog, claim, new).verdict
            if va != vb:
                diffs.append(Difference(name, f"claim {paper.id}/{claim.id}", "verdict", va, vb))
    return diffs


def compare_dirs(
    committed: Path, fresh: Path, papers: list[str] | None = None, catalog: Catalog | None = None
) -> list[Difference]:
    """Differences between two result folders of one profile (all notebooks, or those of ``papers``)."""
    names = sorted({p.stem for p in committed.glob("*.json")} | {p.stem for p in fresh.glob("*.json")})
    if papers:
        names = [n for n in names if n in papers]
    diffs: list[Difference] = []
    for name in names:
        diffs += compare_results(catalog, name, _load(committed / f"{name}.json"), _load(fresh / f"{name}.json"))
    return diffs
