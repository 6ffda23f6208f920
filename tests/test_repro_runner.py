"""The runner: ok, failing and hanging notebooks each get a result file; the others still run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interpcat.cli import main
from interpcat.repro.compare import compare_dirs

FAILING = """# %%
import os
import captum
import tqdm.auto  # warns about ipywidgets unless the runner silences it
print("library at", captum.__file__, "project at", os.getcwd() + "/repro")
from interpcat.repro import Reproduction
run = Reproduction(paper="failing")
c = run.expect(claim="first", description="measured before the crash", at_least=0.0)
c.measure(1.0)
# %%
raise ValueError("boom")
"""
HANGING = """# %%
import time
time.sleep(600)
"""


@pytest.fixture
def notebooks(project: Path) -> Path:
    (project / "repro" / "failing.py").write_text(FAILING)
    (project / "repro" / "hanging.py").write_text(HANGING)
    return project


@pytest.mark.slow
def test_run_records_ok_error_and_timeout(notebooks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["repro", "run", "--jobs", "3", "--timeout", "25", "--out", "out"])
    assert status == 1
    out = notebooks / "out" / "smoke"
    results = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    assert results["alpha2020-example"]["status"] == "ok"
    assert results["alpha2020-example"]["checks"][0]["verdict"] == "reproduced"
    assert results["failing"]["status"] == "error"
    assert "boom" in results["failing"]["error"]
    assert results["failing"]["checks"][0]["verdict"] == "reproduced"  # kept what it measured
    assert results["hanging"]["status"] == "timeout"
    assert (out / "alpha2020-example.ipynb").is_file() and (out / "failing.ipynb").is_file()
    executed = json.loads((out / "alpha2020-example.ipynb").read_text())
    assert any(cell.get("outputs") for cell in executed["cells"] if cell["cell_type"] == "code")
    printed = capsys.readouterr().out
    assert "hanging: timeout" in printed and "failing: error" in printed
    failing = (out / "failing.ipynb").read_text()
    assert "library at <site-packages>/captum/__init__.py" in failing  # the machine's paths are made portable
    assert "project at ./repro" in failing and str(notebooks) not in failing
    assert "IProgress not found" not in failing


def test_scrub_outputs_makes_paths_portable(tmp_path: Path) -> None:
    import sysconfig
    import tempfile

    import nbformat

    from interpcat.repro.execute import scrub_outputs

    site = sysconfig.get_paths()["purelib"]
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=f"{site}/captum/attr/lime.py:12: UserWarning: w\n"),
        nbformat.v4.new_output(
            "error",
            ename="E",
            evalue=f"no {tmp_path}/data.npz",
            traceback=[f"File {tempfile.gettempdir()}/ipykernel_41/87.py:3"],
        ),
        nbformat.v4.new_output("execute_result", data={"text/plain": f"PosixPath('{tmp_path}/repro/x.py')"}),
    ]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    scrub_outputs(notebook, tmp_path)
    stream, error, result = notebook.cells[0].outputs
    assert stream["text"] == "<site-packages>/captum/attr/lime.py:12: UserWarning: w\n"
    assert error["evalue"] == "no ./data.npz" and error["traceback"] == ["File <cell>:3"]
    assert result["data"]["text/plain"] == "PosixPath('./repro/x.py')"


def test_run_unknown_paper(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["repro", "run", "nope"]) == 2
    assert "no notebook repro/<id>.py for: nope" in capsys.readouterr().err


def test_compare_reports_changed_verdicts(tmp_path: Path) -> None:
    committed, fresh = tmp_path / "a", tmp_path / "b"
    committed.mkdir()
    fresh.mkdir()
    base = {
        "status": "ok",
        "checks": [{"claim": "x", "verdict": "reproduced"}, {"claim": "y", "verdict": "reproduced"}],
    }
    (committed / "p.json").write_text(json.dumps(base))
    base["checks"][1]["verdict"] = "not-reproduced"
    (fresh / "p.json").write_text(json.dumps(base))
    diffs = compare_dirs(committed, fresh)
    assert [d.format() for d in diffs] == ["p: y: committed reproduced, now not-reproduced"]
    assert main(["repro", "compare", str(fresh), str(committed)]) == 1
    assert main(["repro", "compare", str(committed), str(committed)]) == 0


def test_compare_tells_drift_at_a_threshold_from_a_change(tmp_path: Path) -> None:
    committed, fresh = tmp_path / "a", tmp_path / "b"
    committed.mkdir()
    fresh.mkdir()

    def write(folder: Path, verdict: str, value: float, status: str = "ok") -> None:
        checks = [{"claim": "x", "verdict": verdict, "measured": value}]
        (folder / "p.json").write_text(json.dumps({"status": status, "checks": checks}))

    write(committed, "not-reproduced", 0.0489)
    write(fresh, "reproduced", 0.0502)  # 2.7% away: another CPU's rounding, not a regression
    (diff,) = compare_dirs(committed, fresh)
    assert diff.drift and "drift at the threshold" in diff.format()
    assert main(["repro", "compare", str(fresh), str(committed)]) == 0
    write(fresh, "reproduced", 0.09)  # a real change in what was measured
    assert not compare_dirs(committed, fresh)[0].drift
    assert main(["repro", "compare", str(fresh), str(committed)]) == 1
    write(fresh, "not-reproduced", 0.0489, status="error")  # a run that broke is never drift
    assert main(["repro", "compare", str(fresh), str(committed)]) == 1
