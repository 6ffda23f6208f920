"""Compare the verdicts of fresh results with committed ones (measured values may differ)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Difference:
    paper: str
    check: str
    committed: str
    fresh: str

    def format(self) -> str:
        return f"{self.paper}: {self.check}: committed {self.committed}, now {self.fresh}"


def _verdicts(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    verdicts = {"(status)": data["status"]}
    verdicts.update({c["claim"]: c["verdict"] for c in data.get("checks", [])})
    return verdicts


def compare_dirs(committed: Path, fresh: Path, papers: list[str] | None = None) -> list[Difference]:
    """Differences in status and verdicts between two result folders of one profile."""
    names = sorted({p.stem for p in committed.glob("*.json")} | {p.stem for p in fresh.glob("*.json")})
    if papers:
        names = [n for n in names if n in papers]
    diffs = []
    for name in names:
        old_path, new_path = committed / f"{name}.json", fresh / f"{name}.json"
        old = _verdicts(old_path) if old_path.is_file() else {}
        new = _verdicts(new_path) if new_path.is_file() else {}
        for check in sorted(set(old) | set(new)):
            a, b = old.get(check, "absent"), new.get(check, "absent")
            if a != b:
                diffs.append(Difference(name, check, a, b))
    return diffs
