"""Validate a project: catalog records, their cross-references, and reproduction results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .catalog import Catalog, check_catalog
from .problems import Problem
from .results import Results, check_results


@dataclass
class Report:
    catalog: Catalog
    results: Results
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        c = self.catalog
        counts = f"{len(c.papers)} papers, {len(c.methods)} methods, {len(c.criteria)} criteria"
        runs = len(self.results.by_notebook)
        if not self.problems:
            return f"ok: {counts}, {runs} reproduction result file(s)"
        files = len({p.file for p in self.problems})
        return f"{len(self.problems)} problem(s) in {files} file(s) ({counts} valid)"


def validate_project(catalog_dir: Path) -> Report:
    """Check the catalog at ``catalog_dir`` and the results of the project around it."""
    catalog, problems = check_catalog(catalog_dir)
    results, result_problems = check_results(catalog.root, catalog)
    return Report(catalog, results, sorted(problems + result_problems))
