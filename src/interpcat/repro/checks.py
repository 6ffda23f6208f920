"""Measure the checks the catalog declares for a notebook, and write an honest result file.

    run = Reproduction(paper="ross2017-right-reasons")   # reads this notebook's checks from the catalog
    run.data("scikit-learn digits", size=1797, resolution="8x8")
    ...
    run.measure("decoy-collapse", {f"seed {s}": acc[s] for s in seeds})   # one value per unit
    run.finish()                                          # writes repro/results/<profile>/<paper>.json

Expectations are never written in a notebook: each check's comparator, threshold, role and unit
live in the claim's record (``docs/verdicts.md``), so the record is the one place they are stated
and the validator can tell when a result was produced under another one. A check that misses its
expectation is recorded, never raised.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ..catalog import Catalog, DeclaredCheck
from ..records import CheckSpec
from ..results import NEVER_MEASURED, RESULT_FORMAT, CheckResult, DataSource, ReproResult
from ..verdicts import INTERVAL_RULE, judge
from .environment import RESULTS_ENV, current_profile, project_root, provenance, seed_everything, select_device

_UNFINISHED = "the notebook stopped before run.finish()"

# Captum warns on every call about hooks on reused activations and about requires_grad on inputs;
# the warnings say nothing about the result and flood executed notebooks.
_QUIET = (
    r".*[Ss]etting forward, backward hooks and attributes on non-linear.*",
    r".*[Ss]etting backward hooks on ReLU activations.*",
    r".*[Ii]nput Tensor \d+ did not already require gradients.*",
    r".*required_grads has been set automatically.*",
    r".*Using a non-full backward hook.*",
    r".*Attempting to normalize by value approximately 0.*",
    r".*Multiple layers provided.*",
)


def quiet_library_warnings() -> None:
    """Silence the known, harmless Captum and torch warnings (others still show)."""
    for pattern in _QUIET:
        warnings.filterwarnings("ignore", message=pattern)


def _as_value(value: Any) -> float | bool:
    """A plain float or bool from a Python, NumPy or torch scalar."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    raise TypeError(f"a check measures numbers or booleans, got {type(value).__name__}")


def _values(values: Any) -> tuple[list[float | bool], list[str] | None]:
    """Per-unit values (and labels) from a scalar, a sequence or a {label: value} mapping."""
    if isinstance(values, Mapping):
        return [_as_value(v) for v in values.values()], [str(k) for k in values]
    if hasattr(values, "tolist") and getattr(values, "ndim", 0) > 0:
        values = values.tolist()
    if isinstance(values, Sequence) and not isinstance(values, (str, bytes)):
        return [_as_value(v) for v in values], None
    return [_as_value(values)], None


_RUNNABLE_DESPITE = {"never-measured", "undeclared-check"}  # a run is how these get fixed


def _catalog_for(root: Path, notebook: str) -> Catalog:
    """The catalog, refusing only problems in the records that declare this notebook's checks.

    A half-edited record of another paper does not stop this notebook; a check declared here but
    not yet measured does not either (the run records it as an error).
    """
    from ..catalog import check_catalog
    from ..problems import CatalogError

    catalog, problems = check_catalog(root / "catalog")
    mine = []
    for p in problems:
        if p.code in _RUNNABLE_DESPITE:
            continue
        try:
            text = (Path.cwd() / p.file).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        if notebook in text:
            mine.append(p)
    if mine:
        raise CatalogError(mine)
    return catalog


