"""Reproduction results: the JSON files notebooks write to ``repro/results/<profile>/<paper>.json``.

This module only reads and models results (no torch); ``interpcat.repro`` writes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import yamlsafe
from .catalog import Catalog, format_loc, notebook_checks
from .problems import Problem, display_path
from .records import ID_PATTERN, NOTEBOOK_PATTERN, Claim, NotebookReproduction

PROFILES = ("smoke", "full")
Verdict = Literal["reproduced", "not-reproduced", "error"]
Status = Literal["ok", "error", "timeout"]
RESULTS_DIR = Path("repro") / "results"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Expectation(_Model):
    """An expectation stated before the value is measured."""

    op: Literal[">=", "<=", ">", "<", "between", "close-to", "is"]
    value: float | bool | None = None
    low: float | None = None
    high: float | None = None
    tolerance: float | None = None


class CheckResult(_Model):
    """One check: what was expected, what was measured, and the verdict."""

    claim: str = Field(pattern=ID_PATTERN, description="The check id; catalog claims point at it")
    description: str
    expected: str = Field(description="The expectation in words, e.g. '>= 0.90'")
    expectation: Expectation
    measured: float | bool | None
    verdict: Verdict
    declared_at: float = Field(description="Seconds into the run when the expectation was stated")
    measured_at: float | None = Field(None, description="Seconds into the run when the value was measured")
    note: str | None = None


class Provenance(_Model):
    device: str
    torch: str | None
    captum: str | None
    python: str
    seed: int | None
    git_commit: str | None
    started: str
    duration_s: float
    platform: str | None = None


class ReproResult(_Model):
    """The result file of one notebook run in one profile."""

    paper: str = Field(pattern=ID_PATTERN)
    notebook: str = Field(pattern=NOTEBOOK_PATTERN)
    profile: Literal["smoke", "full"]
    status: Status
    error: str | None = None
    provenance: Provenance
    checks: list[CheckResult] = Field(default_factory=list)

    def check(self, check_id: str) -> CheckResult | None:
        return next((c for c in self.checks if c.claim == check_id), None)


@dataclass
class ClaimOutcome:
    """The latest result of one claim in one profile."""

    profile: str
    result: ReproResult
    check: CheckResult | None

    @property
    def verdict(self) -> str:
        if self.check is not None and self.result.status == "ok":
            return self.check.verdict
        if self.check is not None and self.check.verdict != "error":
            return self.check.verdict
        return "error"


@dataclass
class Results:
    """All result files of a project, indexed by (profile, notebook)."""

    by_notebook: dict[tuple[str, str], ReproResult] = field(default_factory=dict)
    paths: dict[tuple[str, str], Path] = field(default_factory=dict)

    def outcome(self, claim: Claim, profile: str) -> ClaimOutcome | None:
        repro = claim.reproduction
        if not isinstance(repro, NotebookReproduction):
            return None
        result = self.by_notebook.get((profile, repro.notebook))
        if result is None:
            return None
        return ClaimOutcome(profile, result, result.check(repro.check))

    def executed_notebook(self, profile: str, notebook: str) -> Path | None:
        path = self.paths.get((profile, notebook))
        if path is None:
            return None
        ipynb = path.with_suffix(".ipynb")
        return ipynb if ipynb.is_file() else None


def claim_status(claim: Claim, results: Results) -> str:
    """One status for a claim: the full profile's verdict if run, else smoke's, else why not."""
    if not isinstance(claim.reproduction, NotebookReproduction):
        return "not-attempted"
    for profile in ("full", "smoke"):
        outcome = results.outcome(claim, profile)
        if outcome is not None:
            return outcome.verdict
    return "not-run"


def _load_one(path: Path, profile: str, root: Path) -> tuple[ReproResult | None, list[Problem]]:
    shown = display_path(path)
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        line = getattr(err, "lineno", 1)
        col = getattr(err, "colno", 1)
        return None, [Problem(shown, line, col, "", f"not valid JSON: {err}", "result")]
    try:
        result = ReproResult.model_validate(data)
    except ValidationError as err:
        try:
            node = yamlsafe.parse(raw).node
        except yamlsafe.YamlProblem:
            node = None
        problems = []
        for e in err.errors(include_url=False):
            loc = tuple(e["loc"])
            line, col = yamlsafe.locate(node, loc) if node is not None else (1, 1)
            problems.append(Problem(shown, line, col, format_loc(loc), e["msg"], "result"))
        return None, problems
    problems = []
    if result.paper != path.stem:
        problems.append(Problem(shown, 1, 1, "paper", f"paper {result.paper!r} must match the file name", "result"))
    if result.profile != profile:
        problems.append(
            Problem(shown, 1, 1, "profile", f"profile {result.profile!r} is in the {profile}/ folder", "result")
        )
    checks = notebook_checks(root / result.notebook) if (root / result.notebook).is_file() else None
    if checks is None:
        problems.append(Problem(shown, 1, 1, "notebook", f"notebook {result.notebook!r} does not exist", "result"))
    else:
        for i, c in enumerate(result.checks):
            if c.claim not in checks:
                problems.append(
                    Problem(
                        shown,
                        1,
                        1,
                        f"checks[{i}].claim",
                        f"the notebook no longer records check {c.claim!r}: re-run it",
                        "result",
                    )
                )
    return result, problems


def check_results(root: Path) -> tuple[Results, list[Problem]]:
    """Load every result file under ``root/repro/results``; return them and every problem."""
    results = Results()
    problems: list[Problem] = []
    base = root / RESULTS_DIR
    for profile in PROFILES:
        for path in sorted((base / profile).glob("*.json")):
            result, found = _load_one(path, profile, root)
            problems.extend(found)
            if result is not None:
                results.by_notebook[(profile, result.notebook)] = result
                results.paths[(profile, result.notebook)] = path
    return results, problems


def load_results(root: Path) -> Results:
    """Load results, ignoring none: a malformed file raises CatalogError."""
    from .problems import CatalogError

    results, problems = check_results(root)
    if problems:
        raise CatalogError(problems)
    return results


def claims_for_check(catalog: Catalog, notebook: str, check_id: str) -> list[tuple[str, str]]:
    """(paper id, claim id) pairs whose reproduction points at this notebook check."""
    return [
        (p.id, c.id)
        for p in catalog.papers.values()
        for c in p.claims
        if isinstance(c.reproduction, NotebookReproduction)
        and c.reproduction.notebook == notebook
        and c.reproduction.check == check_id
    ]
