"""Reproduction results: the JSON files notebooks write to ``repro/results/<profile>/<paper>.json``.

This module only reads and models results (no torch); ``interpcat.repro`` writes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import yamlsafe
from .catalog import Catalog, claim_checks, format_loc
from .problems import Problem, display_path
from .records import ID_PATTERN, NOTEBOOK_PATTERN, CheckRole, CheckSpec, Claim, NotebookReproduction
from .verdicts import INTERVAL_RULE, CheckOutcome, ClaimVerdict, Outcome, claim_verdict

PROFILES = ("smoke", "full")
RESULT_FORMAT = 2
Status = Literal["ok", "error", "timeout"]
RESULTS_DIR = Path("repro") / "results"
NEVER_MEASURED = "never measured"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CheckResult(_Model):
    """One check in one run: the expectation it ran under, every per-unit value, and the outcome."""

    id: str = Field(pattern=ID_PATTERN, description="The check id, as declared in the catalog")
    role: CheckRole
    measures: str
    unit: str
    aggregate: str
    variant: str | None = None
    expected: str = Field(description="The expectation in words, e.g. '>= 0.90'")
    expect: dict[str, Any] = Field(description="The expectation as the record stated it at the run")
    expectation_sha256: str = Field(description="Hash of the expectation; the validator compares it with the record")
    values: list[float | bool] = Field(default_factory=list, description="One value per unit")
    labels: list[str] | None = Field(None, description="The unit each value belongs to, e.g. 'seed 0'")
    statistic: float | bool | None = Field(None, description="Mean of the values (numbers) or all/any (booleans)")
    interval: list[float] | None = Field(None, description="95% Student-t interval of the mean (n >= 2)")
    interval_rule: str = INTERVAL_RULE
    outcome: Outcome
    reason: str
    note: str | None = None
    measured_at: float | None = Field(None, description="Seconds into the run when the value was measured")

    @property
    def n(self) -> int:
        return len(self.values)


class DataSource(_Model):
    """A data set a run used."""

    name: str
    size: int | None = None
    resolution: str | None = None
    source: str | None = None


class Provenance(_Model):
    device: str
    python: str
    platform: str | None = None
    packages: dict[str, str | None] = Field(default_factory=dict, description="Versions of the libraries that matter")
    seed: int | None
    git_commit: str | None = Field(description="Commit the run started at; '-dirty' when the tree differed")
    git_clean: bool | None = Field(description="Whether the tree matched the commit, untracked files included")
    git_changed: list[str] = Field(default_factory=list, description="Paths that differed (first 20)")
    notebook_sha256: str
    expectations_sha256: str = Field(description="Hash over the expectations of every check of the notebook")
    data: list[DataSource] = Field(default_factory=list)
    started: str
    duration_s: float = Field(description="Wall-clock seconds of the whole notebook, kernel start included")
    peak_rss_mb: float | None = Field(
        None, description="Peak resident memory of the notebook's process tree (MiB), where it was measured"
    )
    cuda_peak_mb: float | None = Field(None, description="Peak CUDA memory allocated (MiB), where CUDA was used")

    @property
    def torch(self) -> str | None:
        return self.packages.get("torch")

    @property
    def captum(self) -> str | None:
        return self.packages.get("captum")


class ReproResult(_Model):
    """The result file of one notebook run in one profile."""

    format: Literal[2] = Field(description="Version of this file format")
    paper: str = Field(pattern=ID_PATTERN)
    notebook: str = Field(pattern=NOTEBOOK_PATTERN)
    profile: Literal["smoke", "full"]
    status: Status
    error: str | None = None
    provenance: Provenance
    checks: list[CheckResult] = Field(default_factory=list)

    def check(self, check_id: str) -> CheckResult | None:
        return next((c for c in self.checks if c.id == check_id), None)


@dataclass
class ClaimOutcome:
    """A claim's verdict in one profile, with the check results it rests on."""

    profile: str
    result: ReproResult
    verdict: ClaimVerdict
    reason: str
    checks: list[tuple[CheckSpec, CheckResult | None]]


@dataclass
class Results:
    """All result files of a project, indexed by (profile, notebook)."""

    by_notebook: dict[tuple[str, str], ReproResult] = field(default_factory=dict)
    paths: dict[tuple[str, str], Path] = field(default_factory=dict)

    def outcome(self, catalog: Catalog, claim: Claim, profile: str) -> ClaimOutcome | None:
        repro = claim.reproduction
        if not isinstance(repro, NotebookReproduction):
            return None
        result = self.by_notebook.get((profile, repro.notebook))
        if result is None:
            return None
        return claim_outcome(catalog, claim, result)

    def executed_notebook(self, profile: str, notebook: str) -> Path | None:
        path = self.paths.get((profile, notebook))
        if path is None:
            return None
        ipynb = path.with_suffix(".ipynb")
        return ipynb if ipynb.is_file() else None


def claim_outcome(catalog: Catalog, claim: Claim, result: ReproResult) -> ClaimOutcome:
    """A claim's verdict in one run, from the catalog's checks and the run's outcomes."""
    repro = claim.reproduction
    assert isinstance(repro, NotebookReproduction)
    pairs = [(spec, result.check(spec.id)) for spec in claim_checks(catalog, claim)]
    if result.status != "ok":
        reason = f"the run ended with {result.status}" + (f": {result.error}" if result.error else "")
        return ClaimOutcome(result.profile, result, "error", reason, pairs)
    outcomes = [CheckOutcome(spec, r.outcome if r is not None else None) for spec, r in pairs]
    verdict, reason = claim_verdict(repro.rule, outcomes)
    return ClaimOutcome(result.profile, result, verdict, reason, pairs)


