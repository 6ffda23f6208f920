"""Where and how a reproduction runs: profile, device, seeds, provenance."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

PROFILES = ("smoke", "full")
PROFILE_ENV = "INTERPCAT_PROFILE"
RESULTS_ENV = "INTERPCAT_RESULTS_DIR"
RUNNER_ENV = "INTERPCAT_RUNNER"


PEAK_MARK = "interpcat: kernel peak rss kB: "  # the line the executing process ends with, for the runner


def current_profile() -> str:
    """The profile chosen by INTERPCAT_PROFILE: 'smoke' (default: CPU, about a minute) or 'full'."""
    value = os.environ.get(PROFILE_ENV, "smoke").strip().lower()
    if value not in PROFILES:
        raise ValueError(f"{PROFILE_ENV}={value!r}: choose one of {', '.join(PROFILES)}")
    return value


def under_runner() -> bool:
    """True when executed by ``interpcat repro run`` (progress bars are then switched off)."""
    return os.environ.get(RUNNER_ENV) == "1"


def project_root(start: Path | None = None) -> Path:
    """The nearest folder, from ``start`` (default: cwd) upwards, that holds catalog/ and repro/."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "catalog").is_dir() and (folder / "repro").is_dir():
            return folder
    raise FileNotFoundError(f"no project (a folder with catalog/ and repro/) above {here}")


def select_device(profile: str) -> Any:
    """The torch device: the smoke profile always runs on CPU; full uses a GPU when one is present."""
    import torch

    if profile == "full" and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA) so a run repeats."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def device_description(device: Any) -> str:
    """Hardware in words, e.g. 'cuda: NVIDIA H100 80GB HBM3' or 'cpu: x86_64, 2 threads'."""
    import torch

    if getattr(device, "type", str(device)) == "cuda":
        return f"cuda: {torch.cuda.get_device_name(device)}"
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    threads = torch.get_num_threads()
    return f"cpu: {model}, {threads} thread{'s' if threads != 1 else ''}"


def git_state(root: Path) -> tuple[str | None, bool | None, list[str]]:
    """The commit the project is at, whether the tree matches it, and the paths that differ.

    Untracked files count (a new notebook that was never committed makes the run dirty); ignored
    files (the venv, build output) do not, and neither do result files: a run rewrites them.
    """

    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True)
        return out.stdout

    try:
        commit = git("rev-parse", "--short=12", "HEAD").strip()
        status = git("status", "--porcelain", "--untracked-files=all", "--", ".", ":(exclude)repro/results")
    except (OSError, subprocess.SubprocessError):
        return None, None, []
    changed = [line[3:] for line in status.splitlines() if line.strip()]
    return (commit or None), not changed, changed[:20]


def git_provenance(root: Path) -> dict[str, Any]:
    """The git fields of a result's provenance: commit ('-dirty' when the tree differs), clean, changed."""
    commit, clean, changed = git_state(root)
    label = None if commit is None else (commit if clean else f"{commit}-dirty")
    return {"git_commit": label, "git_clean": clean, "git_changed": changed}


TRACKED_PACKAGES = (
    "torch",
    "captum",
    "numpy",
    "scipy",
    "scikit-learn",
    "shap",
    "lime",
    "zennit",
    "mlxtend",
    "transformer-lens",
    "dattri",
)


def package_version(name: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return None


def file_sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def provenance(
    device: Any,
    seed: int | None,
    root: Path,
    started: _dt.datetime,
    duration_s: float,
    *,
    notebook: Path,
    expectations: str,
    data: list[dict] | None = None,
) -> dict:
    """The provenance block of a result file."""
    import torch

    packages = {name: package_version(name) for name in TRACKED_PACKAGES}
    packages["torch"] = torch.__version__
    return {
        "device": device_description(device),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()} ({sys.implementation.name})",
        "packages": {k: v for k, v in packages.items() if v is not None},
        "seed": seed,
        **git_provenance(root),
        "notebook_sha256": file_sha256(notebook) if notebook.is_file() else "",
        "expectations_sha256": expectations,
        "data": data or [],
        "started": started.astimezone(_dt.timezone.utc).isoformat(timespec="seconds"),
        "duration_s": round(duration_s, 2),
        "cuda_peak_mb": cuda_peak_mb(),
    }


def cuda_peak_mb() -> float | None:
    """Peak CUDA memory allocated by this process over every device (MiB); None where CUDA was not used."""
    import torch

    if not (torch.cuda.is_available() and torch.cuda.is_initialized()):
        return None
    peak = max(torch.cuda.max_memory_allocated(i) for i in range(torch.cuda.device_count()))
    return round(peak / 2**20, 1)
