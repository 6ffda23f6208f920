"""A run's summary in words, rendered from its result file, so that no number in it can drift.

The runner puts this summary at the top of every executed notebook; ``Reproduction.finish`` prints
the same verdicts.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..catalog import Catalog, load_catalog
from ..results import CheckResult, ReproResult, claim_outcome

SUMMARY_TAG = "interpcat-summary"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def escape(text: str) -> str:
    """Record text shown as text in Markdown: special characters escaped, newlines folded."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _num(x: float | bool | None) -> str:
    if x is None:
        return "none"
    if isinstance(x, bool):
        return str(x).lower()
    return f"{x:.4g}"


def measured_words(check: CheckResult) -> str:
    """'0.83 [0.79, 0.87], n = 3' or '0.83 (one value)' or 'true (3 of 3)'."""
    if check.outcome == "error" and not check.values:
        return check.reason
    if check.interval is not None:
        lo, hi = check.interval
        return f"{_num(check.statistic)} [{_num(lo)}, {_num(hi)}], n = {check.n}"
    if check.values and isinstance(check.values[0], bool):
        return f"{_num(check.statistic)} ({sum(bool(v) for v in check.values)} of {check.n} true)"
    return f"{_num(check.statistic)} (one value)"


def summary_markdown(catalog: Catalog, result: ReproResult) -> str:
    """The verdict of every claim the notebook checks, and each check behind it."""
    lines = [
        f"## Summary of this run ({result.profile} profile)",
        "",
        "*Rendered from the result file by the runner, so the numbers below are the measured ones; the "
        "expectations come from the catalog records, and the site's page \u201cHow a verdict is reached\u201d "
        "explains the rule.*",
        "",
    ]
    if result.status != "ok":
        lines += [f"**The run ended with {result.status}**: {escape(result.error or '')}", ""]
    prov = result.provenance
    data = "; ".join(
        escape(", ".join(filter(None, [d.name, f"{d.size:,} items" if d.size else None, d.resolution])))
        for d in prov.data
    )
    lines += [
        f"Ran on {escape(prov.device)} at commit `{prov.git_commit or 'unknown'}` "
        f"({'clean tree' if prov.git_clean else 'tree differed from the commit'}), {prov.duration_s:.0f} s"
        + (f"; data: {data}" if data else "")
        + ".",
        "",
        "| claim | verdict | why |",
        "| --- | --- | --- |",
    ]
    claims = catalog.claims_of_notebook(result.notebook)
    for paper, claim in claims:
        outcome = claim_outcome(catalog, claim, result)
        lines.append(f"| {escape(paper.id)} / {escape(claim.id)} | **{outcome.verdict}** | {escape(outcome.reason)} |")
    lines += ["", "| check | role | expected | measured | outcome |", "| --- | --- | --- | --- | --- |"]
    for check in result.checks:
        lines.append(
            f"| {escape(check.id)} | {check.role} | {escape(check.expected)} (per {check.unit}) | "
            f"{escape(measured_words(check))} | {check.outcome} |"
        )
    return "\n".join(lines) + "\n"


def add_summary_cell(root: Path, result: ReproResult, ipynb: Path) -> None:
    """Put the summary at the top of an executed notebook (replacing an earlier one)."""
    if not ipynb.is_file():
        return
    import nbformat

    try:
        catalog = load_catalog(root / "catalog")
    except Exception as err:  # the summary is a convenience; a broken catalog is reported elsewhere
        text = f"## Summary of this run\n\nNo summary: the catalog did not load ({escape(str(err)[:300])}).\n"
    else:
        text = summary_markdown(catalog, result)
    notebook = nbformat.read(ipynb, as_version=4)
    notebook.cells = [c for c in notebook.cells if SUMMARY_TAG not in c.get("metadata", {}).get("tags", [])]
    cell = nbformat.v4.new_markdown_cell(text, metadata={"tags": [SUMMARY_TAG]})
    at = 1 if notebook.cells and notebook.cells[0].cell_type == "markdown" else 0
    notebook.cells.insert(at, cell)
    nbformat.write(notebook, ipynb)