def claim_status(catalog: Catalog, claim: Claim, results: Results) -> tuple[ClaimVerdict, str]:
    """One status for a claim: the full profile's verdict if run, else smoke's, else why not."""
    if not isinstance(claim.reproduction, NotebookReproduction):
        return "not-attempted", claim.reproduction.reason
    outcomes = {p: results.outcome(catalog, claim, p) for p in PROFILES}
    full, smoke = outcomes["full"], outcomes["smoke"]
    chosen = full or smoke
    if chosen is None:
        return "not-run", "no result yet"
    reason = chosen.reason
    if full is not None and smoke is not None and full.verdict != smoke.verdict:
        reason = f"smoke and full disagree (smoke: {smoke.verdict.replace('-', ' ')}); {reason}"
    return chosen.verdict, reason


def _load_one(path: Path, profile: str, root: Path) -> tuple[ReproResult | None, list[Problem]]:
    shown = display_path(path)
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        line = getattr(err, "lineno", 1)
        col = getattr(err, "colno", 1)
        return None, [Problem(shown, line, col, "", f"not valid JSON: {err}", "result")]
    if isinstance(data, dict) and data.get("format") != RESULT_FORMAT:
        message = (
            f"result file format {data.get('format', 1)!r} is not format {RESULT_FORMAT} "
            "(checks with roles, per-unit values and provenance hashes): re-run the notebook"
        )
        return None, [Problem(shown, 1, 1, "format", message, "stale-result")]
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
    if not (root / result.notebook).is_file():
        problems.append(Problem(shown, 1, 1, "notebook", f"notebook {result.notebook!r} does not exist", "result"))
    return result, problems


def _record_problem(catalog: Catalog, paper: str, loc: tuple, message: str, code: str) -> Problem:
    source = catalog.sources[("papers", paper)]
    line, column = yamlsafe.locate(source.node, loc)
    return Problem(display_path(source.path), line, column, format_loc(loc), message, code)


def _json_line(path: Path, loc: tuple) -> tuple[int, int]:
    try:
        return yamlsafe.locate(yamlsafe.parse(path.read_bytes()).node, loc)
    except yamlsafe.YamlProblem:
        return 1, 1


def _cross_check(catalog: Catalog, result: ReproResult, path: Path) -> list[Problem]:
    """A committed result against the catalog's current checks for its notebook."""
    shown = display_path(path)
    declared = catalog.declared_checks(result.notebook)
    if not declared:
        return [Problem(shown, 1, 1, "notebook", f"no claim in the catalog points at {result.notebook}", "result")]
    problems = []
    for i, check in enumerate(result.checks):
        current = declared.get(check.id)
        if current is None:
            line, col = _json_line(path, ("checks", i, "id"))
            problems.append(
                Problem(
                    shown,
                    line,
                    col,
                    f"checks[{i}].id",
                    f"check {check.id!r} is declared by no claim any more: re-run {result.notebook}",
                    "stale-result",
                )
            )
        elif current.spec.expectation_sha256() != check.expectation_sha256:
            spec = current.spec
            was = f"'{check.expected}'" if check.expected != spec.expect.words() else "another expectation"
            problems.append(
                _record_problem(
                    catalog,
                    current.paper,
                    (*current.loc, "expect"),
                    f"check {check.id!r}: {shown} was produced under {was} "
                    f"(role {check.role}, unit {check.unit}), but the record now says '{spec.expect.words()}' "
                    f"(role {spec.role}, unit {spec.unit}): re-run {result.notebook} and commit its result",
                    "stale-result",
                )
            )
    if result.status == "ok":
        for cid, d in declared.items():
            check = result.check(cid)
            if check is None:
                problems.append(
                    _record_problem(
                        catalog,
                        d.paper,
                        (*d.loc, "id"),
                        f"check {cid!r} is not in {shown}: re-run {result.notebook}",
                        "stale-result",
                    )
                )
            elif check.outcome == "error" and check.reason == NEVER_MEASURED:
                problems.append(
                    _record_problem(
                        catalog,
                        d.paper,
                        (*d.loc, "id"),
                        f"check {cid!r} was never measured in {shown}: the notebook must call "
                        f'run.measure("{cid}", values)',
                        "never-measured",
                    )
                )
    return problems


def check_results(root: Path, catalog: Catalog | None = None) -> tuple[Results, list[Problem]]:
    """Load every result file under ``root/repro/results``; return them and every problem.

    With a catalog, each result is also held against the checks the catalog declares now.
    """
    results = Results()
    problems: list[Problem] = []
    base = root / RESULTS_DIR
    for profile in PROFILES:
        for path in sorted((base / profile).glob("*.json")):
            result, found = _load_one(path, profile, root)
            problems.extend(found)
            if result is not None:
                if catalog is not None:
                    problems.extend(_cross_check(catalog, result, path))
                results.by_notebook[(profile, result.notebook)] = result
                results.paths[(profile, result.notebook)] = path
    return results, problems


def load_results(root: Path, catalog: Catalog | None = None) -> Results:
    """Load results, ignoring none: a malformed (or, with a catalog, stale) file raises CatalogError."""
    from .problems import CatalogError

    results, problems = check_results(root, catalog)
    if problems:
        raise CatalogError(problems)
    return results
