"""The check API: expectations stated before measuring, honest verdicts, result files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interpcat.repro import Reproduction
from interpcat.repro.checks import holds, make_expectation
from interpcat.results import ReproResult


@pytest.mark.parametrize(
    "kwargs,value,ok,words",
    [
        ({"at_least": 0.9}, 0.95, True, ">= 0.9"),
        ({"at_least": 0.9}, 0.85, False, ">= 0.9"),
        ({"at_most": 0.1}, 0.1, True, "<= 0.1"),
        ({"greater_than": 0.0}, 0.0, False, "> 0"),
        ({"less_than": 1.0}, 0.5, True, "< 1"),
        ({"between": (0.2, 0.4)}, 0.3, True, "between 0.2 and 0.4"),
        ({"between": (0.2, 0.4)}, 0.5, False, "between 0.2 and 0.4"),
        ({"close_to": 1.0, "tolerance": 0.05}, 1.04, True, "1 ± 0.05"),
        ({"close_to": 1.0, "tolerance": 0.05}, 1.06, False, "1 ± 0.05"),
        ({"equals": True}, True, True, "is True"),
        ({"equals": True}, False, False, "is True"),
    ],
)
def test_expectations(kwargs: dict, value: float, ok: bool, words: str) -> None:
    expectation, text = make_expectation(**kwargs)
    assert text == words
    assert holds(expectation, value) is ok


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"at_least": 1, "at_most": 2}, {"close_to": 1.0}, {"tolerance": 0.1, "at_least": 1}, {"between": (2, 1)}],
)
def test_bad_expectations(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        make_expectation(**kwargs)


def test_run_writes_honest_results(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERPCAT_PROFILE", "smoke")
    monkeypatch.delenv("INTERPCAT_RESULTS_DIR", raising=False)
    run = Reproduction(paper="alpha2020-example")
    hit = run.expect(claim="hit", description="a value we get", at_least=0.5)
    miss = run.expect(claim="miss", description="a value we do not get", at_most=0.1)
    run.expect(claim="never", description="a check nobody measures", equals=True)
    nan = run.expect(claim="nan", description="a broken measurement", at_least=0.0)
    path = project / "repro/results/smoke/alpha2020-example.json"
    hit.measure(0.75)
    partial = ReproResult.model_validate_json(path.read_text())
    assert partial.status == "error" and "before run.finish()" in (partial.error or "")
    miss.measure(0.5)
    nan.measure(float("nan"))
    with pytest.raises(RuntimeError):
        hit.measure(0.1)  # measured once: no second chances
    result = run.finish()
    data = json.loads(path.read_text())
    assert data["status"] == "ok"
    verdicts = {c["claim"]: (c["verdict"], c["measured"]) for c in data["checks"]}
    assert verdicts == {
        "hit": ("reproduced", 0.75),
        "miss": ("not-reproduced", 0.5),
        "never": ("error", None),
        "nan": ("error", None),
    }
    assert all(c.declared_at <= (c.measured_at or 1e9) for c in result.checks)
    assert data["provenance"]["torch"] and data["provenance"]["seed"] == 0


def test_pick_requires_the_same_names(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERPCAT_PROFILE", "full")
    run = Reproduction(paper="alpha2020-example")
    assert run.pick(smoke={"n": 1}, full={"n": 2}).n == 2
    with pytest.raises(ValueError):
        run.pick(smoke={"n": 1}, full={"m": 2})


def test_unknown_profile_is_refused(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERPCAT_PROFILE", "huge")
    with pytest.raises(ValueError, match="smoke, full"):
        Reproduction(paper="alpha2020-example")
