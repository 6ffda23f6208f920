"""Was an expectation written before its result? The answer git can give, check by check.

For each check the catalog declares, the audit reads every committed version of the notebook's
result files (both profiles, plus the uncommitted working copy) and finds the first run made under
the check's current expectation. The check is

* ``pre-registered`` when that run started at a clean commit whose catalog already held the
  expectation, and no earlier result of the check was produced under another expectation;
* ``revised-after-results`` when it held, but an earlier result saw another expectation;
* ``set-with-results`` when that run's tree was dirty, or its commit did not hold the expectation;
* ``not-run`` when no result was ever produced under the current expectation;
* ``unknown`` when there is no git history to read.

Only what was committed can be seen: a run that was looked at and thrown away leaves no trace.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from . import yamlsafe
from .catalog import Catalog
from .records import CheckSpec
from .results import PROFILES, RESULT_FORMAT, RESULTS_DIR

State = Literal["pre-registered", "revised-after-results", "set-with-results", "not-run", "unknown"]
STATE_LABELS: dict[str, str] = {
    "pre-registered": "pre-registered",
    "revised-after-results": "revised after results",
    "set-with-results": "set with the results",
    "not-run": "not run yet",
    "unknown": "unknown",
}
_V1_OPS = {">=": "at_least", "<=": "at_most", ">": "greater_than", "<": "less_than"}


@dataclass(frozen=True)
class CheckAudit:
    notebook: str
    check: str
    state: State
    detail: str
    run_commit: str | None = None


@dataclass(frozen=True)
class _Version:
    """One check in one stored result file version."""

    started: str
    profile: str
    stored_at: str  # the commit that stored the result file, or "working tree"
    run_commit: str | None
    clean: bool
    sha: str | None  # expectation hash (format 2), None for format 1
    expect: dict[str, Any]
    expected: str


@dataclass
class Audit:
    checks: dict[tuple[str, str], CheckAudit] = field(default_factory=dict)
    notebook_changed: dict[tuple[str, str], bool] = field(default_factory=dict)  # (profile, notebook)

    def state(self, notebook: str, check: str) -> CheckAudit | None:
        return self.checks.get((notebook, check))


class _Git:
    def __init__(self, root: Path):
        self.root = root

    def run(self, *args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout if out.returncode == 0 else None

    @cache  # noqa: B019 (one short-lived instance per audit)
    def show(self, commit: str, path: str) -> str | None:
        return self.run("show", f"{commit}:{path}")

    @cache  # noqa: B019 (one short-lived instance per audit)
    def full(self, commit: str) -> str | None:
        out = self.run("rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")
        return out.strip() if out else None

    @cache  # noqa: B019 (one short-lived instance per audit)
    def papers_at(self, commit: str, notebook: str) -> tuple[str, ...]:
        out = self.run("grep", "-l", "-F", notebook, commit, "--", "catalog/papers/")
        if not out:
            return ()
        return tuple(line.split(":", 1)[1] for line in out.splitlines() if ":" in line)


def _v1_expect(exp: dict[str, Any]) -> dict[str, Any]:
    op = exp.get("op")
    if op in _V1_OPS:
        return {_V1_OPS[op]: exp.get("value")}
    if op == "between":
        return {"between": [exp.get("low"), exp.get("high")]}
    if op == "close-to":
        return {"close_to": exp.get("value"), "tolerance": exp.get("tolerance")}
    if op == "is":
        return {"equals": exp.get("value")}
    return {}


def _versions_of(data: dict[str, Any], profile: str, stored_at: str) -> dict[str, _Version]:
    prov = data.get("provenance") or {}
    commit = prov.get("git_commit")
    started = str(prov.get("started") or "")
    out = {}
    if data.get("format") == RESULT_FORMAT:
        clean = bool(prov.get("git_clean")) and commit is not None
        for c in data.get("checks", []):
            if c.get("outcome") == "error" and not c.get("values"):
                continue
            out[c["id"]] = _Version(
                started,
                profile,
                stored_at,
                commit,
                clean,
                c.get("expectation_sha256"),
                c.get("expect") or {},
                str(c.get("expected")),
            )
    else:
        clean = commit is not None and not str(commit).endswith("-dirty")
        for c in data.get("checks", []):
            if "claim" in c:
                exp = _v1_expect(c.get("expectation") or {})
                out[c["claim"]] = _Version(
                    started, profile, stored_at, commit, clean, None, exp, str(c.get("expected"))
                )
    return out


def _history(git: _Git, root: Path, path: str, profile: str) -> list[dict[str, _Version]]:
    """Every stored version of one result file (oldest first), plus the working copy."""
    versions = []
    log = git.run("log", "--format=%H", "--reverse", "--", path) or ""
    for commit in log.split():
        text = git.show(commit, path)
        if text:
            try:
                versions.append(_versions_of(json.loads(text), profile, commit[:12]))
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
    current = root / path
    if current.is_file():
        with contextlib.suppress(json.JSONDecodeError, KeyError, TypeError):
            versions.append(_versions_of(json.loads(current.read_text(encoding="utf-8")), profile, "working tree"))
    return versions


def _matches(v: _Version, spec: CheckSpec) -> bool:
    if v.sha is not None:
        return v.sha == spec.expectation_sha256()
    return v.expect == spec.expect.model_dump(exclude_none=True)


def _held_at(git: _Git, commit: str, notebook: str, spec: CheckSpec, v: _Version) -> bool:
    """Whether the tree at ``commit`` already stated this expectation."""
    if v.sha is None:  # format 1: the expectation was written in the notebook
        text = git.show(commit, notebook)
        return bool(text) and f'"{spec.id}"' in text
    for path in git.papers_at(commit, notebook):
        text = git.show(commit, path)
        if not text:
            continue
        try:
            data = yamlsafe.parse(text.encode("utf-8")).data
        except yamlsafe.YamlProblem:
            continue
        for claim in (data or {}).get("claims", []) or []:
            repro = claim.get("reproduction") if isinstance(claim, dict) else None
            if not isinstance(repro, dict) or repro.get("notebook") != notebook:
                continue
            for entry in repro.get("checks", []) or []:
                if isinstance(entry, dict) and entry.get("id") == spec.id:
                    try:
                        return CheckSpec.model_validate(entry).expectation_sha256() == v.sha
                    except ValueError:
                        return False
    return False


def _judge(git: _Git, notebook: str, spec: CheckSpec, versions: list[_Version]) -> CheckAudit:
    same = [v for v in versions if _matches(v, spec)]
    if not same:
        return CheckAudit(notebook, spec.id, "not-run", "no result under the current expectation yet")
    first = same[0]
    where = f"first run under '{spec.expect.words()}' ({first.profile}, {first.started[:10]})"
    if not first.clean or first.run_commit is None:
        return CheckAudit(
            notebook,
            spec.id,
            "set-with-results",
            f"{where} started at {first.run_commit or 'an unknown commit'}: the tree held uncommitted changes",
            first.run_commit,
        )
    commit = git.full(first.run_commit)
    if commit is None:
        return CheckAudit(
            notebook, spec.id, "unknown", f"{where}: commit {first.run_commit} is not in this history", first.run_commit
        )
    if not _held_at(git, commit, notebook, spec, first):
        return CheckAudit(
            notebook,
            spec.id,
            "set-with-results",
            f"{where}: commit {first.run_commit} did not yet hold this expectation",
            first.run_commit,
        )
    earlier = [v for v in versions[: versions.index(first)] if not _matches(v, spec)]
    if earlier:
        last = earlier[-1]
        return CheckAudit(
            notebook,
            spec.id,
            "revised-after-results",
            f"{where} at {first.run_commit}, committed beforehand; an earlier result "
            f"({last.profile}, {last.started[:10]}, commit {last.run_commit}) ran under '{last.expected}'",
            first.run_commit,
        )
    return CheckAudit(
        notebook, spec.id, "pre-registered", f"{where} at {first.run_commit}, committed beforehand", first.run_commit
    )


def audit_project(root: Path, catalog: Catalog) -> Audit:
    """The pre-registration state of every declared check, from git history."""
    git = _Git(root)
    result = Audit()
    has_git = git.run("rev-parse", "--git-dir") is not None
    for notebook in catalog.notebooks():
        versions_by_check: dict[str, list[_Version]] = {}
        for profile in PROFILES:  # a notebook's results are named after it: repro/results/<profile>/<stem>.json
            path = (RESULTS_DIR / profile / f"{Path(notebook).stem}.json").as_posix()
            for snapshot in _history(git, root, path, profile) if has_git else []:
                for cid, v in snapshot.items():
                    versions_by_check.setdefault(cid, []).append(v)
            if (root / path).is_file():
                result.notebook_changed[(profile, notebook)] = _notebook_changed(root, notebook, root / path)
        for cid, declared in catalog.declared_checks(notebook).items():
            if not has_git:
                result.checks[(notebook, cid)] = CheckAudit(notebook, cid, "unknown", "no git history here")
                continue
            versions = sorted(versions_by_check.get(cid, []), key=lambda v: v.started)
            result.checks[(notebook, cid)] = _judge(git, notebook, declared.spec, versions)
    return result


def _notebook_changed(root: Path, notebook: str, result_path: Path) -> bool:
    try:
        data = json.loads(result_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    stored = (data.get("provenance") or {}).get("notebook_sha256")
    path = root / notebook
    return bool(stored) and path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() != stored
