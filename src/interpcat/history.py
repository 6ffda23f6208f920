"""What changed over time: every committed result of every notebook, read from git history.

Each committed version of ``repro/results/<profile>/<notebook>.json`` is one run. For each claim the
history lists its verdict in every such run (oldest first) with the run's date, commits and each
check's mean and outcome; a *flip* is a run whose verdict differs from the previous run's in the
same profile. Format-2 results are judged under today's claim rule from the check outcomes they
stored; format-1 results (before checks had roles) stored one verdict per claim, which is used as
it is. Where there is no git repository (a copied site tree, a source tarball) the history is
``None``: unavailable, which is not the same as empty.

The same walk dates the catalog: a paper's first appearance is the commit that added its record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from .audit import _Git
from .catalog import Catalog
from .records import Claim, NotebookReproduction
from .results import PROFILES, RESULT_FORMAT, RESULTS_DIR, ReproResult, claim_outcome
from .verdicts import ClaimVerdict

STATUSES = set(get_args(ClaimVerdict))


@dataclass(frozen=True)
class StoredRun:
    """One committed version of one result file."""

    profile: str
    notebook: str
    started: str
    run_commit: str | None
    stored_in: str  # short commit hash, or "working tree"
    stored_date: str
    data: dict[str, Any]

    def result(self) -> ReproResult | None:
        if self.data.get("format") != RESULT_FORMAT:
            return None
        try:
            return ReproResult.model_validate(self.data)
        except ValidationError:
            return None


@dataclass(frozen=True)
class ClaimPoint:
    """A claim's verdict in one stored run."""

    profile: str
    date: str
    run_commit: str | None
    stored_in: str
    verdict: str
    checks: dict[str, tuple[float | bool | None, str]]  # check id -> (mean, outcome)


@dataclass(frozen=True)
class Flip:
    paper: str
    claim: str
    profile: str
    before: str
    after: str
    date: str
    stored_in: str
    run_commit: str | None


@dataclass
class History:
    """Stored runs by notebook and the date each paper record first appeared (both from git)."""

    available: bool
    runs: dict[str, list[StoredRun]] = field(default_factory=dict)
    paper_added: dict[str, str] = field(default_factory=dict)  # paper id -> ISO date of its first commit

    def claim_points(self, catalog: Catalog, claim: Claim) -> list[ClaimPoint] | None:
        """The claim's verdict in every stored run, oldest first; None when history is unavailable."""
        if not self.available:
            return None
        repro = claim.reproduction
        if not isinstance(repro, NotebookReproduction):
            return []
        points = []
        for run in self.runs.get(repro.notebook, []):
            point = _point(catalog, claim, run)
            if point is not None:
                points.append(point)
        return points

    def flips(self, catalog: Catalog) -> list[Flip]:
        """Every verdict change between consecutive runs of a profile, newest first."""
        out = []
        for paper in catalog.papers.values():
            for claim in paper.claims:
                last: dict[str, ClaimPoint] = {}
                for point in self.claim_points(catalog, claim) or []:
                    before = last.get(point.profile)
                    if before is not None and before.verdict != point.verdict:
                        out.append(
                            Flip(
                                paper.id,
                                claim.id,
                                point.profile,
                                before.verdict,
                                point.verdict,
                                point.date,
                                point.stored_in,
                                point.run_commit,
                            )
                        )
                    last[point.profile] = point
        return sorted(out, key=lambda f: f.date, reverse=True)


def _point(catalog: Catalog, claim: Claim, run: StoredRun) -> ClaimPoint | None:
    result = run.result()
    if result is not None:
        try:
            outcome = claim_outcome(catalog, claim, result)
        except (KeyError, ValueError):
            return None
        checks = {spec.id: (r.statistic, r.outcome) for spec, r in outcome.checks if r is not None}
        if result.status == "ok" and not checks:
            return None  # this run measured none of the claim's checks
        return ClaimPoint(run.profile, run.started, run.run_commit, run.stored_in, outcome.verdict, checks)
    if run.data.get("format") is None:  # format 1: one stored verdict per claim
        for c in run.data.get("checks") or []:
            if isinstance(c, dict) and c.get("claim") == claim.id and c.get("verdict") in STATUSES:
                measured = c.get("measured")
                value = measured if isinstance(measured, (int, float, bool)) else None
                return ClaimPoint(
                    run.profile,
                    run.started,
                    run.run_commit,
                    run.stored_in,
                    c["verdict"],
                    {claim.id: (value, c["verdict"])},
                )
    return None


def _stored(profile: str, notebook: str, data: Any, stored_in: str, stored_date: str) -> StoredRun | None:
    if not isinstance(data, dict):
        return None
    prov = data.get("provenance") if isinstance(data.get("provenance"), dict) else {}
    started = str(prov.get("started") or stored_date)
    commit = prov.get("git_commit")
    return StoredRun(profile, notebook, started, str(commit) if commit else None, stored_in, stored_date, data)


def load_history(root: Path, catalog: Catalog) -> History:
    """Read every committed result of every notebook and the date each paper record was added."""
    git = _Git(root)
    if git.run("rev-parse", "--git-dir") is None:
        return History(available=False)
    history = History(available=True)
    for notebook in catalog.notebooks():
        runs: list[StoredRun] = []
        for profile in PROFILES:
            path = (RESULTS_DIR / profile / f"{Path(notebook).stem}.json").as_posix()
            seen: set[str] = set()
            log = git.run("log", "--format=%H %cI", "--reverse", "--", path) or ""
            for line in log.splitlines():
                commit, _, date = line.partition(" ")
                text = git.show(commit, path)
                try:
                    run = _stored(profile, notebook, json.loads(text or ""), commit[:12], date)
                except json.JSONDecodeError:
                    continue
                if run is not None and run.started not in seen:
                    seen.add(run.started)
                    runs.append(run)
            current = root / path
            if current.is_file():
                try:
                    run = _stored(
                        profile, notebook, json.loads(current.read_text(encoding="utf-8")), "working tree", ""
                    )
                except (OSError, json.JSONDecodeError):
                    run = None
                if run is not None and run.started not in seen:
                    runs.append(run)
        history.runs[notebook] = sorted(runs, key=lambda r: r.started)
    log = git.run("log", "--diff-filter=A", "--format=@%cI", "--name-only", "--reverse", "--", "catalog/papers") or ""
    date = ""
    for line in log.splitlines():
        if line.startswith("@"):
            date = line[1:]
        elif line.endswith(".yaml"):
            history.paper_added.setdefault(Path(line).stem, date)
    return history
