"""Checks, outcomes and verdicts: expectations from the catalog, one interval rule, honest result files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from interpcat.catalog import check_catalog, load_catalog
from interpcat.cli import main
from interpcat.records import CheckSpec, Expect
from interpcat.repro import Reproduction
from interpcat.repro.compare import compare_dirs
from interpcat.results import ReproResult, check_results, claim_outcome
from interpcat.verdicts import CheckOutcome, claim_verdict, judge, t_interval

PAPER = "catalog/papers/alpha2020-example.yaml"
RESULT = "repro/results/smoke/alpha2020-example.json"


def spec(role: str = "primary", cid: str = "c", **expect: object) -> CheckSpec:
    aggregate = "all" if "equals" in expect else "mean"
    return CheckSpec(id=cid, role=role, measures="m", aggregate=aggregate, expect=Expect(**expect), rationale="r")


@pytest.mark.parametrize(
    "expect,values,outcome",
    [
        ({"at_least": 0.9}, [0.95], "met"),
        ({"at_least": 0.9}, [0.85], "not-met"),
        ({"at_most": 0.1}, [0.1], "met"),
        ({"greater_than": 0.0}, [0.0], "not-met"),
        ({"less_than": 1.0}, [0.5], "met"),
        ({"between": [0.2, 0.4]}, [0.3], "met"),
        ({"between": [0.2, 0.4]}, [0.5], "not-met"),
        ({"close_to": 1.0, "tolerance": 0.05}, [1.04], "met"),
        ({"close_to": 1.0, "tolerance": 0.05}, [1.06], "not-met"),
        # several values: the 95% t-interval of the mean decides
        ({"at_least": 0.5}, [0.90, 0.91, 0.92], "met"),
        ({"at_least": 0.5}, [0.10, 0.11, 0.12], "not-met"),
        ({"at_least": 0.5}, [0.3, 0.9, 0.6], "inconclusive"),
        ({"between": [0.0, 1.0]}, [0.5, 0.52], "met"),
        ({"between": [0.0, 1.0]}, [0.9, 1.1], "inconclusive"),
        ({"greater_than": 0.0}, [0.0, 0.0], "not-met"),
        ({"at_least": 0.0}, [float("nan"), 1.0], "error"),
        ({"at_least": 0.0}, [], "error"),
    ],
)
def test_one_rule_for_numbers(expect: dict, values: list, outcome: str) -> None:
    assert judge(Expect(**expect), "mean", values).outcome == outcome


def test_the_interval_is_the_student_t_interval_of_the_mean() -> None:
    mean, lo, hi = t_interval([1.0, 2.0, 3.0])
    assert mean - lo == pytest.approx(hi - mean)
    assert mean == 2.0
    assert hi - mean == pytest.approx(4.302652729911275 * (1.0 / 3**0.5))  # t(0.975, 2 df) * s / sqrt(n)
    assert t_interval([5.0]) == (5.0, 5.0, 5.0)
    j = judge(Expect(at_least=0.0), "mean", [1.0])
    assert j.interval is None and "one value, no interval" in j.reason


@pytest.mark.parametrize(
    "aggregate,values,outcome",
    [
        ("all", [True, True], "met"),
        ("all", [True, False], "not-met"),
        ("any", [False, True], "met"),
        ("any", [False, False], "not-met"),
    ],
)
def test_booleans(aggregate: str, values: list, outcome: str) -> None:
    assert judge(Expect(equals=True), aggregate, values).outcome == outcome
    assert judge(Expect(equals=True), aggregate, [1.0]).outcome == "error"


@pytest.mark.parametrize(
    "rule,outcomes,verdict",
    [
        ("all", {"p1": "met", "p2": "met"}, "reproduced"),
        ("all", {"p1": "met", "p2": "not-met"}, "partially-reproduced"),
        ("all", {"p1": "met", "p2": "inconclusive"}, "partially-reproduced"),
        ("all", {"p1": "not-met", "p2": "not-met"}, "not-reproduced"),
        ("all", {"p1": "not-met", "p2": "inconclusive"}, "not-reproduced"),
        ("all", {"p1": "inconclusive", "p2": "inconclusive"}, "inconclusive"),
        ("any", {"p1": "not-met", "p2": "met"}, "reproduced"),
        ("any", {"p1": "not-met", "p2": "inconclusive"}, "inconclusive"),
        ("any", {"p1": "not-met", "p2": "not-met"}, "not-reproduced"),
        ("all", {"p1": "met", "p2": "met", "pre": "not-met"}, "inconclusive"),
        ("all", {"p1": "met", "p2": "met", "pre": "inconclusive"}, "inconclusive"),
        ("all", {"p1": "met", "p2": "met", "ctl": "not-met"}, "reproduced"),  # controls never decide
        ("all", {"p1": "met", "p2": "error"}, "error"),
        ("all", {"p1": "met", "p2": None}, "error"),
    ],
)
def test_claim_verdicts(rule: str, outcomes: dict, verdict: str) -> None:
    roles = {"p1": "primary", "p2": "primary", "pre": "precondition", "ctl": "control"}
    checks = [CheckOutcome(spec(roles[k], k, at_least=0.0), v) for k, v in outcomes.items()]
    assert claim_verdict(rule, checks)[0] == verdict  # type: ignore[arg-type]


def test_run_measures_the_catalog_checks(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERPCAT_PROFILE", "smoke")
    monkeypatch.delenv("INTERPCAT_RESULTS_DIR", raising=False)
    run = Reproduction(paper="alpha2020-example")
    assert set(run.declared) == {"toy-check", "toy-precondition", "toy-control"}
    run.data("toy digits", size=10, resolution="8x8")
    path = project / RESULT
    run.measure("toy-check", {"seed 0": 0.9, "seed 1": 0.91, "seed 2": 0.89})
    partial = ReproResult.model_validate_json(path.read_text())
    assert partial.status == "error" and "before run.finish()" in (partial.error or "")
    with pytest.raises(RuntimeError):
        run.measure("toy-check", 0.1)  # measured once: no second chances
    with pytest.raises(KeyError, match="no claim declares"):
        run.measure("not-declared", 1.0)
    run.measure("toy-control", float("nan"))
    result = run.finish()  # toy-precondition is never measured
    data = json.loads(path.read_text())
    assert data["status"] == "ok" and data["format"] == 2
    checks = {c["id"]: c for c in data["checks"]}
    assert checks["toy-check"]["values"] == [0.9, 0.91, 0.89] and checks["toy-check"]["labels"][0] == "seed 0"
    assert checks["toy-check"]["outcome"] == "met" and len(checks["toy-check"]["interval"]) == 2
    assert checks["toy-control"]["outcome"] == "error"
    assert checks["toy-precondition"]["outcome"] == "error" and checks["toy-precondition"]["reason"] == "never measured"
    prov = data["provenance"]
    assert {"torch", "numpy", "scipy", "scikit-learn"} <= set(prov["packages"])
    assert len(prov["notebook_sha256"]) == 64 and len(prov["expectations_sha256"]) == 64
    assert prov["data"] == [{"name": "toy digits", "size": 10, "resolution": "8x8", "source": None}]
    catalog = load_catalog(project / "catalog")
    claim = catalog.papers["alpha2020-example"].claims[0]
    assert claim_outcome(catalog, claim, result).verdict == "error"  # a precondition was never measured


def test_a_notebook_without_declared_checks_is_refused(project: Path) -> None:
    with pytest.raises(LookupError, match="no claim in the catalog declares a check"):
        Reproduction(paper="nobody2000-nothing")


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


def _run_fixture(project: Path, out: Path | None = None, **values: object) -> None:
    """Run the fixture's checks in-process with the given values (defaults: the notebook's)."""
    import os

    if out is not None:
        os.environ["INTERPCAT_RESULTS_DIR"] = str(out)
    try:
        run = Reproduction(paper="alpha2020-example")
        run.measure("toy-precondition", values.get("pre", [True, True]))
        run.measure("toy-check", values.get("check", {"seed 0": 0.9, "seed 1": 0.8}))
        run.measure("toy-control", values.get("control", 1.0))
        run.finish()
    finally:
        os.environ.pop("INTERPCAT_RESULTS_DIR", None)


def test_editing_a_threshold_makes_the_committed_result_stale(project: Path, capsys: pytest.CaptureFixture) -> None:
    _run_fixture(project)
    _, problems = check_results(project, load_catalog(project / "catalog"))
    assert problems == []
    text = (project / PAPER).read_text().replace("expect: {at_least: 0.5}", "expect: {at_least: 0.4}")
    (project / PAPER).write_text(text)
    capsys.readouterr()
    assert main(["validate"]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1, out
    assert out[0].startswith(f"{PAPER}:34:")  # the line of the edited expectation
    assert "claims[0].reproduction.checks[0].expect" in out[0] and "'toy-check'" in out[0]
    assert "produced under '>= 0.5'" in out[0] and "now says '>= 0.4'" in out[0] and "[stale-result]" in out[0]


def test_a_role_or_unit_edit_is_an_expectation_change_too(project: Path) -> None:
    _run_fixture(project)
    text = (project / PAPER).read_text().replace("role: control", "role: precondition")
    (project / PAPER).write_text(text)
    _, problems = check_results(project, load_catalog(project / "catalog"))
    assert [p.code for p in problems] == ["stale-result"]


def test_a_new_check_without_a_result_is_reported(project: Path) -> None:
    _run_fixture(project)
    text = (
        (project / PAPER)
        .read_text()
        .replace(
            "        - id: toy-control\n",
            "        - id: toy-extra\n          role: control\n          measures: x\n          expect: {at_least: 0}\n"
            "          rationale: y\n        - id: toy-control\n",
        )
    )
    (project / PAPER).write_text(text)
    (project / "repro/alpha2020-example.py").write_text(
        (project / "repro/alpha2020-example.py").read_text() + 'EXTRA = "toy-extra"  # measured elsewhere\n'
    )
    catalog, problems = check_catalog(project / "catalog")
    assert problems == []
    _, problems = check_results(project, catalog)
    assert [(p.code, "toy-extra" in p.message) for p in problems] == [("stale-result", True)]


def test_compare_fails_on_flips_expectation_edits_and_values_outside_the_interval(
    project: Path, tmp_path: Path
) -> None:
    catalog = load_catalog(project / "catalog")
    committed, fresh = tmp_path / "a", tmp_path / "b"
    _run_fixture(project, committed, check={"s0": 0.9, "s1": 0.92, "s2": 0.91})
    _run_fixture(project, fresh, check={"s0": 0.9, "s1": 0.92, "s2": 0.91})
    assert compare_dirs(committed, fresh, catalog=catalog) == []
    assert main(["repro", "compare", str(fresh), str(committed)]) == 0

    _run_fixture(project, fresh, check={"s0": 0.2, "s1": 0.25, "s2": 0.22})  # a flip
    whats = {d.what for d in compare_dirs(committed, fresh, catalog=catalog)}
    assert {"outcome", "verdict", "value outside the committed 95% interval"} <= whats
    assert main(["repro", "compare", str(fresh), str(committed)]) == 1

    _run_fixture(project, fresh, check={"s0": 0.95, "s1": 0.96, "s2": 0.955})  # same outcome, other values
    assert [d.what for d in compare_dirs(committed, fresh, catalog=catalog)] == [
        "value outside the committed 95% interval"
    ]

    _run_fixture(project, fresh, check={"s0": 0.9, "s1": 0.92, "s2": 0.91}, control=1.001)  # one value moved
    (diff,) = compare_dirs(committed, fresh, catalog=catalog)
    assert not diff.failing and "note" in diff.format()
    assert main(["repro", "compare", str(fresh), str(committed)]) == 0

    text = (project / PAPER).read_text().replace("expect: {at_least: 0.5}", "expect: {at_least: 0.95}")
    (project / PAPER).write_text(text)  # a threshold edit, then a fresh run under it
    _run_fixture(project, fresh, check={"s0": 0.9, "s1": 0.92, "s2": 0.91})
    whats = [d.what for d in compare_dirs(committed, fresh, catalog=load_catalog(project / "catalog"))]
    assert "expectation" in whats and "outcome" in whats


def _git(project: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)


def test_audit_tells_pre_registered_from_revised_and_set_with_results(project: Path) -> None:
    from interpcat.audit import audit_project

    _git(project, "init", "-q")
    _git(project, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    _git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "expectations")

    def states() -> dict[str, str]:
        report = audit_project(project, load_catalog(project / "catalog"))
        return {cid: a.state for (_, cid), a in report.checks.items()}

    assert set(states().values()) == {"not-run"}
    _run_fixture(project)  # at a clean commit that holds the expectations
    assert states() == dict.fromkeys(["toy-check", "toy-precondition", "toy-control"], "pre-registered")
    _git(project, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    _git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "results")

    text = (project / PAPER).read_text().replace("expect: {at_least: 0.5}", "expect: {at_least: 0.6}")
    (project / PAPER).write_text(text)
    _run_fixture(project)  # a threshold edited after results, run before it is committed
    assert states()["toy-check"] == "set-with-results"
    _git(project, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    _git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "new threshold")
    _run_fixture(project)  # committed first this time, but an earlier result saw the old threshold
    got = states()
    assert got["toy-check"] == "set-with-results"  # the first result under 0.6 was the dirty run
    assert got["toy-control"] == "pre-registered"


def test_audit_flags_a_revision_after_committed_results(project: Path) -> None:
    from interpcat.audit import audit_project

    def commit(message: str) -> None:
        _git(project, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
        _git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message)

    _git(project, "init", "-q")
    commit("expectations")
    _run_fixture(project)
    commit("results")
    text = (project / PAPER).read_text().replace("expect: {at_least: 0.5}", "expect: {at_least: 0.6}")
    (project / PAPER).write_text(text)
    commit("revised threshold, committed before the re-run")
    _run_fixture(project)
    report = audit_project(project, load_catalog(project / "catalog"))
    audit = report.state("repro/alpha2020-example.py", "toy-check")
    assert audit is not None and audit.state == "revised-after-results"
    assert "'>= 0.5'" in audit.detail


def test_summary_and_strip_are_rendered_from_the_result(project: Path) -> None:
    from interpcat.repro.report import escape, summary_markdown
    from interpcat.site.strip import strip_svg

    _run_fixture(project, check={"s0": 0.9, "s1": 0.92, "s2": 0.91})
    catalog = load_catalog(project / "catalog")
    result = ReproResult.model_validate_json((project / RESULT).read_text())
    text = summary_markdown(catalog, result)
    assert "| alpha2020-example / toy-claim | **reproduced** |" in text
    assert "0.91 \\[0.8852, 0.9348\\], n = 3" in text and "toy-control | control" in text
    assert escape("<b>|x|</b>") == "\\<b\\>\\|x\\|\\</b\\>"
    spec = catalog.declared_checks("repro/alpha2020-example.py")["toy-check"].spec
    svg = strip_svg(result.check("toy-check"), spec)
    assert svg.startswith('<svg class="ic-strip"') and svg.count("<circle") == 3 and "ic-strip-ci" in svg
    assert strip_svg(result.check("toy-control"), spec) == ""  # one value: no strip


def test_a_reused_check_can_take_another_role(project: Path) -> None:
    text = (
        (project / PAPER)
        .read_text()
        .replace(
            "reproduction: {status: not-attempted, reason: needs ImageNet-scale training}",
            "reproduction: {notebook: repro/alpha2020-example.py, checks: "
            "[{use: toy-check, role: precondition}, {use: toy-control, role: primary}]}",
        )
    )
    (project / PAPER).write_text(text)
    _run_fixture(project, check={"s0": 0.1, "s1": 0.12, "s2": 0.11})  # toy-check clearly not met
    catalog = load_catalog(project / "catalog")
    result = ReproResult.model_validate_json((project / RESULT).read_text())
    first, second = catalog.papers["alpha2020-example"].claims
    assert claim_outcome(catalog, first, result).verdict == "not-reproduced"
    outcome = claim_outcome(catalog, second, result)
    assert outcome.verdict == "inconclusive" and "precondition not met: toy-check" in outcome.reason
