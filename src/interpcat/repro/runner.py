"""Execute reproduction notebooks in parallel, each in its own process with a time limit.

Each notebook (``repro/<paper>.py``, jupytext py:percent) is converted to a notebook, executed
by nbclient in a fresh kernel, and saved with its outputs next to its result file. A notebook
that fails or hangs is recorded as ``error`` or ``timeout`` and does not stop the others.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ..results import RESULT_FORMAT, ReproResult
from .environment import PEAK_MARK, PROFILE_ENV, RESULTS_ENV, RUNNER_ENV
from .report import add_summary_cell

DEFAULT_TIMEOUT = 900


@dataclass
class RunOutcome:
    paper: str
    status: str
    duration_s: float
    verdicts: dict[str, int]
    message: str = ""


def discover(root: Path, papers: list[str] | None = None) -> list[Path]:
    """The notebooks to run: all of repro/*.py, or those of the given paper ids."""
    available = {p.stem: p for p in sorted((root / "repro").glob("*.py")) if not p.name.startswith("_")}
    if not papers:
        return list(available.values())
    missing = [p for p in papers if p not in available]
    if missing:
        known = ", ".join(available) or "none"
        raise FileNotFoundError(f"no notebook repro/<id>.py for: {', '.join(missing)} (available: {known})")
    return [available[p] for p in papers]


def _fallback_result(root: Path, notebook: Path, profile: str, status: str, error: str, duration: float) -> dict:
    import platform

    from .environment import file_sha256, git_provenance

    return {
        "format": RESULT_FORMAT,
        "paper": notebook.stem,
        "notebook": f"repro/{notebook.name}",
        "profile": profile,
        "status": status,
        "error": error,
        "provenance": {
            "device": "unknown (the notebook stopped before it reported)",
            "python": platform.python_version(),
            "platform": None,
            "packages": {},
            "seed": None,
            **git_provenance(root),
            "notebook_sha256": file_sha256(notebook) if notebook.is_file() else "",
            "expectations_sha256": "",
            "data": [],
            "started": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "duration_s": round(duration, 2),
        },
        "checks": [],
    }


def _finalize(
    root: Path,
    notebook: Path,
    profile: str,
    out_dir: Path,
    status: str,
    error: str,
    duration: float,
    peak_rss_mb: float | None = None,
) -> ReproResult | None:
    """Make sure a result file exists and carries the run's status."""
    path = out_dir / f"{notebook.stem}.json"
    data = None
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            data = None
    if data is None:
        data = _fallback_result(root, notebook, profile, status, error, duration)
    else:
        if status != "ok" or data.get("status") != "ok":
            data["status"] = status if status != "ok" else data.get("status", "error")
            data["error"] = error or data.get("error") or "the notebook stopped before run.finish()"
        if isinstance(data.get("provenance"), dict):
            data["provenance"]["duration_s"] = round(duration, 2)  # the whole notebook, kernel start included
    if isinstance(data.get("provenance"), dict) and peak_rss_mb is not None:
        data["provenance"]["peak_rss_mb"] = round(peak_rss_mb, 1)
    try:
        result = ReproResult.model_validate(data)
    except ValidationError as err:
        data = _fallback_result(root, notebook, profile, "error", f"malformed result file: {err}", duration)
        result = ReproResult.model_validate(data)
    path.write_text(json.dumps(result.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
    return result


def run_one(root: Path, notebook: Path, profile: str, out_dir: Path, timeout: int, threads: int) -> RunOutcome:
    """Execute one notebook in a subprocess; always leaves a result file behind."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in (out_dir / f"{notebook.stem}.json", out_dir / f"{notebook.stem}.ipynb"):
        stale.unlink(missing_ok=True)
    env = dict(os.environ)
    env.update({PROFILE_ENV: profile, RESULTS_ENV: str(out_dir.resolve()), RUNNER_ENV: "1", "PYTHONHASHSEED": "0"})
    # Figures go into the executed notebook as images (a plain MPLBACKEND=Agg would drop them).
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    # One thread count for every library (torch reads OMP_NUM_THREADS and MKL_NUM_THREADS at import).
    threads = int(env.get("OMP_NUM_THREADS") or threads)
    env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = str(threads)
    # Progress bars are off under the runner; without ipywidgets, tqdm.auto (imported by Captum) would
    # still warn about its text fallback in every executed notebook.
    env["PYTHONWARNINGS"] = ",".join(filter(None, [env.get("PYTHONWARNINGS"), "ignore:IProgress not found"]))
    cmd = [
        sys.executable,
        "-m",
        "interpcat.repro.execute",
        str(notebook),
        str(out_dir / f"{notebook.stem}.ipynb"),
        "--cell-timeout",
        str(timeout),
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    sampler = TreeMemory(proc.pid)
    output = ""
    try:
        output, _ = proc.communicate(timeout=timeout)
        status = "ok" if proc.returncode == 0 else "error"
        error = "" if status == "ok" else _last_error(output)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        status, error = "timeout", f"the notebook ran past its {timeout} s limit"
    duration = time.perf_counter() - start
    peak = max(filter(None, [sampler.stop(), _reported_peak_mb(output)]), default=None)
    result = _finalize(root, notebook, profile, out_dir, status, error, duration, peak)
    if result is not None:
        add_summary_cell(root, result, out_dir / f"{notebook.stem}.ipynb")
    verdicts: dict[str, int] = {}
    for check in result.checks if result else []:
        verdicts[check.outcome] = verdicts.get(check.outcome, 0) + 1
    final_status = result.status if result else status
    return RunOutcome(notebook.stem, final_status, duration, verdicts, error)


class TreeMemory:
    """Samples the resident memory of a process and its descendants (with psutil, where installed)."""

    def __init__(self, pid: int, interval: float = 0.25):
        self.peak = 0
        self._stop = threading.Event()
        try:
            import psutil

            self._root = psutil.Process(pid)
        except (ImportError, OSError):
            self._thread = None
            return
        self._thread = threading.Thread(target=self._loop, args=(interval,), daemon=True)
        self._thread.start()

    def _loop(self, interval: float) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self._root, *self._root.children(recursive=True)]
            except psutil.Error:
                return
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(interval)

    def stop(self) -> float | None:
        """The peak seen, in MiB (None without psutil or before the first sample)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        return self.peak / 2**20 if self.peak else None


def _reported_peak_mb(output: str) -> float | None:
    """The kernel's peak RSS as the executing process reported it (getrusage of its waited children)."""
    for line in reversed(output.splitlines()):
        if line.startswith(PEAK_MARK):
            try:
                return int(line[len(PEAK_MARK) :]) / 1024  # kB on Linux
            except ValueError:
                return None
    return None


def _last_error(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip() and not line.startswith(PEAK_MARK)]
    for line in reversed(lines):
        if "Error" in line or "Exception" in line:
            return line.strip()[:500]
    return (lines[-1] if lines else "the notebook failed").strip()[:500]


def run_notebooks(
    root: Path, notebooks: list[Path], profile: str, out_root: Path, jobs: int = 1, timeout: int = DEFAULT_TIMEOUT
) -> list[RunOutcome]:
    """Run notebooks ``jobs`` at a time; results go to ``out_root/<profile>/``."""
    out_dir = out_root / profile
    threads = max(1, (os.cpu_count() or 1) // max(1, jobs))
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(run_one, root, nb, profile, out_dir, timeout, threads) for nb in notebooks]
        outcomes = []
        for future in futures:
            outcome = future.result()
            verdicts = ", ".join(f"{n} {v}" for v, n in sorted(outcome.verdicts.items())) or "no checks"
            print(
                f"{outcome.paper}: {outcome.status} in {outcome.duration_s:.0f} s ({verdicts})"
                + (f" - {outcome.message}" if outcome.message else ""),
                flush=True,
            )
            outcomes.append(outcome)
    wall = time.perf_counter() - start
    print(f"{len(outcomes)} notebook(s), profile {profile}, --jobs {jobs}: {wall:.0f} s wall time", flush=True)
    return outcomes
