"""The runner: ok, failing and hanging notebooks each get a result file; the others still run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interpcat.cli import main

FAILING = """# %%
import os
import captum
import tqdm.auto  # warns about ipywidgets unless the runner silences it
print("library at", captum.__file__, "project at", os.getcwd() + "/repro")
from interpcat.repro import Reproduction
run = Reproduction(paper="failing")
run.measure("first", 1.0)
# %%
raise ValueError("boom")
"""
HANGING = """# %%
import time
time.sleep(600)
"""


FAILING_RECORD = """id: failing
title: A notebook that fails
authors: [A. Author]
year: 2020
venue: Nowhere
venue_type: preprint
links: {url: https://example.org/failing}
summary: A record for a notebook that raises after its first check.
contribution: method
areas: [attribution]
claims:
  - id: first-claim
    statement: Something measured before the crash.
    source: Table 1
    reported: {metric: m, dataset: d}
    reproduction:
      notebook: repro/failing.py
      checks:
        - {id: first, role: primary, measures: a value, expect: {at_least: 0.0}, rationale: r}
"""


@pytest.fixture
def notebooks(project: Path) -> Path:
    (project / "repro" / "failing.py").write_text(FAILING)
    (project / "catalog" / "papers" / "failing.yaml").write_text(FAILING_RECORD)
    (project / "repro" / "hanging.py").write_text(HANGING)
    return project


@pytest.mark.slow
def test_run_records_ok_error_and_timeout(notebooks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["repro", "run", "--jobs", "3", "--timeout", "40", "--out", "out"])
    assert status == 1
    out = notebooks / "out" / "smoke"
    results = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    assert results["alpha2020-example"]["status"] == "ok"
    assert results["alpha2020-example"]["checks"][0]["outcome"] == "inconclusive"  # two seeds, a wide interval
    assert results["failing"]["status"] == "error"
    assert "boom" in results["failing"]["error"]
    assert results["failing"]["checks"][0]["outcome"] == "met"  # kept what it measured
    assert results["hanging"]["status"] == "timeout"
    cost = results["alpha2020-example"]["provenance"]
    assert cost["peak_rss_mb"] > 20 and cost["duration_s"] > 0 and cost["device"]  # the cost to reproduce
    assert cost["cuda_peak_mb"] is None  # no CUDA here
    assert (out / "alpha2020-example.ipynb").is_file() and (out / "failing.ipynb").is_file()
    executed = json.loads((out / "alpha2020-example.ipynb").read_text())
    assert any(cell.get("outputs") for cell in executed["cells"] if cell["cell_type"] == "code")
    summary = "".join(executed["cells"][1]["source"])  # rendered from the result, after the title cell
    assert summary.startswith("## Summary of this run") and "**inconclusive**" in summary
    assert "0.85 \\[0.2147, 1.485\\], n = 2" in summary
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


def test_peak_memory_of_a_process_tree() -> None:
    import subprocess
    import sys

    from interpcat.repro.environment import PEAK_MARK
    from interpcat.repro.runner import TreeMemory, _last_error, _reported_peak_mb

    code = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'x = bytearray(80 * 2**20); import time; time.sleep(1.5)'])"
    proc = subprocess.Popen([sys.executable, "-c", code])
    sampler = TreeMemory(proc.pid, interval=0.05)
    proc.wait()
    peak = sampler.stop()
    assert peak is not None and peak > 80  # the grandchild's 80 MiB counts
    output = f"some output\nValueError: boom\n{PEAK_MARK}204800\n"
    assert _reported_peak_mb(output) == 200.0
    assert _reported_peak_mb("no mark") is None
    assert _last_error(output) == "ValueError: boom"
