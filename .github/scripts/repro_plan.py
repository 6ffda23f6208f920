"""Plan a GPU reproduction run (.github/workflows/repro-gpu.yml): which commit, which notebooks.

Reads the event from the environment, checks every input, and appends ``sha``, ``papers`` (a
JSON list, possibly empty) and ``pull_request`` (empty unless one is to be run) to
``$GITHUB_OUTPUT``. It uses the standard library, git and gh only: it never imports or runs the
project's code, so it is safe to point at a pull request's commit.

Events:
  schedule           every notebook on main
  push (to main)     the notebooks whose file changed; every notebook when shared code changed
  workflow_dispatch  the papers given (default: every notebook), on main; or, with a pull request
                     number and the commit SHA a maintainer reviewed, that commit, which must
                     still be the pull request's head (nothing pushed after the review runs)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SHA = re.compile(r"^[0-9a-f]{40}$")
NUMBER = re.compile(r"^[1-9][0-9]{0,9}$")
NOTEBOOK = re.compile(r"^repro/([^/]+)\.py$")
ZERO = "0" * 40


class PlanError(Exception):
    """An input that cannot be run; the message says which and why."""


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def notebook_ids(paths: list[str]) -> list[str]:
    """Paper ids of the notebooks among ``paths``: repro/<id>.py, as interpcat.repro.runner.discover finds them."""
    found = []
    for path in paths:
        match = NOTEBOOK.match(path)
        if match and not match[1].startswith("_"):
            found.append(match[1])
    return sorted(found)


def parse_papers(text: str) -> list[str]:
    """Paper ids from a free-form input: separated by spaces or commas; each checked; duplicates dropped."""
    papers: list[str] = []
    for word in re.split(r"[\s,]+", text.strip()):
        if not word:
            continue
        if not ID.match(word):
            raise PlanError(f"{word!r} is not a paper id (lowercase letters, digits and hyphens)")
        if word not in papers:
            papers.append(word)
    return papers


def select(event: str, available: list[str], requested: list[str], changed: list[str] | None) -> list[str]:
    """The notebooks to run. ``changed`` lists the paths a push changed (None: unknown, run all)."""
    if requested:
        unknown = [p for p in requested if p not in available]
        if unknown:
            raise PlanError(f"no notebook repro/<id>.py for: {', '.join(unknown)}")
        return requested
    if event != "push" or changed is None:
        return available
    if any(not NOTEBOOK.match(path) for path in changed):
        return available  # shared code or pins changed: every notebook may move
    touched = set(notebook_ids(changed))
    return [p for p in available if p in touched]


def gh_api(path: str, jq: str) -> str:
    """A GitHub API answer, filtered by ``jq`` (gh reads GH_TOKEN from the environment)."""
    return subprocess.run(["gh", "api", path, "--jq", jq], check=True, capture_output=True, text=True).stdout


def pull_request_head(repo: str, number: str) -> tuple[str, str]:
    """The head SHA and state of a pull request."""
    head, state = gh_api(f"repos/{repo}/pulls/{number}", '.head.sha + " " + .state').split()
    return head, state


def plan(env: dict[str, str]) -> dict[str, str]:
    event = env["EVENT_NAME"]
    requested = parse_papers(env.get("INPUT_PAPERS", ""))
    number = env.get("INPUT_PULL_REQUEST", "").strip()
    reviewed = env.get("INPUT_REVIEWED_SHA", "").strip().lower()
    if event == "workflow_dispatch" and (number or reviewed):
        if not NUMBER.match(number):
            raise PlanError(f"pull request {number!r}: give its number, e.g. 123")
        if not SHA.match(reviewed):
            raise PlanError("give the full 40-character SHA of the commit you reviewed as reviewed_sha")
        head, state = pull_request_head(env["REPOSITORY"], number)
        if state != "open":
            raise PlanError(f"pull request #{number} is {state}")
        if head != reviewed:
            raise PlanError(
                f"pull request #{number} now points at {head}, not the reviewed {reviewed}: review the new "
                "commits, then dispatch again with the new head"
            )
        sha = reviewed
        available = notebook_ids(gh_api(f"repos/{env['REPOSITORY']}/contents/repro?ref={sha}", ".[].path").split())
    else:
        number = ""
        sha = env["HEAD_SHA"]
        available = notebook_ids(git("ls-tree", "-r", "--name-only", sha, "--", "repro/").split())
    changed = None
    before = env.get("BEFORE_SHA", "")
    if event == "push" and SHA.match(before) and before != ZERO:
        try:
            changed = git("diff", "--name-only", before, sha).split()
        except subprocess.CalledProcessError:
            changed = None  # the old commit is not here (a force push): run everything
    papers = select(event, available, requested, changed)
    return {"sha": sha, "papers": json.dumps(papers, separators=(",", ":")), "pull_request": number}


def main() -> int:
    try:
        outputs = plan(dict(os.environ))
    except PlanError as err:
        print(f"::error::{err}")
        return 1
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as fh:
        for key, value in outputs.items():
            fh.write(f"{key}={value}\n")
    print(json.dumps(outputs, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