def expectations_sha256(declared: Mapping[str, DeclaredCheck]) -> str:
    """One hash over every check of a notebook (ids sorted)."""
    import hashlib

    blob = json.dumps({cid: d.spec.expectation_sha256() for cid, d in sorted(declared.items())}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


class Reproduction:
    """One run of one notebook in one profile: measures the catalog's checks, writes the result file."""

    def __init__(self, paper: str, seed: int = 0, notebook: str | None = None, catalog: Catalog | None = None):
        quiet_library_warnings()
        self.paper = paper
        self.seed = seed
        self.profile = current_profile()
        self.device = select_device(self.profile)
        self.root = project_root()
        self.notebook = notebook or f"repro/{paper}.py"
        self.catalog = catalog or _catalog_for(self.root, self.notebook)
        self.declared = self.catalog.declared_checks(self.notebook)
        if not self.declared:
            raise LookupError(
                f"no claim in the catalog declares a check for {self.notebook}: add the checks to the claims' "
                "reproduction blocks first (docs/verdicts.md)"
            )
        out = os.environ.get(RESULTS_ENV)
        self.out_dir = Path(out) if out else self.root / "repro" / "results" / self.profile
        self.started = _dt.datetime.now(_dt.timezone.utc)
        self._t0 = time.perf_counter()
        self._results: dict[str, CheckResult] = {}
        self._data: list[DataSource] = []
        self.finished = False
        seed_everything(seed)
        print(f"{paper}: profile {self.profile}, device {self.device}, seed {seed}")
        for cid, d in self.declared.items():
            print(f"[expect] {cid} ({d.spec.role}, per {d.spec.unit}): {d.spec.measures}: {d.spec.expect.words()}")

    def elapsed(self) -> float:
        return time.perf_counter() - self._t0

    def pick(self, *, smoke: dict[str, Any], full: dict[str, Any]) -> SimpleNamespace:
        """The sizes of this profile. Both profiles must set the same names: same code, other sizes."""
        if set(smoke) != set(full):
            raise ValueError(f"profiles set different names: {sorted(set(smoke) ^ set(full))}")
        return SimpleNamespace(**(smoke if self.profile == "smoke" else full))

    def data(self, name: str, size: int | None = None, resolution: str | None = None, source: str | None = None):
        """Record a data set this run uses (shown with the result)."""
        self._data.append(DataSource(name=name, size=size, resolution=resolution, source=source))

    def expectation(self, check_id: str) -> CheckSpec:
        """The catalog's declaration of a check (for display; the verdict never needs it here)."""
        try:
            return self.declared[check_id].spec
        except KeyError:
            known = ", ".join(sorted(self.declared))
            raise KeyError(f"no claim declares check {check_id!r} for {self.notebook} (declared: {known})") from None

    def measure(self, check_id: str, values: Any, note: str | None = None) -> CheckResult:
        """Record a check's per-unit values and its outcome. A miss is recorded, not raised."""
        spec = self.expectation(check_id)
        if check_id in self._results:
            raise RuntimeError(f"check {check_id!r} was already measured; a check is measured once")
        vals, labels = _values(values)
        if labels is not None and len(labels) != len(vals):
            raise ValueError("labels and values differ in length")
        j = judge(spec.expect, spec.aggregate, vals)
        result = self._check_result(spec, j.outcome, j.reason, note)
        result = result.model_copy(
            update=dict(
                values=vals,
                labels=labels,
                statistic=j.statistic,
                interval=list(j.interval) if j.interval else None,
                measured_at=round(self.elapsed(), 3),
            )
        )
        self._results[check_id] = result
        print(f"[{j.outcome}] {check_id} ({spec.role}): {j.reason}")
        self._write(status="error", error=_UNFINISHED)
        return result

    def _check_result(self, spec: CheckSpec, outcome: str, reason: str, note: str | None) -> CheckResult:
        return CheckResult(
            id=spec.id,
            role=spec.role,
            measures=spec.measures,
            unit=spec.unit,
            aggregate=spec.aggregate,
            variant=spec.variant,
            expected=spec.expect.words(),
            expect=spec.expect.model_dump(exclude_none=True),
            expectation_sha256=spec.expectation_sha256(),
            interval_rule=INTERVAL_RULE,
            outcome=outcome,  # type: ignore[arg-type]
            reason=reason,
            note=note,
        )

    def result(self, status: str = "ok", error: str | None = None) -> ReproResult:
        checks = [
            self._results.get(cid) or self._check_result(d.spec, "error", NEVER_MEASURED, None)
            for cid, d in self.declared.items()
        ]
        prov = provenance(
            self.device,
            self.seed,
            self.root,
            self.started,
            self.elapsed(),
            notebook=self.root / self.notebook,
            expectations=expectations_sha256(self.declared),
            data=[d.model_dump() for d in self._data],
        )
        return ReproResult(
            format=RESULT_FORMAT,
            paper=self.paper,
            notebook=self.notebook,
            profile=self.profile,  # type: ignore[arg-type]
            status=status,  # type: ignore[arg-type]
            error=error,
            provenance=prov,  # type: ignore[arg-type]
            checks=checks,
        )

    def _write(self, status: str, error: str | None = None) -> ReproResult:
        result = self.result(status, error)
        write_result(result, self.out_dir / f"{self.paper}.json")
        return result

    def finish(self) -> ReproResult:
        """Write the result file with status ok and print each claim's verdict."""
        from ..results import claim_outcome

        result = self._write(status="ok")
        self.finished = True
        for paper, claim in self.catalog.claims_of_notebook(self.notebook):
            outcome = claim_outcome(self.catalog, claim, result)
            print(f"{paper.id}/{claim.id}: {outcome.verdict} ({outcome.reason})")
        return result


def write_result(result: ReproResult, path: Path) -> None:
    """Write a result file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
