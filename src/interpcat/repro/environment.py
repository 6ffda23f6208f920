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


def git_commit(root: Path) -> str | None:
    """The commit the project is at, with '-dirty' when code or records differ from it, or None.

    Result files are left out of the comparison: a run rewrites them as it goes.
    """

    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True)
        return out.stdout.strip()

    try:
        commit = git("rev-parse", "--short=12", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)repro/results")
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if changed else commit or None


def package_version(name: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return None


def provenance(device: Any, seed: int | None, root: Path, started: _dt.datetime, duration_s: float) -> dict:
    """The provenance block of a result file."""
    import torch

    return {
        "device": device_description(device),
        "torch": torch.__version__,
        "captum": package_version("captum"),
        "python": platform.python_version(),
        "seed": seed,
        "git_commit": git_commit(root),
        "started": started.astimezone(_dt.timezone.utc).isoformat(timespec="seconds"),
        "duration_s": round(duration_s, 2),
        "platform": f"{platform.system()} {platform.machine()} ({sys.implementation.name})",
    }
